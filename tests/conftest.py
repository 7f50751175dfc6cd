"""Personas shared by the suite: clinicians of one site, and an outsider who must
be refused everything of that site."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member

CATALOGUES = Path(__file__).resolve().parent.parent / "locale"


def pytest_sessionstart(session):
    """The tests read the compiled catalogues (locale/*/LC_MESSAGES/django.mo): a stale
    one would test yesterday's translations, so it stops the run and says what to do."""
    for po in CATALOGUES.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.exit(f"{mo} is older than its catalogue: run `make messages`.", returncode=4)


@pytest.fixture
def site(db):
    return SiteFactory(name="Northgate", code="ngt")


@pytest.fixture
def other_site(db):
    return SiteFactory(name="Elsewhere", code="els")


@pytest.fixture
def nurse(site):
    return member(site, Role.NURSE, username="nurse")


@pytest.fixture
def oncologist(site):
    return member(
        site, Role.ONCOLOGIST, username="oncologist", first_name="Olga", last_name="Oncologist"
    )


@pytest.fixture
def site_admin(site):
    return member(site, Role.SITE_ADMIN, username="siteadmin")


@pytest.fixture
def pharmacist(site):
    """Reads the site's clinical pages and signs off its rule sets; signs no dose decision."""
    return member(
        site, Role.PHARMACIST, username="pharmacist", first_name="Priya", last_name="Pharmacist"
    )


@pytest.fixture
def outsider(other_site):
    """An oncologist at another site: sees nothing of `site`."""
    return member(other_site, Role.ONCOLOGIST, username="outsider")


@pytest.fixture
def patient(site):
    return PatientFactory(site=site)


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
