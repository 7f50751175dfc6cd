"""The patients API: reads scoped to the user's site, writes validated whole."""

from __future__ import annotations

import pytest

from patients import services
from patients.models import DoseChange, Patient, TreatmentCourse

VALID_PATIENT = {
    "mrn": "N-4471",
    "family_name": "Hebden",
    "given_name": "Rose",
    "date_of_birth": "1958-02-11",
    "sex": "female",
    "histology": "papillary",
    "diagnosis_date": "2019-07-01",
    "baseline_weight_kg": "64.5",
    "molecular_findings": [{"marker": "braf_v600e", "result": "positive", "method": "NGS"}],
}


@pytest.fixture
def course(oncologist, patient):
    from datetime import date

    return services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=date(2025, 1, 6),
        starting_dose_mg=24,
    )


def test_a_nurse_registers_a_patient_with_findings(api, nurse, site):
    response = api(nurse).post(
        "/api/v1/patients/", {**VALID_PATIENT, "site": site.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mrn"] == "N-4471"
    assert body["molecular_findings"][0]["result"] == "positive"


def test_the_patient_list_shows_only_the_users_site(api, nurse, patient, other_site):
    from tests.factories import PatientFactory

    PatientFactory(site=other_site)
    body = api(nurse).get("/api/v1/patients/").json()
    assert [row["id"] for row in body["results"]] == [patient.pk]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"sex": "x"}, "sex"),
        ({"histology": "anaplastic"}, "histology"),
        ({"baseline_weight_kg": "heavy"}, "baseline_weight_kg"),
        ({"baseline_stools_per_day": -1}, "baseline_stools_per_day"),
        ({"mrn": ""}, "mrn"),
        ({"diagnosis_date": "1950-01-01"}, "diagnosis_date"),
        (
            {"molecular_findings": [{"marker": "egfr", "result": "positive"}]},
            "molecular_findings[0].marker",
        ),
    ],
)
def test_bad_patient_input_is_refused_naming_the_field(api, nurse, site, change, field):
    response = api(nurse).post(
        "/api/v1/patients/", {**VALID_PATIENT, "site": site.pk, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Patient.objects.exists()


def test_an_mrn_clash_is_refused_and_nothing_is_written(api, nurse, site, patient):
    response = api(nurse).post(
        "/api/v1/patients/", {**VALID_PATIENT, "site": site.pk, "mrn": patient.mrn}, format="json"
    )
    assert response.status_code == 400
    assert "mrn" in response.json()["errors"]
    assert Patient.objects.count() == 1


def test_a_failing_finding_leaves_no_half_registered_patient(api, nurse, site):
    findings = [{"marker": "ras", "result": "negative", "tested_on": "2999-01-01"}]
    response = api(nurse).post(
        "/api/v1/patients/",
        {**VALID_PATIENT, "site": site.pk, "molecular_findings": findings},
        format="json",
    )
    assert response.status_code == 400
    assert "tested_on" in response.json()["errors"]
    assert not Patient.objects.exists()


def test_malformed_json_gets_a_400_with_the_error_shape(api, nurse):
    response = api(nurse).post("/api/v1/patients/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_registering_at_another_site_is_refused_as_not_found(api, nurse, other_site):
    response = api(nurse).post(
        "/api/v1/patients/", {**VALID_PATIENT, "site": other_site.pk}, format="json"
    )
    assert response.status_code == 404
    assert not Patient.objects.exists()


def test_an_edit_needs_a_reason(api, nurse, patient):
    response = api(nurse).patch(
        f"/api/v1/patients/{patient.pk}/", {"given_name": "Renamed"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_an_edit_with_a_reason_is_saved(api, nurse, patient):
    response = api(nurse).patch(
        f"/api/v1/patients/{patient.pk}/",
        {"given_name": "Renamed", "reason": "Spelling corrected from ID", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.given_name == "Renamed"


def test_a_patient_cannot_be_deleted_through_the_api(api, oncologist, patient):
    response = api(oncologist).delete(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 405
    assert Patient.objects.filter(pk=patient.pk).exists()


VALID_COURSE = {"drug": "lenvatinib", "start_date": "2025-01-06", "starting_dose_mg": "24"}


def test_an_oncologist_starts_a_course(api, oncologist, patient):
    response = api(oncologist).post(
        "/api/v1/courses/", {**VALID_COURSE, "patient": patient.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["current_dose_mg"] == 24


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drug": "imatinib"}, "drug"),
        ({"starting_dose_mg": "18"}, "off_ladder_justification"),
        ({"starting_dose_mg": "-4"}, "starting_dose_mg"),
        ({"starting_dose_mg": "lots"}, "starting_dose_mg"),
        ({"start_date": "2010-01-01"}, "start_date"),
        ({"rule_set": "jp_pi"}, "rule_set"),
        ({"line_of_therapy": 0}, "line_of_therapy"),
    ],
)
def test_bad_course_input_is_refused_naming_the_field(api, oncologist, patient, change, field):
    response = api(oncologist).post(
        "/api/v1/courses/", {**VALID_COURSE, "patient": patient.pk, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not TreatmentCourse.objects.exists()
    assert not DoseChange.objects.exists()


def test_a_nurse_cannot_start_a_course_through_the_api(api, nurse, patient):
    response = api(nurse).post(
        "/api/v1/courses/", {**VALID_COURSE, "patient": patient.pk}, format="json"
    )
    assert response.status_code == 403
    assert not TreatmentCourse.objects.exists()


def test_an_oncologist_records_a_hold(api, oncologist, course):
    response = api(oncologist).post(
        f"/api/v1/courses/{course.pk}/dose-changes/",
        {"kind": "hold", "dose_after_mg": "0", "reason": "Grade 3 diarrhoea"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api(oncologist).get(f"/api/v1/courses/{course.pk}/").json()["status"] == "on_hold"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "reduce", "dose_after_mg": "18", "reason": "x"}, "off_ladder_justification"),
        ({"kind": "reduce", "dose_after_mg": "20"}, "reason"),
        ({"kind": "resume", "dose_after_mg": "20", "reason": "x"}, "kind"),
        ({"kind": "start", "dose_after_mg": "24", "reason": "x"}, "kind"),
        (
            {
                "kind": "hold",
                "dose_after_mg": "0",
                "reason": "x",
                "effective_at": "2999-01-01T00:00Z",
            },
            "effective_at",
        ),
        ({"kind": "reduce", "dose_after_mg": True, "reason": "x"}, "dose_after_mg"),
    ],
)
def test_bad_dose_changes_are_refused_and_the_ledger_is_unchanged(
    api, oncologist, course, body, field
):
    response = api(oncologist).post(
        f"/api/v1/courses/{course.pk}/dose-changes/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert DoseChange.objects.filter(course=course).count() == 1


def test_the_ledger_cannot_be_edited_through_the_api(api, oncologist, course):
    row = course.dose_changes.get()
    client = api(oncologist)
    assert client.put(f"/api/v1/courses/{course.pk}/dose-changes/", {}).status_code == 405
    assert client.delete(f"/api/v1/courses/{course.pk}/dose-changes/").status_code == 405
    row.refresh_from_db()
    assert row.dose_after_mg == 24
