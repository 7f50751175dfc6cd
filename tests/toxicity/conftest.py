"""Fixtures for the visit, evaluation and recommendation tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from patients import services as patient_services
from tests.factories import PASSWORD
from toxicity.services import decisions, visits

START = date(2025, 1, 6)
HIGH_BP = [[166, 102], [162, 100]]  # CTCAE v5.0 Hypertension grade 3 (mean 164/101)
NORMAL_BP = [[128, 82], [126, 80]]  # grade 1


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in January-February 2025 (day 1 = 1 January)."""
    return datetime(2025, 1, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1)


@pytest.fixture
def course(oncologist, patient, time_machine):
    """Lenvatinib 24 mg from 6 January 2025; the clock then stands at 28 January."""
    time_machine.move_to(at(6), tick=False)
    course = patient_services.start_course(
        actor=oncologist, patient=patient, drug="lenvatinib", start_date=START, starting_dose_mg=24
    )
    time_machine.move_to(at(28), tick=False)
    return course


@pytest.fixture
def log(django_capture_on_commit_callbacks):
    """Logs a visit through the service and runs its after-commit evaluation (eager)."""

    def log_visit(actor, course, when, observations, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return visits.log_visit(
                actor=actor, course=course, occurred_at=when, observations=observations, **fields
            )

    return log_visit


def hypertension(readings=None):
    return {"term": "hypertension", "readings": readings or HIGH_BP}


@pytest.fixture
def sign():
    def decide(actor, recommendation, decision="approve", **kwargs):
        kwargs.setdefault("password", PASSWORD)
        return decisions.decide_recommendation(
            actor=actor, recommendation=recommendation, decision=decision, **kwargs
        )

    return decide
