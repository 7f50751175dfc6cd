"""Patient accounts at the suite's site: the nurse invites, the patient opens the account."""

from __future__ import annotations

import pytest

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
