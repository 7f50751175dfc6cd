"""Acceptance in a real browser, in Simplified Chinese: at a Chinese-speaking clinic a
nurse logs a visit (the live preview included), an oncologist finds the recommendation
in the inbox and signs it, opens the patient page and the cohort, and a patient sends
the weekly survey from a phone. Every page, as chromium shows it (charts drawn), has no
English of the app's own left (tests/tracker/english_left.py says what may stay in Latin
letters). Screenshots go to var/screenshots/zh-*.png (drawn with the CJK fonts
.ci/fonts.sh installs), each beside the page's HTML as chromium had it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.models import SymptomReport
from tests.factories import PASSWORD
from tests.reports.factories import PATIENT_PASSWORD
from tests.tracker.chinese_clinic import chinese_clinic
from tests.tracker.english_left import english_left, visible_text
from tests.tracker.test_browser import SHOTS, browser, login  # noqa: F401 - the fixture
from toxicity.models import Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def no_english_left(page, clinic, shot: str) -> None:
    page.screenshot(path=str(SHOTS / f"zh-{shot}.png"), full_page=True)
    (SHOTS / f"zh-{shot}.html").write_text(page.content())
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    left = english_left(visible_text(page.content()), also_allowed=clinic["names"])
    assert left == [], f"{shot}: {left}"


def test_a_chinese_clinic_works_through_visit_inbox_patient_page_cohort_and_survey(
    browser,  # noqa: F811
    live_server,
):
    base, clinic = live_server.url, chinese_clinic(weeks=8)
    patient = clinic["patient"]

    # The nurse signs in (the sign-in page follows the browser's Chinese) and logs a visit.
    nurse = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    nurse.goto(f"{base}/accounts/login/")
    no_english_left(nurse, clinic, "sign-in")
    login(nurse, base, "nurse.wang")
    no_english_left(nurse, clinic, "worklist")
    nurse.goto(f"{base}/patients/{patient.pk}/visits/new/")
    for field, value in (("bp1_sbp", 166), ("bp1_dbp", 102), ("bp2_sbp", 164), ("bp2_dbp", 100)):
        nurse.fill(f"#id_{field}", str(value))
    nurse.select_option("#id_antihypertensive_therapy", "optimal")
    # The live preview names the grade and the action in Chinese.
    nurse.wait_for_selector("#preview-decision .action")
    assert "暂停用药" in nurse.inner_text("#preview-decision")
    assert "高血压：3 级" in nurse.inner_text("#preview-grades")
    no_english_left(nurse, clinic, "visit-form")
    nurse.click("#save-visit")
    nurse.wait_for_url(f"{base}/patients/{patient.pk}/")
    nurse.wait_for_selector("body[data-charts-ready]", state="attached")
    no_english_left(nurse, clinic, "patient-nurse")
    # The chart's toolbar offers no upload of the patient's chart to Plotly's cloud.
    assert nurse.locator(".modebar-btn").count() > 0
    assert nurse.locator('.modebar-btn[data-title="Share chart..."]').count() == 0
    recommendation = Recommendation.objects.get(course=clinic["course"])
    assert recommendation.action == "withhold"

    # The oncologist signs it in the inbox, then reads the patient page and the cohort.
    oncologist = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    login(oncologist, base, "dr.zhang")
    oncologist.goto(f"{base}/inbox/")
    card = oncologist.locator(f"#rec-{recommendation.pk}")
    assert "暂停用药" in card.inner_text()
    no_english_left(oncologist, clinic, "inbox")
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button.sign").click()
    oncologist.wait_for_selector("#signed-history")
    recommendation.refresh_from_db()
    assert recommendation.status == "approved"
    no_english_left(oncologist, clinic, "inbox-signed")
    oncologist.goto(f"{base}/patients/{patient.pk}/")
    oncologist.wait_for_selector("body[data-charts-ready]", state="attached")
    no_english_left(oncologist, clinic, "patient-oncologist")
    oncologist.goto(f"{base}/cohort/")
    oncologist.wait_for_selector("body[data-charts-ready]", state="attached")
    no_english_left(oncologist, clinic, "cohort")

    # The patient, on a phone without JavaScript, sends this week's survey.
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, java_script_enabled=False, locale="zh-CN"
    ).new_page()
    phone.goto(f"{base}/me/sign-in/")
    phone.fill("input[name=username]", "chen.mei")
    phone.fill("input[name=password]", PATIENT_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{base}/me/")
    no_english_left(phone, clinic, "patient-home")
    phone.goto(f"{base}/me/week/")
    no_english_left(phone, clinic, "weekly-survey")
    phone.check("input[name=diarrhea__frequency][value='3']")
    taken = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    phone.fill("input[name=morning_taken_at]", taken)
    for field, value in (("sbp1", 138), ("dbp1", 86), ("sbp2", 136), ("dbp2", 85)):
        phone.fill(f"input[name=morning_{field}]", str(value))
    phone.click("button.pbutton")
    phone.wait_for_selector(".pmessages li.success")
    no_english_left(phone, clinic, "patient-sent")
    assert SymptomReport.objects.filter(patient=patient).count() == 2
