"""The nurse's visit form: saves a whole visit or nothing, shows the rules' answer first."""

from __future__ import annotations

import pytest
from django.utils import timezone

from toxicity.models import Observation, Visit
from tracker.visit_form import build_observations


def form_data(**overrides):
    moment = timezone.localtime() - timezone.timedelta(hours=1)
    data = {
        "occurred_at": moment.strftime("%Y-%m-%dT%H:%M"),
        "antihypertensive_therapy": "optimal",
        "antihypertensive_stable_since": (moment - timezone.timedelta(days=5)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "bp1_sbp": "166",
        "bp1_dbp": "102",
        "bp2_sbp": "162",
        "bp2_dbp": "100",
        "weight_kg": "68.5",
        "stools_per_day": "2",
        "grade_fatigue": "2",
    }
    return {**data, **overrides}


def url(patient, what="new"):
    return f"/patients/{patient.pk}/visits/{what}/"


def test_a_nurse_opens_the_form_with_the_patients_dose_and_baselines(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert "24 mg/day" in page
    assert "baseline 70" in page
    assert "Fatigue relieved by rest" in page  # the nurse picks the CTCAE sentence


def test_a_saved_visit_stores_computed_grades_and_is_evaluated(
    logged_in, nurse, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(nurse).post(url(course.patient), form_data())
    assert response.status_code == 302
    visit = Visit.objects.get(course=course)
    grades = dict(visit.observations.values_list("term", "final_grade"))
    assert grades == {"hypertension": 3, "weight_loss": 0, "diarrhea": 1, "fatigue": 2}
    assert visit.evaluated_at is not None
    assert visit.recommendations.get().action == "withhold"


def test_diastolic_above_systolic_is_shown_at_the_reading_and_nothing_is_saved(
    logged_in, nurse, course
):
    response = logged_in(nurse).post(url(course.patient), form_data(bp2_dbp="190"))
    assert response.status_code == 200
    assert "diastolic 190 is above systolic 162" in response.context["form"].errors["bp2_sbp"][0]
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_a_lower_clinician_grade_without_a_reason_is_refused(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), form_data(grade_hypertension="1"))
    assert "lowering_reason" in response.context["form"].errors["grade_hypertension"][0]
    assert not Visit.objects.exists()


def test_the_preview_shows_grades_and_the_recommendation_without_saving(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient, "preview"), form_data())
    assert response.status_code == 200
    body = response.json()
    assert {g["term"]: g["grade"] for g in body["grades"]}["hypertension"] == 3
    assert body["decision"]["action"] == "withhold"
    assert body["decision"]["resume_dose_mg_per_day"] == 20
    assert not Visit.objects.exists()


def test_the_preview_names_the_field_to_correct(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient, "preview"), form_data(bp1_sbp="20"))
    assert response.status_code == 400
    assert "bp1_sbp" in response.json()["errors"]


def test_an_outsider_gets_404(logged_in, outsider, course):
    assert logged_in(outsider).get(url(course.patient)).status_code == 404
    assert logged_in(outsider).post(url(course.patient, "preview"), form_data()).status_code == 404


def test_a_site_administrator_does_not_record_visits(logged_in, site_admin, course):
    assert logged_in(site_admin).get(url(course.patient)).status_code == 403


def test_the_form_has_no_inline_script(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert "<script>" not in page
    assert 'src="/static/js/visit-form' in page


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"bp1_sbp": 150, "bp1_dbp": 95}, [{"term": "hypertension", "readings": [[150, 95]]}]),
        ({"stools_per_day": 0}, [{"term": "diarrhea", "stools_per_day": 0}]),
        ({"grade_nausea": "0"}, [{"term": "nausea", "grade": 0}]),
        ({"grade_nausea": ""}, []),
        (
            {"alt_value": 260, "alt_uln": 40},
            [{"term": "alanine_aminotransferase_increased", "value": 260, "uln": 40}],
        ),
    ],
)
def test_the_form_builds_the_contracts_observations(fields, expected):
    assert build_observations(fields).items == expected


def test_the_patient_page_offers_a_nurse_the_visit_form(logged_in, nurse, course):
    page = logged_in(nurse).get(f"/patients/{course.patient.pk}/").content.decode()
    assert url(course.patient) in page


def test_every_ctcae_term_can_be_recorded_on_the_form():
    from toxicity.ctcae.terms import TERMS
    from tracker.visit_form import VisitForm, _terms_on_their_own_fields

    offered = {
        key
        for _group, options in VisitForm().fields["event1_term"].choices[1:]
        for key, _label in options
    }
    assert offered | _terms_on_their_own_fields() == set(TERMS)
    assert len(TERMS) == 837


def test_a_perforation_recorded_as_another_event_is_saved_and_discontinues(
    logged_in, nurse, course, django_capture_on_commit_callbacks
):
    data = form_data(event1_term="colonic_perforation", event1_grade="3")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(nurse).post(url(course.patient), data)
    assert response.status_code == 302
    visit = Visit.objects.get(course=course)
    assert visit.observations.get(term="colonic_perforation").final_grade == 3
    assert visit.recommendations.get().action == "discontinue"


def test_a_grade_the_term_does_not_define_is_shown_at_its_field_and_nothing_is_saved(
    logged_in, nurse, course
):
    data = form_data(event1_term="transient_ischemic_attacks", event1_grade="4")
    response = logged_in(nurse).post(url(course.patient), data)
    assert response.status_code == 200
    message = response.context["form"].errors["event1_grade"][0]
    assert "defined grades 1, 2" in message
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_a_term_without_a_grade_is_refused_on_the_grade_field(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), form_data(event1_term="stroke"))
    assert response.status_code == 200
    assert "event1_grade" in response.context["form"].errors
    assert not Visit.objects.exists()
