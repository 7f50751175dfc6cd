"""The disease status: RAI-refractory per ATA 2025 Rec 59, active surveillance per Rec 60A."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disease.models import DiseaseStatus
from disease.services.status import record_disease_status
from patients.services import StaleRecord, update_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

RAIR = {
    "prior_rai_dose_on": date(2024, 3, 1),
    "rai_refractory_on": date(2025, 2, 1),
    "rai_refractory_criterion": "No uptake on the post-therapy scan with structural disease",
}
WATCH = {"on_active_surveillance": True, "surveillance_since": date(2025, 2, 1)}


def record(actor, patient, **fields):
    return record_disease_status(actor=actor, patient=patient, reason="Clinic review", **fields)


def test_a_refractory_status_stores_the_date_the_criterion_and_rec_59_as_its_source(nurse, patient):
    status = record(nurse, patient, **RAIR)
    assert (status.rai_refractory_on, status.rai_refractory_criterion) == (
        date(2025, 2, 1),
        RAIR["rai_refractory_criterion"],
    )
    assert status.rai_refractory_source == "docs/sources/reference.md 3.1, ATA 2025 Rec 59"


def test_the_patient_record_takes_the_same_refractory_date(nurse, patient):
    record(nurse, patient, **RAIR)
    patient.refresh_from_db()
    assert patient.rai_refractory_date == date(2025, 2, 1)


def test_refractory_without_a_prior_rai_dose_is_refused_and_nothing_is_stored(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record(nurse, patient, **(RAIR | {"prior_rai_dose_on": None}))
    assert "Rec 59" in refused.value.message_dict["prior_rai_dose_on"][0]
    assert not DiseaseStatus.objects.exists()
    patient.refresh_from_db()
    assert patient.rai_refractory_date == date(2021, 1, 15)


def test_an_rai_dose_after_the_declaration_is_refused(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record(nurse, patient, **(RAIR | {"prior_rai_dose_on": date(2025, 3, 1)}))
    assert "prior_rai_dose_on" in refused.value.message_dict


def test_a_refractory_date_needs_its_criterion(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record(nurse, patient, **(RAIR | {"rai_refractory_criterion": " "}))
    assert "rai_refractory_criterion" in refused.value.message_dict


@pytest.mark.parametrize(("months", "allowed"), [(2, False), (3, True), (12, True), (13, False)])
def test_the_surveillance_imaging_interval_is_3_to_12_months(nurse, patient, months, allowed):
    fields = RAIR | WATCH | {"imaging_interval_months": months}
    if allowed:
        assert record(nurse, patient, **fields).imaging_interval_months == months
    else:
        with pytest.raises(ValidationError) as refused:
            record(nurse, patient, **fields)
        assert "Rec 60A" in refused.value.message_dict["imaging_interval_months"][0]
        assert not DiseaseStatus.objects.exists()


def test_surveillance_needs_an_interval(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record(nurse, patient, **(RAIR | WATCH))
    assert "imaging_interval_months" in refused.value.message_dict


def test_surveillance_records_rec_60a_as_its_source(nurse, patient):
    status = record(nurse, patient, **(RAIR | WATCH | {"imaging_interval_months": 6}))
    assert status.surveillance_source == "docs/sources/reference.md 3.1, ATA 2025 Rec 60A"


def test_symptomatic_needs_the_symptoms(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record(nurse, patient, symptomatic=True)
    assert "symptoms" in refused.value.message_dict


def test_an_edit_on_an_older_version_is_refused(nurse, oncologist, patient):
    record(nurse, patient, **RAIR)
    record(oncologist, patient, **RAIR, symptomatic=True, symptoms="Cough", version=1)
    with pytest.raises(StaleRecord):
        record(nurse, patient, **RAIR, version=1)
    assert DiseaseStatus.objects.get().symptoms == "Cough"


def test_every_save_is_in_the_history_with_its_reason_and_author(nurse, oncologist, patient):
    record(nurse, patient, **RAIR)
    record(oncologist, patient, **RAIR, symptomatic=True, symptoms="Cough", version=1)
    rows = DiseaseStatus.history.order_by("history_id")
    assert [(r.history_user, r.history_change_reason) for r in rows] == [
        (nurse, "Clinic review"),
        (oncologist, "Clinic review"),
    ]


def test_a_pharmacist_cannot_record_a_status(pharmacist, patient):
    with pytest.raises(PermissionDenied):
        record(pharmacist, patient, **RAIR)
    assert not DiseaseStatus.objects.exists()


def test_a_reason_is_required(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_disease_status(actor=nurse, patient=patient, reason=" ", **RAIR)
    assert "reason" in refused.value.message_dict


def test_an_edit_without_the_version_it_was_made_on_is_refused_and_nothing_changes(
    nurse, oncologist, patient
):
    record(nurse, patient, **RAIR)
    with pytest.raises(ValidationError) as refused:
        record(oncologist, patient, **RAIR, symptomatic=True, symptoms="Cough")
    assert "version" in refused.value.message_dict
    status = DiseaseStatus.objects.get()
    assert (status.version, status.symptoms, status.history.count()) == (1, "", 1)


def test_the_refractory_date_is_the_one_the_patient_record_holds_now(nurse, oncologist, patient):
    record(nurse, patient, **RAIR)
    patient.refresh_from_db()
    update_patient(
        actor=oncologist,
        patient=patient,
        reason="Date corrected from the scan report",
        version=patient.version,
        rai_refractory_date=date(2025, 1, 20),
    )
    assert DiseaseStatus.objects.get().rai_refractory_on == date(2025, 1, 20)
