"""Writing patients, courses and the dose ledger through patients.services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patients import selectors, services
from patients.dosing import Kind, Status
from patients.models import DoseChange, Patient, TreatmentCourse

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def start(oncologist, patient, drug="lenvatinib", dose=24, **kwargs):
    return services.start_course(
        actor=oncologist,
        patient=patient,
        drug=drug,
        start_date=date(2026, 1, 5),
        starting_dose_mg=dose,
        **kwargs,
    )


def change(oncologist, course, kind, dose, days_after_start, reason="Toxicity"):
    return services.apply_dose_change(
        actor=oncologist,
        course=course,
        kind=kind,
        dose_after_mg=dose,
        reason=reason,
        effective_at=timezone.make_aware(datetime(2026, 1, 5, 10))
        + timedelta(days=days_after_start),
    )


def test_starting_a_course_writes_the_first_ledger_row(oncologist, patient):
    course = start(oncologist, patient)
    (row,) = DoseChange.objects.filter(course=course)
    assert (row.kind, row.dose_after_mg, row.dose_before_mg) == (Kind.START, 24, None)
    assert row.recorded_by == oncologist
    assert selectors.dose_state(course).dose_mg_per_day == 24


def test_the_dose_state_follows_a_hold_and_a_reduced_resumption(oncologist, patient):
    course = start(oncologist, patient)
    change(oncologist, course, Kind.HOLD, 0, 14, "Grade 3 hypertension")
    held = selectors.dose_state(course)
    assert (held.status, held.held_at_dose_mg) == (Status.ON_HOLD, 24)
    resumed = change(oncologist, course, Kind.RESUME, 20, 21, "Recovered to grade 2")
    assert resumed.dose_before_mg == 24
    state = selectors.dose_state(course)
    assert (state.status, state.dose_mg_per_day, state.reductions) == (Status.ACTIVE, 20, 1)


def test_the_dose_state_can_be_read_as_it_was_at_an_earlier_moment(oncologist, patient):
    course = start(oncologist, patient)
    change(oncologist, course, Kind.HOLD, 0, 14)
    change(oncologist, course, Kind.RESUME, 20, 21)
    before_resume = timezone.make_aware(datetime(2026, 1, 25))
    assert selectors.dose_state(course, at=before_resume).on_hold


def test_an_off_ladder_dose_is_refused_without_a_justification(oncologist, patient):
    course = start(oncologist, patient)
    with pytest.raises(ValidationError) as refused:
        change(oncologist, course, Kind.REDUCE, 18, 10)
    assert "off_ladder_justification" in refused.value.message_dict
    assert DoseChange.objects.filter(course=course).count() == 1


def test_an_oncologist_may_prescribe_off_ladder_with_a_written_justification(oncologist, patient):
    course = start(oncologist, patient)
    row = services.apply_dose_change(
        actor=oncologist,
        course=course,
        kind=Kind.REDUCE,
        dose_after_mg=Decimal("12"),
        reason="Renal impairment",
        off_ladder_justification="CrCl 25 mL/min; label advises 14 mg, "
        "further lowered after tolerance discussion",
    )
    assert row.dose_after_mg == 12


def test_a_nurse_cannot_change_a_dose(oncologist, nurse, patient):
    course = start(oncologist, patient)
    with pytest.raises(PermissionDenied):
        change(nurse, course, Kind.HOLD, 0, 3)
    assert DoseChange.objects.filter(course=course).count() == 1


def test_a_nurse_cannot_start_a_course(nurse, patient):
    with pytest.raises(PermissionDenied):
        start(nurse, patient)
    assert not TreatmentCourse.objects.exists()


def test_a_change_dated_before_the_last_one_is_refused(oncologist, patient):
    course = start(oncologist, patient)
    change(oncologist, course, Kind.HOLD, 0, 14)
    with pytest.raises(ValidationError) as refused:
        change(oncologist, course, Kind.RESUME, 20, 7)
    assert "effective_at" in refused.value.message_dict


def test_a_change_dated_in_the_future_is_refused(oncologist, patient):
    course = start(oncologist, patient)
    with pytest.raises(ValidationError) as refused:
        services.apply_dose_change(
            actor=oncologist,
            course=course,
            kind=Kind.HOLD,
            dose_after_mg=0,
            reason="Surgery",
            effective_at=timezone.now() + timedelta(days=2),
        )
    assert "effective_at" in refused.value.message_dict


def test_a_course_cannot_start_before_the_diagnosis(oncologist, patient):
    with pytest.raises(ValidationError) as refused:
        services.start_course(
            actor=oncologist,
            patient=patient,
            drug="sorafenib",
            start_date=date(2019, 1, 1),
            starting_dose_mg=800,
        )
    assert "start_date" in refused.value.message_dict


def test_the_ledger_is_append_only(oncologist, patient):
    course = start(oncologist, patient)
    row = DoseChange.objects.get(course=course)
    row.reason = "rewritten"
    with pytest.raises(NotImplementedError):
        row.save()
    with pytest.raises(NotImplementedError):
        row.delete()


def test_bulk_writes_that_would_skip_the_audit_are_refused(patient):
    with pytest.raises(NotImplementedError):
        Patient.objects.filter(pk=patient.pk).update(family_name="Bulk")
    with pytest.raises(NotImplementedError):
        Patient.objects.filter(pk=patient.pk).delete()
    with pytest.raises(NotImplementedError):
        Patient.objects.bulk_create([Patient(site=patient.site)])


def test_registering_a_patient_with_a_future_date_of_birth_is_refused(nurse, site):
    with pytest.raises(ValidationError) as refused:
        services.create_patient(
            actor=nurse,
            site=site,
            mrn="X1",
            family_name="A",
            given_name="B",
            date_of_birth=date(2030, 1, 1),
            sex="female",
            histology="papillary",
        )
    assert "date_of_birth" in refused.value.message_dict
    assert not Patient.objects.exists()


def test_an_mrn_is_unique_within_a_site(nurse, site, patient):
    with pytest.raises(ValidationError) as refused:
        services.create_patient(
            actor=nurse,
            site=site,
            mrn=patient.mrn,
            family_name="A",
            given_name="B",
            date_of_birth=date(1970, 1, 1),
            sex="female",
            histology="papillary",
        )
    assert "mrn" in refused.value.message_dict


def test_the_same_mrn_may_exist_at_another_site(nurse, outsider, other_site, patient):
    other = services.create_patient(
        actor=outsider,
        site=other_site,
        mrn=patient.mrn,
        family_name="A",
        given_name="B",
        date_of_birth=date(1970, 1, 1),
        sex="female",
        histology="papillary",
    )
    assert other.site == other_site


def test_a_reference_code_names_the_site_and_not_the_patient(nurse, site):
    created = services.create_patient(
        actor=nurse,
        site=site,
        mrn="ZZ9",
        family_name="Zed",
        given_name="Zoe",
        date_of_birth=date(1970, 1, 1),
        sex="female",
        histology="papillary",
    )
    assert created.reference_code.startswith("NGT-")
    assert "ZZ9" not in created.reference_code
    assert str(created) == created.reference_code
