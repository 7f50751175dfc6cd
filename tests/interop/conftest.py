"""A lenvatinib course at Northgate, and clients that post FHIR Bundles."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from patients import services as patient_services
from tests.factories import PatientFactory

START = date(2025, 1, 6)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in January-February 2025 (day 1 = 1 January)."""
    return datetime(2025, 1, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1)


def start_course(oncologist, patient, time_machine):
    time_machine.move_to(at(6), tick=False)
    course = patient_services.start_course(
        actor=oncologist, patient=patient, drug="lenvatinib", start_date=START, starting_dose_mg=24
    )
    time_machine.move_to(at(40), tick=False)
    return course


BASELINES = {
    "baseline_alt_u_l": 30,
    "baseline_ast_u_l": 28,
    "baseline_bilirubin_mg_dl": Decimal("0.6"),
    "baseline_creatinine_mg_dl": Decimal("0.8"),
    "baseline_qtc_ms": 420,
}


@pytest.fixture
def patient(site):
    """A patient whose baselines let every lab be graded."""
    return PatientFactory(site=site, **BASELINES)


@pytest.fixture
def course(oncologist, patient, time_machine):
    """Lenvatinib 24 mg from 6 January 2025; the clock then stands at 9 February."""
    return start_course(oncologist, patient, time_machine)


@pytest.fixture
def twin(oncologist, site, time_machine, course):
    """A second patient like the first, on the same course, for comparing two paths."""
    return start_course(oncologist, PatientFactory(site=site, **BASELINES), time_machine)


@pytest.fixture
def post_bundle(api, django_capture_on_commit_callbacks):
    """POSTs a Bundle as FHIR JSON and runs the after-commit evaluations (eager)."""

    def post(user, body, *, site="ngt"):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        with django_capture_on_commit_callbacks(execute=True):
            return api(user).post(
                f"/api/v1/fhir/Bundle?site={site}", data=data, content_type="application/fhir+json"
            )

    return post
