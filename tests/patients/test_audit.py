"""Every change to a clinical record keeps who, when, what changed and why."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from patients import selectors, services

EDITED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_an_edit_records_old_and_new_values_who_and_why(nurse, patient):
    with time_machine.travel(EDITED_AT, tick=False):
        services.update_patient(
            actor=nurse, patient=patient, reason="Weighed again at clinic", baseline_weight_kg=72
        )
    *_, entry = selectors.audit_trail(patient)
    assert entry["type"] == "changed"
    assert entry["by"] == nurse
    assert entry["at"] == EDITED_AT
    assert entry["reason"] == "Weighed again at clinic"
    (weight,) = [c for c in entry["changes"] if c["field"] == "baseline_weight_kg"]
    assert (float(weight["old"]), float(weight["new"])) == (70.0, 72.0)


def test_an_edit_without_a_reason_is_refused_and_changes_nothing(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        services.update_patient(actor=nurse, patient=patient, reason="  ", given_name="Changed")
    assert "reason" in refused.value.message_dict
    patient.refresh_from_db()
    assert patient.given_name != "Changed"
    assert len(selectors.audit_trail(patient)) == 1


def test_registration_is_audited_with_its_author(nurse, site):
    created = services.create_patient(
        actor=nurse,
        site=site,
        mrn="A1",
        family_name="New",
        given_name="Patient",
        date_of_birth=date(1971, 4, 4),
        sex="male",
        histology="follicular",
    )
    (entry,) = selectors.audit_trail(created)
    assert (entry["type"], entry["by"]) == ("created", nurse)


def test_a_dose_change_is_audited_with_its_reason(oncologist, patient):
    course = services.start_course(
        actor=oncologist,
        patient=patient,
        drug="cabozantinib",
        start_date=date(2026, 1, 5),
        starting_dose_mg=60,
        reason="Second line after lenvatinib",
    )
    row = course.dose_changes.get()
    (entry,) = selectors.audit_trail(row)
    assert (entry["by"], entry["reason"]) == (oncologist, "Second line after lenvatinib")
    (course_entry,) = selectors.audit_trail(course)
    assert course_entry["by"] == oncologist


def test_a_patient_record_cannot_be_deleted(patient):
    with pytest.raises(NotImplementedError):
        patient.delete()
