"""Imaging studies: the baseline checked by RECIST 1.1's target rules, each follow-up's
response computed by disease/recist.py and stored, nothing half-written on a refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disease import selectors
from disease.models import ImagingStudy, TargetLesion
from disease.recist import ProgressionWindow
from disease.services.status import record_disease_status
from tests.disease.conftest import TODAY, record_study, target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

BASE = date(2025, 6, 2)


def nothing_stored():
    return not ImagingStudy.objects.exists() and not TargetLesion.objects.exists()


@pytest.fixture
def baseline(nurse, patient):
    return record_study(
        nurse, patient, BASE, target("T1", "30"), target("T2", "20", organ="liver"), baseline=True
    )


def test_a_baseline_stores_its_targets_and_their_sum(baseline):
    assert baseline.is_baseline
    assert baseline.sum_mm == Decimal("50.0")
    assert [t.label for t in baseline.targets.all()] == ["T1", "T2"]


def test_a_follow_up_stores_sum_changes_and_response(nurse, patient, baseline):
    study = record_study(
        nurse, patient, date(2025, 9, 1), target("T1", "20"), target("T2", "15", organ="liver")
    )
    assert (study.sum_mm, study.change_from_baseline_pct, study.response) == (
        Decimal("35.0"),
        Decimal("-30.0"),
        "PR",
    )
    assert study.baseline == baseline
    assert study.reasons[0]["code"] == "pr_sum"


def test_pd_is_against_the_nadir_and_needs_5_mm(nurse, patient, baseline):
    record_study(
        nurse, patient, date(2025, 9, 1), target("T1", "15"), target("T2", "10", organ="liver")
    )
    study = record_study(
        nurse, patient, date(2025, 12, 1), target("T1", "20"), target("T2", "10", organ="liver")
    )
    assert (study.nadir_mm, study.change_from_nadir_mm, study.change_from_nadir_pct) == (
        Decimal("25.0"),
        Decimal("5.0"),
        Decimal("20.0"),
    )
    assert study.response == "PD"


def test_a_new_lesion_is_pd(nurse, patient, baseline):
    study = record_study(
        nurse,
        patient,
        date(2025, 9, 1),
        target("T1", "30"),
        target("T2", "20", organ="liver"),
        new_lesions=1,
        new_lesion_sites="bone",
    )
    assert study.response == "PD"


def test_a_study_recorded_between_two_others_reassesses_the_later_one(nurse, patient, baseline):
    later = record_study(
        nurse, patient, date(2026, 1, 5), target("T1", "24"), target("T2", "14", organ="liver")
    )
    assert later.response == "SD"  # 38 mm against the baseline's 50
    record_study(
        nurse, patient, date(2025, 9, 1), target("T1", "15"), target("T2", "10", organ="liver")
    )
    later.refresh_from_db()
    assert (later.nadir_mm, later.response) == (Decimal("25.0"), "PD")
    assert later.history.first().history_change_reason.startswith("Response assessed again")


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        ([target(f"T{i}", "20", organ=f"organ {i}") for i in range(6)], "targets"),
        ([target(f"T{i}", "20") for i in range(3)], "targets.organ"),
        ([target("T1", "9.9")], "targets.T1"),
        ([target("N1", "14.9", node=True)], "targets.N1"),
        ([target("T1", "12", in_treated_field=True)], "targets.T1"),
    ],
    ids=["six targets", "three in one organ", "9.9 mm lesion", "14.9 mm node", "treated field"],
)
def test_a_baseline_outside_recist_targets_is_refused_and_nothing_is_stored(
    nurse, patient, targets, field
):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, BASE, *targets, baseline=True)
    assert field in refused.value.message_dict
    assert nothing_stored()


def test_the_edges_are_measurable(nurse, patient):
    study = record_study(
        nurse,
        patient,
        BASE,
        target("T1", "10"),
        target("N1", "15", node=True, organ="neck nodes"),
        baseline=True,
    )
    assert study.sum_mm == Decimal("25.0")


def test_a_follow_up_without_a_baseline_is_refused(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, BASE, target())
    assert "baseline" in refused.value.message_dict
    assert nothing_stored()


def test_a_follow_up_missing_a_baseline_target_is_refused_and_nothing_changes(
    nurse, patient, baseline
):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, date(2025, 9, 1), target("T1", "20"))
    assert "targets" in refused.value.message_dict
    assert ImagingStudy.objects.get() == baseline
    assert TargetLesion.objects.count() == 2


def test_a_bad_lesion_field_names_its_place(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, BASE, target("T1", "-3"), baseline=True)
    assert "targets[0].diameter_mm" in refused.value.message_dict
    assert nothing_stored()


def test_a_diameter_with_two_decimals_is_refused(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, BASE, target("T1", "10.25"), baseline=True)
    assert "targets[0].diameter_mm" in refused.value.message_dict


def test_a_second_study_on_one_day_is_refused(nurse, patient, baseline):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, BASE, target("T1", "30"), baseline=True)
    assert "performed_on" in refused.value.message_dict
    assert ImagingStudy.objects.count() == 1


def test_a_future_study_is_refused(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_study(nurse, patient, date(2026, 6, 2), target(), baseline=True)
    assert "performed_on" in refused.value.message_dict


def test_a_pharmacist_records_no_imaging(pharmacist, patient):
    with pytest.raises(PermissionDenied):
        record_study(pharmacist, patient, BASE, target(), baseline=True)
    assert nothing_stored()


def test_every_row_is_audited_with_its_author(nurse, patient, baseline):
    assert baseline.history.get().history_user == nurse
    assert {t.history.get().history_user for t in baseline.targets.all()} == {nurse}


def test_progression_within_12_months_is_read_from_the_first_pd(nurse, patient, baseline):
    record_study(
        nurse, patient, date(2025, 9, 1), target("T1", "40"), target("T2", "20", organ="liver")
    )
    record_study(
        nurse, patient, date(2025, 12, 1), target("T1", "50"), target("T2", "20", organ="liver")
    )
    answer = selectors.progression(patient, today=TODAY)
    assert (answer.progression_on, answer.window) == (
        date(2025, 9, 1),
        ProgressionWindow.WITHIN_12_MONTHS,
    )


def test_progression_13_months_ago_is_between_12_and_14(nurse, patient):
    record_study(nurse, patient, date(2025, 1, 6), target("T1", "30"), baseline=True)
    record_study(nurse, patient, date(2025, 5, 1), target("T1", "40"))
    answer = selectors.progression(patient, today=TODAY)
    assert answer.window is ProgressionWindow.BETWEEN_12_AND_14_MONTHS


def watch(nurse, patient, months=6, since=date(2025, 1, 6)):
    record_disease_status(
        actor=nurse,
        patient=patient,
        reason="Clinic review",
        on_active_surveillance=True,
        surveillance_since=since,
        imaging_interval_months=months,
    )


def test_surveillance_imaging_falls_due_the_interval_after_the_last_study(nurse, patient):
    watch(nurse, patient, months=6)
    record_study(nurse, patient, date(2025, 12, 1), target(), baseline=True)
    due = selectors.imaging_due(patient, today=TODAY)
    assert (due.last_imaging_on, due.due_on, due.overdue) == (
        date(2025, 12, 1),
        date(2026, 6, 1),
        False,
    )


def test_surveillance_imaging_is_overdue_the_day_after_it_was_due(nurse, patient):
    watch(nurse, patient, months=6)
    record_study(nurse, patient, date(2025, 11, 30), target(), baseline=True)
    assert selectors.imaging_due(patient, today=TODAY).overdue  # due 30 May 2026


def test_with_no_study_yet_the_interval_runs_from_the_start_of_surveillance(nurse, patient):
    watch(nurse, patient, months=3, since=date(2026, 1, 15))
    assert selectors.imaging_due(patient, today=TODAY).due_on == date(2026, 4, 15)


def test_a_patient_not_on_surveillance_has_no_imaging_due(nurse, patient):
    record_study(nurse, patient, BASE, target(), baseline=True)
    assert selectors.imaging_due(patient, today=TODAY) is None
