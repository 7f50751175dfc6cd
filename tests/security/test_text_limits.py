"""Every free-text field has a limit that fits its use (patients/limits.py), the same
in the model, the API and the pages; past it the text is refused on its field and
nothing is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from disease.models import (
    BoardDecision,
    BoardEntry,
    DiseaseStatus,
    ImagingStudy,
    TargetLesion,
    ThyroglobulinLab,
)
from disease.serializers import (
    BoardDecisionInput,
    BoardEntryInput,
    DiseaseStatusInput,
    ImagingStudyInput,
    TgLabInput,
)
from patients import limits
from patients.models import DoseChange, Patient, Site, TreatmentCourse
from patients.serializers import CourseInput, DoseChangeInput, PatientInput, PatientUpdateInput
from tests.factories import PASSWORD
from tests.tracker.test_visit_form import form_data
from toxicity.models import DecisionCorrection, Observation, Recommendation, Visit
from toxicity.serializers import DecisionInput, VisitInput, VisitUpdateInput
from toxicity.services import visits
from tracker.visit_form import VisitForm

ONE_MIB_NOTE = "n" * (1024 * 1024)
TWO_MILLION_REASON = "r" * 2_000_000

MODEL_FIELDS = [
    (Visit, "note", limits.NOTE_CHARS),
    (Observation, "lowering_reason", limits.REASON_CHARS),
    (Recommendation, "decision_reason", limits.REASON_CHARS),
    (DecisionCorrection, "corrected_reason", limits.REASON_CHARS),
    (DecisionCorrection, "explanation", limits.REASON_CHARS),
    (DoseChange, "reason", limits.REASON_CHARS),
    (DoseChange, "off_ladder_justification", limits.REASON_CHARS),
    (TreatmentCourse, "concurrent_course_reason", limits.REASON_CHARS),
    (Patient, "mrn", limits.MRN_CHARS),
    (Patient, "family_name", limits.NAME_CHARS),
    (Patient, "given_name", limits.NAME_CHARS),
    (Site, "name", limits.NAME_CHARS),
    (DiseaseStatus, "rai_refractory_criterion", limits.REASON_CHARS),
    (DiseaseStatus, "symptoms", limits.REASON_CHARS),
    (ImagingStudy, "note", limits.NOTE_CHARS),
    (TargetLesion, "organ", limits.NAME_CHARS),
    (ThyroglobulinLab, "assay", limits.NAME_CHARS),
    (BoardEntry, "question", limits.REASON_CHARS),
    (BoardDecision, "attendees", limits.REASON_CHARS),
    (BoardDecision, "reason", limits.REASON_CHARS),
]

INPUT_FIELDS = [
    (VisitInput, "note", limits.NOTE_CHARS),
    (VisitUpdateInput, "note", limits.NOTE_CHARS),
    (VisitUpdateInput, "reason", limits.REASON_CHARS),
    (DecisionInput, "reason", limits.REASON_CHARS),
    (DoseChangeInput, "reason", limits.REASON_CHARS),
    (DoseChangeInput, "off_ladder_justification", limits.REASON_CHARS),
    (CourseInput, "off_ladder_justification", limits.REASON_CHARS),
    (CourseInput, "concurrent_course_reason", limits.REASON_CHARS),
    (PatientInput, "mrn", limits.MRN_CHARS),
    (PatientInput, "family_name", limits.NAME_CHARS),
    (PatientUpdateInput, "reason", limits.REASON_CHARS),
    (VisitForm, "note", limits.NOTE_CHARS),
    (VisitForm, "lowering_reason_hypertension", limits.REASON_CHARS),
    (DiseaseStatusInput, "reason", limits.REASON_CHARS),
    (DiseaseStatusInput, "rai_refractory_criterion", limits.REASON_CHARS),
    (DiseaseStatusInput, "symptoms", limits.REASON_CHARS),
    (ImagingStudyInput, "note", limits.NOTE_CHARS),
    (TgLabInput, "assay", limits.NAME_CHARS),
    (BoardEntryInput, "question", limits.REASON_CHARS),
    (BoardDecisionInput, "attendees", limits.REASON_CHARS),
    (BoardDecisionInput, "reason", limits.REASON_CHARS),
]


@pytest.mark.parametrize(("model", "field", "limit"), MODEL_FIELDS)
def test_the_model_refuses_one_character_past_the_limit(model, field, limit):
    model_field = model._meta.get_field(field)
    assert model_field.max_length == limit
    model_field.run_validators("x" * limit)
    with pytest.raises(ValidationError):
        model_field.run_validators("x" * (limit + 1))


@pytest.mark.parametrize(("shape", "field", "limit"), INPUT_FIELDS)
def test_serializers_and_forms_take_the_same_limit(shape, field, limit):
    assert shape().fields[field].max_length == limit


@pytest.mark.parametrize(("value", "problem"), [("ok", None), ("a\x00b", "Null characters")])
def test_a_nul_character_is_never_stored(value, problem):
    found = limits.text_problem(value, 10)
    assert found == problem if problem is None else problem in found


def test_the_limit_is_inclusive():
    assert limits.text_problem("x" * 10, 10) is None
    assert "Keep this to 10 characters (it has 11)" in limits.text_problem("x" * 11, 10)


# --- through the API -------------------------------------------------------------------


def test_a_one_mib_visit_note_is_refused_by_the_api(world, api):
    before = Visit.objects.count()
    body = {
        "course": world.course.pk,
        "occurred_at": world.visit.occurred_at.isoformat(),
        "note": ONE_MIB_NOTE,
        "observations": [{"term": "fatigue", "grade": 1}],
    }
    response = api(world.users["nurse"]).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    assert Visit.objects.count() == before


def test_a_two_million_character_dose_change_reason_is_refused_by_the_api(world, api):
    before = DoseChange.objects.count()
    response = api(world.users["oncologist"]).post(
        f"/api/v1/courses/{world.course.pk}/dose-changes/",
        {"kind": "hold", "dose_after_mg": "0", "reason": TWO_MILLION_REASON},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert DoseChange.objects.count() == before


# --- through the pages -----------------------------------------------------------------


def test_a_one_mib_visit_note_is_a_form_error_on_the_visit_form(world):
    client = Client()
    client.force_login(world.users["nurse"])
    before = Visit.objects.count()
    response = client.post(
        f"/patients/{world.patient.pk}/visits/new/", form_data(note=ONE_MIB_NOTE)
    )
    assert "at most 4000 characters" in response.context["form"].errors["note"][0]
    assert Visit.objects.count() == before


def test_a_two_million_character_reason_is_refused_on_the_signing_form(world):
    client = Client()
    client.force_login(world.users["oncologist"])
    response = client.post(
        f"/inbox/{world.recommendation.pk}/decide/",
        {"decision": "reject", "password": PASSWORD, "reason": TWO_MILLION_REASON},
    )
    assert response.status_code == 400
    assert "Keep this to 2,000 characters" in response.content.decode()
    recommendation = Recommendation.objects.get(pk=world.recommendation.pk)
    assert (recommendation.status, recommendation.decision_reason) == ("pending", "")


# --- the services the pages and the API share ------------------------------------------------


def test_a_correction_reason_over_the_limit_is_refused_by_the_service(world):
    revision = world.visit.revision
    with pytest.raises(ValidationError) as refused:
        visits.edit_visit(
            actor=world.users["nurse"], visit=world.visit, reason="r" * (limits.REASON_CHARS + 1)
        )
    assert "reason" in refused.value.message_dict
    assert Visit.objects.get(pk=world.visit.pk).revision == revision
