"""A Chinese-speaking clinic's pages carry no English of the app's own: every page a
nurse, an oncologist or a patient opens there, in zh-hans. What may stay in Latin
letters (units, test abbreviations, names and codes, text marked lang="en") is said
in tests/tracker/english_left.py."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.reports.factories import PATIENT_PASSWORD
from tests.tracker import data
from tests.tracker.chinese_clinic import chinese_clinic
from tests.tracker.english_left import english_left, visible_text
from toxicity.services import impact

pytestmark = pytest.mark.django_db

CLINIC_PAGES = {
    "worklist": ("nurse", "/"),
    "patient": ("nurse", "/patients/{patient}/"),
    "visit form": ("nurse", "/patients/{patient}/visits/new/"),
    "patient list": ("nurse", "/patients/"),
    "inbox": ("oncologist", "/inbox/"),
    "cohort": ("oncologist", "/cohort/"),
    "signed record": ("oncologist", "/patients/{patient}/record/"),
    "alerts": ("nurse", "/alerts/"),
    "triage queue": ("nurse", "/patient-reports/triage/"),
    "patient's reports": ("nurse", "/patient-reports/patients/{patient}/"),
    "disease course": ("oncologist", "/patients/{patient}/disease/"),
    "disease status form": ("nurse", "/patients/{patient}/disease/status/"),
    "imaging form": ("nurse", "/patients/{patient}/disease/imaging/new/"),
    "thyroglobulin form": ("nurse", "/patients/{patient}/disease/thyroglobulin/new/"),
    "tumour board": ("nurse", "/tumour-board/"),
    "add to the tumour board": ("nurse", "/tumour-board/add/"),
    "tumour-board decision": ("oncologist", "/tumour-board/{entry}/"),
    "impact reports": ("oncologist", "/impact/"),
    "new impact report": ("oncologist", "/impact/new/"),
    "impact report": ("oncologist", "/impact/{report}/"),
}
PATIENT_PAGES = {
    "patient home": "/me/",
    "weekly survey": "/me/week/",
    "home blood pressure": "/me/blood-pressure/",
    "doses": "/me/doses/",
    "reminders": "/me/reminders/",
}


@pytest.fixture
def clinic():
    """Two weeks of visits, the second with grade 3 blood pressure on optimal therapy:
    a withhold waits in the inbox."""
    clinic = chinese_clinic(weeks=1)
    data.log_visit(
        clinic["nurse"],
        clinic["course"],
        days_ago=2,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    # An impact report, worked out here as the workers would.
    report = impact.new_report(
        actor=clinic["oncologist"],
        reason="更严格的血压规则",
        candidate={"policy": {"reduction_levels_per_hold": 2}},
        site_ids=[clinic["patient"].site_id],
    )
    for index in impact.plan_report(report.pk):
        impact.run_chunk(report.pk, index)
    impact.finish_report(report.pk)
    clinic["report"] = report
    return clinic


def signed_in(username: str, password: str, sign_in_url: str) -> Client:
    # Signing in on the page, as the user does: the language is read at sign-in.
    client = Client()
    response = client.post(sign_in_url, {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.mark.parametrize("page", CLINIC_PAGES)
def test_a_clinic_page_in_chinese_has_no_english_left(clinic, page):
    who, url = CLINIC_PAGES[page]
    client = signed_in(clinic[who].get_username(), PASSWORD, "/accounts/login/")
    response = client.get(
        url.format(
            patient=clinic["patient"].pk,
            entry=clinic["board_entry"].pk,
            report=clinic["report"].pk,
        )
    )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert english_left(visible_text(response.text), also_allowed=clinic["names"]) == []


@pytest.mark.parametrize("page", PATIENT_PAGES)
def test_a_patient_page_in_chinese_has_no_english_left(clinic, page):
    user = clinic["account"].user
    client = signed_in(user.get_username(), PATIENT_PASSWORD, "/me/sign-in/")
    response = client.get(PATIENT_PAGES[page])
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert english_left(visible_text(response.text), also_allowed=clinic["names"]) == []
