"""Grading a report closes its item: one visit of the nurse's CTCAE grades, evaluated by
the engine like any visit; the report itself changes no dose (policy.md point 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications.models import Alert
from reports import triage
from reports.models import TriageItem
from tests.factories import PatientFactory, member
from tests.reports.factories import patient_account, weekly_report
from toxicity.ctcae.terms import TERMS
from toxicity.models import Observation, Recommendation, RecommendationStatus, Visit
from toxicity.services import visits

pytestmark = pytest.mark.django_db

SEVERE_DIARRHOEA = {"diarrhea": {"frequency": 4}}  # composite 3
MILD_FATIGUE = {"fatigue": {"severity": 1, "interference": 1}}  # composite 1


def home_bp(sbp, dbp):
    return {
        "period": "morning",
        "taken_at": timezone.now() - timedelta(hours=2),
        "sbp1": sbp,
        "dbp1": dbp,
        "sbp2": sbp - 2,
        "dbp2": dbp - 1,
    }


@pytest.fixture
def item(account, on_lenvatinib):
    report = weekly_report(
        account, {**SEVERE_DIARRHOEA, **MILD_FATIGUE}, anything_else="Six or seven times a day"
    )
    return TriageItem.objects.get(report=report)


@pytest.fixture
def grade(django_capture_on_commit_callbacks):
    """Grades through the service and runs the visit's evaluation after commit (eager)."""

    def run(actor, item, **fields):
        fields.setdefault("graded_how", "call")
        fields.setdefault("grades", {"diarrhea": 3})
        with django_capture_on_commit_callbacks(execute=True):
            return triage.grade_item(actor=actor, item=item, **fields)

    return run


def test_grading_records_one_visit_of_patient_reported_clinician_grades(nurse, item, grade):
    graded = grade(nurse, item, grades={"diarrhea": 3, "fatigue": 1})
    visit = Visit.objects.get()
    assert graded.visit == visit
    rows = {o.term: (o.clinician_grade, o.final_grade, o.source) for o in visit.observations.all()}
    assert rows == {"diarrhea": (3, 3, "patient"), "fatigue": (1, 1, "patient")}


def test_the_engine_recommends_from_the_nurses_grade(nurse, item, grade):
    grade(nurse, item, grades={"diarrhea": 3})
    recommendation = Recommendation.objects.get()
    assert recommendation.status == RecommendationStatus.PENDING
    assert recommendation.action == "withhold"
    assert recommendation.course == item.course


def test_a_nurses_grade_1_brings_no_recommendation_whatever_the_composite(nurse, item, grade):
    grade(nurse, item, grades={"diarrhea": 1})
    assert Visit.objects.get().evaluated_at is not None
    assert not Recommendation.objects.exists()


def test_grading_closes_the_item_naming_who_when_and_the_visit(nurse, item, grade):
    graded = grade(nurse, item, note="Called: 7 stools a day, no blood")
    graded.refresh_from_db()
    assert (graded.status, graded.closed_by, graded.closed_at) == ("closed", nurse, timezone.now())
    assert (graded.graded_how, graded.note) == ("call", "Called: 7 stools a day, no blood")
    assert "Graded from the patient's report" in graded.visit.note


def test_grading_acknowledges_the_alert(nurse, item, grade):
    grade(nurse, item)
    alert = Alert.objects.get(pk=item.alert_id)
    assert (alert.acknowledged_by, alert.escalate_at) == (nurse, None)
    assert alert.acknowledgement.startswith("Patient report graded (visit V")


def test_hypertension_is_graded_from_the_home_readings(account, on_lenvatinib, nurse, grade):
    report = weekly_report(account, MILD_FATIGUE, blood_pressure=[home_bp(165, 102)])
    item = TriageItem.objects.get(report=report)
    grade(nurse, item, grades={})
    observation = Observation.objects.get(term="hypertension")
    assert observation.measurements["readings"] == [[165, 102], [163, 101]]
    assert (observation.final_grade, observation.source) == (3, "patient")


def test_a_grade_below_the_readings_needs_a_reason(account, on_lenvatinib, nurse, grade):
    report = weekly_report(account, MILD_FATIGUE, blood_pressure=[home_bp(165, 102)])
    item = TriageItem.objects.get(report=report)
    with pytest.raises(ValidationError) as refused:
        grade(nurse, item, grades={}, hypertension_grade=2)
    assert "grade_hypertension" in refused.value.message_dict
    assert not Visit.objects.exists()


def test_a_symptom_that_raised_the_item_must_be_graded(nurse, item, grade):
    with pytest.raises(ValidationError) as refused:
        grade(nurse, item, grades={"fatigue": 1})
    assert list(refused.value.message_dict) == ["grade_diarrhea"]
    item.refresh_from_db()
    assert (item.status, Visit.objects.count()) == ("open", 0)


def test_a_grade_the_term_does_not_have_is_refused_on_its_field(nurse, item, grade):
    with pytest.raises(ValidationError) as refused:
        grade(nurse, item, grades={"diarrhea": 3, "fatigue": 4})  # fatigue has grades 1-3
    assert "grade_fatigue" in refused.value.message_dict
    assert not Visit.objects.exists()


def test_how_it_was_graded_is_required(nurse, item, grade):
    with pytest.raises(ValidationError) as refused:
        grade(nurse, item, graded_how="")
    assert "graded_how" in refused.value.message_dict


def test_an_item_without_a_course_is_closed_with_a_note_and_no_visit(nurse, site, grade):
    account = patient_account(nurse, PatientFactory(site=site))
    item = TriageItem.objects.get(report=weekly_report(account, SEVERE_DIARRHOEA))
    graded = grade(nurse, item, grades={}, note="Not on treatment yet; seen Thursday")
    assert (graded.status, graded.visit) == ("closed", None)
    assert not Visit.objects.exists()


def test_a_closed_item_is_not_graded_twice(nurse, oncologist, item, grade):
    grade(nurse, item)
    with pytest.raises(triage.ItemClosed):
        grade(oncologist, item, grades={"diarrhea": 2})
    item.refresh_from_db()
    assert (item.closed_by, Visit.objects.count()) == (nurse, 1)


@pytest.mark.parametrize("role", ["pharmacist", "site_admin"])
def test_pharmacists_and_site_admins_do_not_grade(request, role, item, grade):
    with pytest.raises(PermissionDenied):
        grade(request.getfixturevalue(role), item)
    item.refresh_from_db()
    assert (item.status, Visit.objects.count()) == ("open", 0)


# --- the page ----------------------------------------------------------------------


def url(item):
    return reverse("patient-reports:triage-item", args=[item.pk])


def post(client, item, **fields):
    body = {"graded_how": "report", "grade_diarrhea": "3", "note": ""} | fields
    return client.post(url(item), body)


def test_the_page_shows_the_patients_words_composites_and_trend(client, nurse, account, item):
    client.force_login(nurse)
    page = client.get(url(item)).content.decode()
    assert "Six or seven times a day" in page
    assert "Diarrhoea → Diarrhea" in page  # the symptom, and the CTCAE term it is graded with
    descriptor = " ".join(TERMS["diarrhea"].descriptors[3].split())
    assert escape(f"3 · {descriptor}") in page
    assert 'data-item="diarrhea"' in page


def test_the_page_grades_and_sends_the_nurse_to_the_queue(
    client, nurse, item, django_capture_on_commit_callbacks
):
    client.force_login(nurse)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, item)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("patient-reports:triage")
    assert TriageItem.objects.get(pk=item.pk).visit is not None


def test_field_errors_are_listed_at_the_top_and_nothing_is_saved(client, nurse, item):
    client.force_login(nurse)
    answer = post(client, item, grade_diarrhea="", graded_how="")
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'id="error-summary"' in page
    assert page.index("error-summary") < page.index("In the patient")
    assert "Grade this symptom" in page
    assert TriageItem.objects.get(pk=item.pk).status == "open"
    assert not Visit.objects.exists()


def test_posting_to_a_closed_item_changes_nothing(client, nurse, oncologist, item, grade):
    grade(nurse, item, note="first")
    client.force_login(oncologist)
    answer = post(client, item, grade_diarrhea="2", note="second")
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.closed_by, item.note, Visit.objects.count()) == (nurse, "first", 1)


@pytest.mark.parametrize(("role", "status"), [("pharmacist", 403), ("site_admin", 403)])
def test_roles_that_do_not_grade_are_refused(client, request, item, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(item)).status_code == status
    assert post(client, item).status_code == status
    assert TriageItem.objects.get(pk=item.pk).status == "open"


def test_another_sites_clinician_gets_404(client, outsider, item):
    client.force_login(outsider)
    assert client.get(url(item)).status_code == 404
    assert post(client, item).status_code == 404
    assert TriageItem.objects.get(pk=item.pk).status == "open"


def test_a_patient_account_gets_404(client, account, item):
    client.force_login(account.user)
    assert client.get(url(item)).status_code == 404
    assert post(client, item).status_code == 404
    assert TriageItem.objects.get(pk=item.pk).status == "open"


def test_an_oncologist_grades_too(client, oncologist, item, django_capture_on_commit_callbacks):
    client.force_login(oncologist)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, item).status_code == 302
    assert TriageItem.objects.get(pk=item.pk).closed_by == oncologist


def test_a_second_nurse_at_the_site_sees_the_item(client, site, item):
    client.force_login(member(site, "nurse", username="nurse2"))
    assert client.get(url(item)).status_code == 200


def test_grades_without_a_running_course_are_refused(nurse, site, grade):
    account = patient_account(nurse, PatientFactory(site=site))
    item = TriageItem.objects.get(report=weekly_report(account, SEVERE_DIARRHOEA))
    with pytest.raises(ValidationError) as refused:
        grade(nurse, item, grades={"diarrhea": 3}, note="x")
    assert "__all__" in refused.value.message_dict
    item.refresh_from_db()
    assert item.status == "open"


def test_the_antihypertensive_therapy_goes_with_the_home_readings(
    account, on_lenvatinib, nurse, grade
):
    report = weekly_report(account, MILD_FATIGUE, blood_pressure=[home_bp(165, 102)])
    item = TriageItem.objects.get(report=report)
    grade(nurse, item, grades={}, antihypertensive_therapy="optimal")
    assert Visit.objects.get().antihypertensive_therapy == "optimal"


def test_the_form_offers_the_therapy_of_the_courses_last_visit(
    client, account, on_lenvatinib, nurse, time_machine
):
    visits.log_visit(
        actor=nurse,
        course=on_lenvatinib,
        occurred_at=timezone.now() - timedelta(days=1),
        observations=[{"term": "hypertension", "readings": [[150, 95], [148, 94]]}],
        antihypertensive_therapy="started",
    )
    report = weekly_report(account, MILD_FATIGUE, blood_pressure=[home_bp(165, 102)])
    client.force_login(nurse)
    page = client.get(url(TriageItem.objects.get(report=report))).content.decode()
    assert '<option value="started" selected>' in page
