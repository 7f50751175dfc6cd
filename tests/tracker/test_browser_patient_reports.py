"""Acceptance in a real browser (chromium, phone viewport, JavaScript off for the patient):
a nurse invites, the patient sets a password from the emailed link and sends a survey
with severe diarrhoea and a home blood pressure of 165/102; the report is stored with
its composite grades and the BP grade; the nurse gets the alert email, finds the report
on the worklist's triage queue and grades it; the engine's recommendation from the
nurse's grades waits in the oncologist's inbox. Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from patients.models import Role
from reports.models import SymptomReport, TriageItem
from tests.factories import PatientFactory, SiteFactory, member
from tests.reports.factories import PATIENT_PASSWORD
from tests.tracker import data
from tests.tracker.test_browser import SHOTS, browser, login  # noqa: F401 - the fixture
from toxicity.models import Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TOUCH_TARGET_PX = 48  # WCAG 2.5.5 / platform guidance for a finger


def test_a_patient_reports_from_a_phone_after_the_nurses_invitation(browser, live_server):  # noqa: F811
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    nurse = member(site, Role.NURSE, username="nurse.lee", first_name="Sam", last_name="Lee")
    oncologist = member(site, Role.ONCOLOGIST, username="dr.okafor")
    patient = PatientFactory(site=site, family_name="Ashworth", given_name="Cora")
    course = data.start_course(oncologist, patient, days_ago=30)

    # The nurse invites from the patient page.
    nurse_page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(nurse_page, live_server.url, "nurse.lee")
    nurse_page.goto(f"{live_server.url}/patients/{patient.pk}/")
    nurse_page.click("text=Invite to report from home")
    nurse_page.check("input[name=channel][value=email]")
    nurse_page.fill("input[name=email]", "cora@example.org")
    nurse_page.click("button[type=submit] >> text=Create the invitation")
    nurse_page.wait_for_selector(".messages li.success")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/me/start/\S+/", message.body).group(0)

    # The patient, on a phone, with JavaScript off: every step is a plain form.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = phone.new_page()
    page.goto(live_server.url + urlsplit(link).path)
    page.screenshot(path=str(SHOTS / "patient-set-password.png"), full_page=True)
    assert page.input_value("input[name=username]") == "cora@example.org"
    page.fill("input[name=password]", PATIENT_PASSWORD)
    page.fill("input[name=password2]", PATIENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")
    page.click("text=This week's report")

    # Fits 360 px with no sideways scrolling; every answer is a finger-sized target.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    choice = page.locator("label.pchoice").first.bounding_box()
    assert choice["height"] >= TOUCH_TARGET_PX
    assert page.locator("button.pbutton").bounding_box()["height"] >= TOUCH_TARGET_PX
    assert page.locator("button.plink").bounding_box()["height"] >= TOUCH_TARGET_PX

    page.check("input[name=diarrhea__frequency][value='4']")  # almost constantly
    page.check("input[name=fatigue__severity][value='3']")
    page.check("input[name=fatigue__interference][value='1']")
    taken = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=morning_taken_at]", taken)
    for field, value in (("sbp1", 165), ("dbp1", 102), ("sbp2", 165), ("dbp2", 102)):
        page.fill(f"input[name=morning_{field}]", str(value))
    page.fill("textarea[name=anything_else]", "Up all night with diarrhoea")
    page.screenshot(path=str(SHOTS / "patient-weekly.png"), full_page=True)
    page.click("button[type=submit] >> text=Send my report")
    page.wait_for_selector(".pmessages li.success")
    page.screenshot(path=str(SHOTS / "patient-home.png"), full_page=True)

    report = SymptomReport.objects.get(patient=patient)
    grades = dict(report.answers.values_list("item", "composite_grade"))
    assert grades == {"diarrhea": 3, "fatigue": 2}  # SINGLE_F[4]; SI_TABLE row S=3, column I=1
    bp = report.home_bp.get()
    assert (bp.sbp1, bp.dbp1, bp.ctcae_grade, bp.provisional) == (165, 102, 3, False)
    assert report.anything_else == "Up all night with diarrhoea"

    # The nurse reads it, composites marked as not CTCAE grades.
    nurse_page.goto(f"{live_server.url}/patient-reports/patients/{patient.pk}/")
    row = nurse_page.locator(f"#report-{report.pk} tr[data-item=diarrhea]")
    assert row.locator("td.composite").inner_text() == "3"
    assert "unconfirmed" in row.inner_text()
    assert "home reading" in nurse_page.locator("#home-bp").inner_text()
    nurse_page.screenshot(path=str(SHOTS / "clinic-patient-reports.png"), full_page=True)

    # The alert email reaches the nurse team, pointing at the report to grade.
    (alert,) = [m for m in mail.outbox if nurse.email in m.to]
    assert "diarrhoea composite 3 (not CTCAE)" in alert.body
    grade_path = re.search(r"/patient-reports/triage/\d+/", alert.body).group(0)
    assert patient.family_name not in alert.subject + alert.body

    # The worklist's queue holds it with the patient's own words; grading closes it.
    nurse_page.goto(f"{live_server.url}/")
    queue = nurse_page.locator("#triage-queue")
    assert "Up all night with diarrhoea" in queue.inner_text()
    queue.locator("text=Grade this report").click()
    nurse_page.wait_for_url(f"{live_server.url}{grade_path}")
    nurse_page.select_option("#id_grade_diarrhea", "3")
    nurse_page.select_option("#id_grade_fatigue", "2")
    nurse_page.check("input[name=graded_how][value=call]")
    nurse_page.fill("#id_note", "Called: eight stools a day, drinking well")
    nurse_page.screenshot(path=str(SHOTS / "clinic-grade-report.png"), full_page=True)
    nurse_page.click("text=Save the grades and close")
    nurse_page.wait_for_url(f"{live_server.url}/patient-reports/triage/")
    assert Recommendation.objects.filter(course=course).count() == 1
    assert not course.dose_changes.exclude(kind="start").exists()  # policy 8

    # The engine's recommendation, from the nurse's grades, waits for the oncologist.
    recommendation = Recommendation.objects.get(course=course)
    onc_page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(onc_page, live_server.url, "dr.okafor")
    onc_page.click("nav >> text=Inbox")
    card = onc_page.locator(f"#rec-{recommendation.pk}")
    assert "Withhold" in card.inner_text()
    assert recommendation.visit == TriageItem.objects.get().visit  # the nurse's grades
    onc_page.screenshot(path=str(SHOTS / "inbox-after-patient-report.png"), full_page=True)
