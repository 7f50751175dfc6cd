"""The tumour board in the browser: the site's list, adding a patient with a question,
the meeting's decision signed with the oncologist's password, and the course a
"start MKI" decision starts, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disease.models import BoardDecision, BoardEntry
from disease.services import board
from patients.models import DoseChange, TreatmentCourse
from patients.services import apply_dose_change
from tests.disease.conftest import NOW, TODAY
from tests.factories import PASSWORD, PatientFactory
from tests.tracker import data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_time", "fast_password_hashing"),
]

LIST = reverse("board:list")
ADD = reverse("board:add")


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def entry(nurse, patient):
    return board.add_board_entry(actor=nurse, patient=patient, question="Start an MKI now?")


def decision_form(**fields) -> dict:
    return {
        "meeting_on": TODAY.isoformat(),
        "outcome": "start_mki",
        "drug": "lenvatinib",
        "attendees": "Dr Oncologist, Dr Surgeon, Dr Radiologist",
        "reason": "RECIST progression within 12 months; efficacy first",
        "password": PASSWORD,
    } | fields


def decide(oncologist, entry, **fields):
    values = decision_form(**fields)
    values["meeting_on"] = TODAY
    return board.decide_board_entry(actor=oncologist, entry=entry, **values)


def entry_url(entry) -> str:
    return reverse("board:entry", args=[entry.pk])


def start_url(entry) -> str:
    return reverse("board:start-course", args=[entry.pk])


def start_form(**fields) -> dict:
    return {
        "start_date": TODAY.isoformat(),
        "starting_dose_mg": "24",
        "line_of_therapy": "1",
        "rule_set": "us_pi",
    } | fields


# --- the list -----------------------------------------------------------------------


def test_the_list_shows_open_questions_oldest_first_with_who_added_them_and_when(
    logged_in, nurse, oncologist, site
):
    first, second = PatientFactory(site=site), PatientFactory(site=site)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        board.add_board_entry(actor=oncologist, patient=second, question="Older question")
    board.add_board_entry(actor=nurse, patient=first, question="Newer question")
    response = logged_in(nurse).get(LIST)
    assert [e.question for e in response.context["open_entries"]] == [
        "Older question",
        "Newer question",
    ]
    html = response.content.decode()
    assert html.index("Older question") < html.index("Newer question")
    assert "Olga Oncologist" in html


def test_decided_entries_are_listed_below_with_their_decision(
    logged_in, nurse, oncologist, entry, site
):
    decide(oncologist, entry)
    board.add_board_entry(actor=nurse, patient=PatientFactory(site=site), question="Still open")
    response = logged_in(nurse).get(LIST)
    assert [e.pk for e in response.context["decided"]] == [entry.pk]
    html = response.content.decode()
    assert html.index("Still open") < html.index("Start MKI") < html.index("Lenvatinib (Lenvima)")


def test_the_list_shows_nothing_of_another_site(logged_in, outsider, entry):
    response = logged_in(outsider).get(LIST)
    assert response.context["open_entries"] == []
    assert entry.patient.reference_code not in response.content.decode()


# --- adding a patient ------------------------------------------------------------------


def test_a_nurse_adds_a_patient_with_a_question(logged_in, nurse, patient):
    response = logged_in(nurse).post(ADD, {"patient": patient.pk, "question": "MKI or watch?"})
    assert response.status_code == 302 and response["Location"] == LIST
    entry = BoardEntry.objects.get()
    assert (entry.patient, entry.question, entry.added_by) == (patient, "MKI or watch?", nurse)


def test_the_patient_pages_link_preselects_the_patient(logged_in, nurse, patient):
    page = logged_in(nurse).get(reverse("tracker:patient", args=[patient.pk])).content.decode()
    assert f"{ADD}?patient={patient.pk}" in page
    response = logged_in(nurse).get(ADD, {"patient": patient.pk})
    assert f'<option value="{patient.pk}" selected>' in response.content.decode()


def test_a_question_is_required_and_nothing_is_stored(logged_in, nurse, patient):
    response = logged_in(nurse).post(ADD, {"patient": patient.pk, "question": ""})
    assert response.status_code == 400
    assert "question" in response.context["form"].errors
    assert not BoardEntry.objects.exists()


def test_another_sites_patient_cannot_be_added(logged_in, outsider, patient):
    response = logged_in(outsider).post(ADD, {"patient": patient.pk, "question": "?"})
    assert response.status_code == 400
    assert "patient" in response.context["form"].errors
    assert not BoardEntry.objects.exists()


def test_a_patient_with_an_open_question_is_not_added_twice(logged_in, oncologist, entry):
    response = logged_in(oncologist).post(ADD, {"patient": entry.patient_id, "question": "Again"})
    assert response.status_code == 400
    assert "patient" in response.context["form"].errors
    assert BoardEntry.objects.count() == 1


def test_a_pharmacist_adds_nobody(logged_in, pharmacist, patient):
    response = logged_in(pharmacist).post(ADD, {"patient": patient.pk, "question": "?"})
    assert response.status_code == 403
    assert not BoardEntry.objects.exists()


# --- the decision ----------------------------------------------------------------------


def test_the_oncologist_signs_the_decision_and_sees_it_signed(logged_in, oncologist, entry):
    client = logged_in(oncologist)
    response = client.post(entry_url(entry), decision_form())
    assert response.status_code == 302
    decision = BoardDecision.objects.get()
    assert (decision.outcome, decision.drug, decision.decided_by) == (
        "start_mki",
        "lenvatinib",
        oncologist,
    )
    page = client.get(entry_url(entry))
    assert page.context["signature_ok"]
    html = page.content.decode()
    assert "Olga Oncologist" in html and "checks: the record is as signed" in html


def test_a_wrong_password_is_refused_and_nothing_is_stored(logged_in, oncologist, entry):
    response = logged_in(oncologist).post(entry_url(entry), decision_form(password="wrong"))
    assert response.status_code == 400
    assert response.context["summary"]
    assert not BoardDecision.objects.exists()
    entry.refresh_from_db()
    assert entry.status == "open"


def test_a_missing_reason_is_shown_on_its_field_and_nothing_is_stored(logged_in, oncologist, entry):
    response = logged_in(oncologist).post(entry_url(entry), decision_form(reason=""))
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not BoardDecision.objects.exists()


def test_a_nurse_signs_no_decision(logged_in, nurse, entry):
    response = logged_in(nurse).post(entry_url(entry), decision_form())
    assert response.status_code == 403
    assert not BoardDecision.objects.exists()


def test_a_decision_changed_after_signing_shows_its_signature_does_not_check(
    logged_in, oncologist, entry
):
    decision = decide(oncologist, entry)
    decision.reason = "Edited behind the signature"
    decision.save()
    response = logged_in(oncologist).get(entry_url(entry))
    assert not response.context["signature_ok"]
    assert "does not check" in response.content.decode()


def test_another_sites_entry_is_not_found(logged_in, outsider, entry):
    assert logged_in(outsider).get(entry_url(entry)).status_code == 404


# --- a course started from the decision -----------------------------------------------


def test_a_start_lenvatinib_decision_offers_the_start_to_the_oncologist(
    logged_in, oncologist, entry
):
    decide(oncologist, entry)
    html = logged_in(oncologist).get(entry_url(entry)).content.decode()
    assert start_url(entry) in html and "Start Lenvatinib (Lenvima)" in html


def test_the_start_form_is_prefilled_with_today_the_labels_dose_and_the_next_line(
    logged_in, oncologist, entry
):
    decide(oncologist, entry)
    form = logged_in(oncologist).get(start_url(entry)).context["form"]
    assert form.initial == {
        "start_date": TODAY,
        "starting_dose_mg": 24,
        "line_of_therapy": 1,
        "rule_set": "us_pi",
    }


def test_the_line_of_therapy_follows_the_patients_earlier_courses(
    logged_in, oncologist, entry, patient
):
    earlier = data.start_course(oncologist, patient, days_ago=400, drug="sorafenib", dose=800)
    apply_dose_change(
        actor=oncologist, course=earlier, kind="discontinue", dose_after_mg=0, reason="PD"
    )
    decide(oncologist, entry)
    form = logged_in(oncologist).get(start_url(entry)).context["form"]
    assert form.initial["line_of_therapy"] == 2


def test_starting_the_course_links_it_to_the_decision_and_audits_both(
    logged_in, oncologist, entry, patient
):
    decision = decide(oncologist, entry)
    client = logged_in(oncologist)
    response = client.post(start_url(entry), start_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:patient", args=[patient.pk])
    course = TreatmentCourse.objects.get()
    decision.refresh_from_db()
    assert decision.course == course
    assert (course.drug, course.starting_dose_mg, course.start_date) == ("lenvatinib", 24, TODAY)
    assert DoseChange.objects.get(course=course).kind == "start"
    latest = decision.history.first()
    assert (latest.history_user, latest.course_id) == (oncologist, course.pk)
    assert course.history.get().history_user == oncologist
    html = client.get(entry_url(entry)).content.decode()
    assert "course started on" in html and start_url(entry) not in html


def test_a_second_start_from_the_same_decision_is_refused(logged_in, oncologist, entry):
    decide(oncologist, entry)
    client = logged_in(oncologist)
    client.post(start_url(entry), start_form())
    response = client.post(start_url(entry), start_form(starting_dose_mg="20"))
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert TreatmentCourse.objects.count() == 1
    assert DoseChange.objects.count() == 1


def test_the_service_refuses_a_second_start_and_stores_nothing(oncologist, entry):
    decision = decide(oncologist, entry)
    board.start_course_from_decision(
        actor=oncologist,
        decision=decision,
        start_date=TODAY,
        starting_dose_mg=24,
        line_of_therapy=1,
    )
    with pytest.raises(board.CourseAlreadyStarted):
        board.start_course_from_decision(
            actor=oncologist,
            decision=BoardDecision.objects.get(pk=decision.pk),
            start_date=TODAY,
            starting_dose_mg=24,
            line_of_therapy=1,
            concurrent_course_reason="Second start",
        )
    assert TreatmentCourse.objects.count() == 1


def test_a_refused_course_leaves_the_decision_without_one(logged_in, oncologist, entry):
    decision = decide(oncologist, entry)
    response = logged_in(oncologist).post(
        start_url(entry), start_form(start_date=(TODAY + timedelta(days=30)).isoformat())
    )
    assert response.status_code == 400
    assert "start_date" in response.context["form"].errors
    decision.refresh_from_db()
    assert decision.course is None and not TreatmentCourse.objects.exists()


def test_a_decision_to_watch_starts_no_course(logged_in, oncologist, entry):
    decide(oncologist, entry, outcome="watch", drug="")
    response = logged_in(oncologist).post(start_url(entry), start_form())
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert not TreatmentCourse.objects.exists()


def test_a_nurse_starts_no_course(logged_in, oncologist, nurse, entry):
    decide(oncologist, entry)
    assert logged_in(nurse).post(start_url(entry), start_form()).status_code == 403
    assert not TreatmentCourse.objects.exists()


def test_the_meeting_date_defaults_to_today(logged_in, oncologist, entry):
    form = logged_in(oncologist).get(entry_url(entry)).context["form"]
    assert form.initial["meeting_on"] == date(2026, 6, 1)


def test_the_lists_query_count_does_not_grow_with_the_entries(
    logged_in, nurse, oncologist, site, django_assert_max_num_queries
):
    def listed(n):
        for _ in range(n):
            entry = board.add_board_entry(
                actor=nurse, patient=PatientFactory(site=site), question="?"
            )
            decide(oncologist, entry)
            board.add_board_entry(actor=nurse, patient=PatientFactory(site=site), question="?")

    client = logged_in(nurse)
    listed(1)
    client.get(LIST)  # the first request of a session settles it
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    listed(6)
    with django_assert_max_num_queries(len(small)):
        response = client.get(LIST)
    assert (len(response.context["open_entries"]), len(response.context["decided"])) == (7, 7)
