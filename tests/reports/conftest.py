"""Patient accounts at the suite's site: the nurse invites, the patient opens the account."""

from __future__ import annotations

from datetime import date

import pytest

from patients import services as patient_services
from tests.factories import PatientFactory
from tests.reports.factories import patient_account


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is tested in tests/config/test_security.py; here it would cost seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(nurse, patient):
    return patient_account(nurse, patient, username="cora")


@pytest.fixture
def other_account(nurse, site):
    """Another patient of the same site, with an account of their own."""
    return patient_account(nurse, PatientFactory(site=site), username="finn")


# --- triage (tests/reports/test_triage*.py) ------------------------------------------

TRIAGE_NOW = "2026-03-10T09:00:00+00:00"  # a Tuesday; the course started on 2 March


@pytest.fixture
def on_lenvatinib(oncologist, patient, time_machine):
    """The patient on lenvatinib 24 mg since 2 March 2026; the clock stands at 10 March."""
    time_machine.move_to(TRIAGE_NOW, tick=False)
    return patient_services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=date(2026, 3, 2),
        starting_dose_mg=24,
    )
