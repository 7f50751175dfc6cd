"""The disease course's API: each endpoint's answer, its field errors, and refusals
that leave nothing changed. Every role on every endpoint is in
tests/security/test_permission_matrix.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from disease.models import BoardDecision, DiseaseStatus, ImagingStudy, ThyroglobulinLab
from disease.services import board
from tests.disease.conftest import record_study, record_tg, target
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_time", "fast_password_hashing"),
]

STATUS = {
    "reason": "Clinic review",
    "prior_rai_dose_on": "2024-03-01",
    "rai_refractory_on": "2025-02-01",
    "rai_refractory_criterion": "No uptake on the post-therapy scan",
    "on_active_surveillance": True,
    "surveillance_since": "2025-02-01",
    "imaging_interval_months": 6,
}


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def url(patient, what):
    return f"/api/v1/patients/{patient.pk}/{what}/"


def baseline_body(**extra):
    return {
        "performed_on": "2025-06-02",
        "baseline": True,
        "modality": "ct",
        "targets": [{"label": "T1", "organ": "lung", "diameter_mm": "30.0"}],
        "non_target": "absent",
    } | extra


# --- the status -------------------------------------------------------------------


def test_a_patient_without_a_status_reads_as_not_recorded(nurse, patient):
    answer = client(nurse).get(url(patient, "disease-status"))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["recorded"], body["version"], body["rai_refractory_on"]) == (False, None, None)


def test_a_status_is_recorded_and_read_back(nurse, patient):
    put = client(nurse).put(url(patient, "disease-status"), STATUS, format="json")
    assert put.status_code == 200
    got = client(nurse).get(url(patient, "disease-status")).json()
    assert (got["recorded"], got["imaging_interval_months"], got["version"], got["updated_by"]) == (
        True,
        6,
        1,
        "nurse",
    )
    assert got["surveillance_source"].endswith("ATA 2025 Rec 60A")


def test_an_interval_outside_3_to_12_months_is_a_field_error_and_nothing_is_stored(nurse, patient):
    answer = client(nurse).put(
        url(patient, "disease-status"), STATUS | {"imaging_interval_months": 13}, format="json"
    )
    assert answer.status_code == 400
    assert "Rec 60A" in answer.json()["errors"]["imaging_interval_months"]
    assert not DiseaseStatus.objects.exists()


def test_a_stale_status_edit_answers_409(nurse, oncologist, patient):
    client(nurse).put(url(patient, "disease-status"), STATUS, format="json")
    client(oncologist).put(url(patient, "disease-status"), STATUS | {"version": 1}, format="json")
    answer = client(nurse).put(
        url(patient, "disease-status"), STATUS | {"version": 1}, format="json"
    )
    assert answer.status_code == 409
    assert DiseaseStatus.objects.get().version == 2


def test_a_pharmacist_reads_but_cannot_record_a_status(pharmacist, patient):
    assert client(pharmacist).get(url(patient, "disease-status")).status_code == 200
    answer = client(pharmacist).put(url(patient, "disease-status"), STATUS, format="json")
    assert answer.status_code == 403
    assert not DiseaseStatus.objects.exists()


def test_an_outsider_gets_404(outsider, patient):
    assert (
        client(outsider).put(url(patient, "disease-status"), STATUS, format="json").status_code
        == 404
    )
    assert client(outsider).get(url(patient, "imaging-studies")).status_code == 404


# --- imaging ----------------------------------------------------------------------


def test_a_baseline_and_a_follow_up_give_the_stored_response(nurse, patient):
    c = client(nurse)
    assert (
        c.post(url(patient, "imaging-studies"), baseline_body(), format="json").status_code == 201
    )
    answer = c.post(
        url(patient, "imaging-studies"),
        baseline_body(
            performed_on="2025-12-01",
            baseline=False,
            targets=[{"label": "T1", "organ": "lung", "diameter_mm": "36.0"}],
        ),
        format="json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["sum_mm"], body["change_from_nadir_pct"], body["response"]) == (
        "36.0",
        "20.0",
        "PD",
    )
    assert body["reasons"][0]["code"] == "pd_sum"
    listed = c.get(url(patient, "imaging-studies")).json()
    assert [s["response"] for s in listed["results"]] == ["", "PD"]


def test_six_targets_are_a_field_error_and_nothing_is_stored(nurse, patient):
    targets = [{"label": f"T{i}", "organ": f"organ {i}", "diameter_mm": "20"} for i in range(6)]
    answer = client(nurse).post(
        url(patient, "imaging-studies"), baseline_body(targets=targets), format="json"
    )
    assert answer.status_code == 400
    assert "at most 5" in answer.json()["errors"]["targets"]
    assert not ImagingStudy.objects.exists()


def test_a_study_is_read_by_its_id_and_hidden_from_an_outsider(nurse, outsider, patient):
    study = record_study(nurse, patient, date(2025, 6, 2), target(), baseline=True)
    assert client(nurse).get(f"/api/v1/imaging-studies/{study.pk}/").json()["sum_mm"] == "30.0"
    assert client(outsider).get(f"/api/v1/imaging-studies/{study.pk}/").status_code == 404


# --- thyroglobulin ------------------------------------------------------------------


def test_tg_labs_come_with_their_doubling_time(nurse, patient):
    start = date(2024, 10, 1)
    for day, value in [(0, "2.0"), (182, "2.8"), (365, "4.1"), (548, "5.6")]:
        record_tg(nurse, patient, start + timedelta(days=day), value)
    body = client(nurse).get(url(patient, "thyroglobulin")).json()
    assert len(body["results"]) == 4
    assert (body["doubling_time"]["category"], body["doubling_time"]["values_used"]) == ("<1 y", 4)


def test_too_few_tg_values_say_why(nurse, patient):
    record_tg(nurse, patient, date(2025, 1, 1))
    answer = client(nurse).get(url(patient, "thyroglobulin")).json()["doubling_time"]
    assert (answer["status"], answer["doubling_time_years"]) == ("not_computed", None)
    assert "at least 4 are needed" in answer["reason"]


def test_a_tg_of_zero_is_a_field_error_and_nothing_is_stored(nurse, patient):
    body = {
        "drawn_on": "2025-01-01",
        "tg_ng_ml": "0",
        "anti_tg_antibody": "negative",
        "tsh_miu_l": "0.05",
        "assay": "assay A",
    }
    answer = client(nurse).post(url(patient, "thyroglobulin"), body, format="json")
    assert answer.status_code == 400
    assert "tg_ng_ml" in answer.json()["errors"]
    assert not ThyroglobulinLab.objects.exists()


# --- the course summary ---------------------------------------------------------------


def test_the_course_summary_flags_and_lists_options(nurse, patient):
    record_study(nurse, patient, date(2025, 6, 2), target("T1", "30"), baseline=True)
    record_study(nurse, patient, date(2025, 12, 1), target("T1", "36"))
    body = client(nurse).get(url(patient, "disease-course")).json()
    assert body["progression"] == {
        "baseline_on": "2025-06-02",
        "progression_on": "2025-12-01",
        "window": "within_12_months",
    }
    assert [f["code"] for f in body["flags"]] == [
        "progressed_12_14_months",
        "no_actionable_alteration_tested",
    ]
    assert body["options"][0]["recommendation"]["number"] == "61"
    assert body["imaging_due"] is None  # not on active surveillance


def test_the_course_summary_says_when_surveillance_imaging_is_due(nurse, patient):
    client(nurse).put(url(patient, "disease-status"), STATUS, format="json")
    record_study(nurse, patient, date(2025, 6, 2), target("T1", "30"), baseline=True)
    due = client(nurse).get(url(patient, "disease-course")).json()["imaging_due"]
    assert (due["due_on"], due["overdue"], due["interval_months"]) == ("2025-12-02", True, 6)


# --- the tumour board -------------------------------------------------------------------

DECISION = {
    "meeting_on": "2026-06-01",
    "outcome": "start_mki",
    "drug": "lenvatinib",
    "attendees": "Dr Oncologist, Dr Surgeon, Dr Radiologist",
    "reason": "Progression within 12 months",
    "password": PASSWORD,
}


@pytest.fixture
def entry(nurse, patient):
    return board.add_board_entry(actor=nurse, patient=patient, question="Start an MKI now?")


def decision_url(entry):
    return f"/api/v1/tumour-board/{entry.pk}/decision/"


def test_a_nurse_lists_a_patient_and_everyone_of_the_site_reads_the_list(
    nurse, pharmacist, patient
):
    posted = client(nurse).post(
        "/api/v1/tumour-board/", {"patient": patient.pk, "question": "MKI now?"}, format="json"
    )
    assert posted.status_code == 201
    listed = client(pharmacist).get("/api/v1/tumour-board/").json()["results"]
    assert [(e["patient_reference"], e["question"], e["status"]) for e in listed] == [
        (patient.reference_code, "MKI now?", "open")
    ]


def test_an_outsider_sees_an_empty_list_and_cannot_list_the_patient(outsider, entry, patient):
    assert client(outsider).get("/api/v1/tumour-board/").json()["results"] == []
    answer = client(outsider).post(
        "/api/v1/tumour-board/", {"patient": patient.pk, "question": "?"}, format="json"
    )
    assert answer.status_code == 404


def test_the_oncologist_signs_the_decision(oncologist, entry):
    answer = client(oncologist).post(decision_url(entry), DECISION, format="json")
    assert answer.status_code == 201
    signed = answer.json()
    assert (signed["status"], signed["decision"]["outcome"], signed["decision"]["drug"]) == (
        "decided",
        "start_mki",
        "lenvatinib",
    )
    assert len(signed["decision"]["signature_sha256"]) == 64


def test_a_nurse_gets_403_whatever_the_body(nurse, entry):
    assert client(nurse).post(decision_url(entry), {}, format="json").status_code == 403
    assert not BoardDecision.objects.exists()


def test_a_missing_attendee_list_is_a_field_error(oncologist, entry):
    answer = client(oncologist).post(
        decision_url(entry), DECISION | {"attendees": ""}, format="json"
    )
    assert answer.status_code == 400
    assert "attendees" in answer.json()["errors"]
    assert not BoardDecision.objects.exists()


def test_signing_twice_answers_409(oncologist, entry):
    client(oncologist).post(decision_url(entry), DECISION, format="json")
    again = client(oncologist).post(
        decision_url(entry), DECISION | {"outcome": "watch", "drug": ""}, format="json"
    )
    assert again.status_code == 409
    assert BoardDecision.objects.get().outcome == "start_mki"


def test_wrong_passwords_lock_signing_like_a_sign_in(oncologist, entry):
    def sign(password):
        c = APIClient()
        c.force_authenticate(oncologist)
        return c.post(
            decision_url(entry),
            DECISION | {"password": password},
            format="json",
            REMOTE_ADDR="10.0.0.7",
        ).status_code

    assert [sign("not my password") for _ in range(5)] == [400, 400, 400, 400, 429]
    assert sign(PASSWORD) == 429
    assert not BoardDecision.objects.exists()
