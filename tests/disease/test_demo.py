"""The demonstration cohort's disease course (disease/demo.py): surveillance patients
whose flags and options read differently, an open tumour-board list and one signed
decision, all written through the services, as in production."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from disease import demo, selectors
from disease.models import BoardDecision, BoardEntry, DiseaseStatus, ImagingStudy
from disease.recist import ProgressionWindow
from disease.services.board import signature_is_valid
from patients import demo as patient_demo
from patients.models import MolecularFinding, Patient, TreatmentCourse


@pytest.fixture
def seeded(db, fast_password_hashing):
    """The cohort (six patients a site) and its disease course."""
    users = patient_demo.seed(patients_per_site=6, password_source=random.Random(5))
    return demo.seed_disease(users=users)


@pytest.fixture
def summaries(seeded, db):
    today = timezone.localdate()
    return {
        status.patient.reference_code: selectors.course_summary(status.patient, today=today)
        for status in DiseaseStatus.objects.select_related("patient").filter(
            on_active_surveillance=True
        )
    }


def flagged(summaries, code: str) -> list[str]:
    return [ref for ref, summary in summaries.items() if code in {f.code for f in summary.flags}]


def test_each_site_has_four_patients_on_active_surveillance_with_a_criterion(seeded, db):
    statuses = DiseaseStatus.objects.filter(on_active_surveillance=True).select_related("patient")
    assert seeded.patients == statuses.count() == 12
    for status in statuses:
        assert status.rai_refractory_criterion and status.patient.rai_refractory_date
        assert 3 <= status.imaging_interval_months <= 12
        assert not TreatmentCourse.objects.filter(patient=status.patient).exists()


def test_the_demo_has_a_patient_who_progressed_within_12_months(summaries):
    within = [
        ref
        for ref, summary in summaries.items()
        if summary.progression.window is ProgressionWindow.WITHIN_12_MONTHS
    ]
    assert within and set(within) <= set(flagged(summaries, "progressed_12_14_months"))


def test_the_demo_has_a_patient_whose_tg_doubles_in_under_a_year(summaries):
    fast = flagged(summaries, "tg_dt_under_1_year")
    assert fast
    assert all(summaries[ref].tg.doubling_time_years < 1 for ref in fast)


def test_the_demo_has_stable_patients_whose_imaging_is_overdue(summaries):
    stable = [
        s for s in summaries.values() if s.progression.window is ProgressionWindow.NO_PROGRESSION
    ]
    assert any(s.imaging_due and s.imaging_due.overdue for s in stable)


def test_the_molecular_results_cover_ret_braf_and_not_tested(summaries):
    options = {code for s in summaries.values() for code in (o.code for o in s.options)}
    assert {"ret_fusion_targeted", "braf_v600e_directed", "test_first"} <= options
    assert flagged(summaries, "no_actionable_alteration_tested")


def test_the_tumour_board_has_open_entries_and_one_signed_decision(seeded, db):
    assert BoardEntry.objects.filter(status="open").count() == seeded.open_entries >= 3
    (decision,) = BoardDecision.objects.all()
    assert seeded.decisions == 1
    assert (decision.outcome, decision.drug) == ("start_mki", "lenvatinib")
    assert signature_is_valid(decision)
    course = TreatmentCourse.objects.get(patient=decision.entry.patient, drug="lenvatinib")
    assert decision.meeting_on < course.start_date  # decided before the first dose


def test_every_study_was_assessed_and_audited_by_the_services(seeded, db):
    studies = ImagingStudy.objects.all()
    assert studies.count() == seeded.studies
    assert not studies.filter(baseline__isnull=False, response="").exists()
    assert all(study.history.exists() for study in studies)


def test_the_findings_are_recorded_for_the_surveillance_patients(seeded, db):
    ret = MolecularFinding.objects.get(
        marker="ret_fusion", result="positive", patient__site__code="ngt"
    )
    assert Patient.objects.get(pk=ret.patient_id).disease_status.on_active_surveillance
