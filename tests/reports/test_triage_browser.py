"""At tablet width (820 px) the worklist's queue of reports to grade, and the grading
page, read without sideways scrolling, in a real browser; a nurse grades one there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from patients.models import Role
from reports.models import TriageItem
from tests.factories import PatientFactory, SiteFactory, member
from tests.reports.factories import patient_account, weekly_report
from tests.tracker import data
from tests.tracker.test_browser import SHOTS, browser, login  # noqa: F401 (fixtures)
from toxicity.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = (
    "Diarrhoea since Saturday, seven or eight times a day and at night too; "
    "I have been drinking water but feel weak. Blood pressure machine says high."
)


@pytest.fixture
def reports_to_grade(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    oncologist = member(site, Role.ONCOLOGIST, username="dr.okafor")
    nurse = member(site, Role.NURSE, username="nurse.lee")
    patient = PatientFactory(site=site, family_name="Ashworth-Pemberton", given_name="Cora")
    data.start_course(oncologist, patient, days_ago=30)
    account = patient_account(nurse, patient)
    weekly_report(
        account, {"diarrhea": {"frequency": 1}, "nausea": {"frequency": 1, "severity": 1}}
    )
    weekly_report(
        account,
        {"diarrhea": {"frequency": 4}, "nausea": {"frequency": 3, "severity": 3}},
        anything_else=WORDS,
        blood_pressure=[
            {
                "period": "morning",
                "taken_at": timezone.now() - timedelta(hours=3),
                "sbp1": 165,
                "dbp1": 102,
                "sbp2": 163,
                "dbp2": 101,
            }
        ],
    )
    return TriageItem.objects.get()


def test_at_tablet_width_the_queue_and_the_grading_page_fit_and_grade(
    browser,  # noqa: F811
    live_server,
    reports_to_grade,
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "nurse.lee")
    queue = page.locator("#triage-queue")
    assert queue.locator("article.triage-item").count() == 1
    assert "seven or eight times a day" in queue.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    queue.screenshot(path=str(SHOTS / "triage-queue-820.png"))

    page.click("text=Grade this report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.select_option("#id_grade_diarrhea", "3")
    page.select_option("#id_grade_nausea", "2")
    page.check("input[name=graded_how][value=call]")
    page.fill("#id_note", "Called: 8 stools a day, drinking well")
    page.screenshot(path=str(SHOTS / "triage-grade-820.png"), full_page=True)
    page.click("text=Save the grades and close")
    page.wait_for_url(f"{live_server.url}/patient-reports/triage/")
    item = TriageItem.objects.get()
    assert item.status == "closed"
    terms = set(Visit.objects.get().observations.values_list("term", flat=True))
    assert terms == {"diarrhea", "nausea", "hypertension"}
