"""The pharmacist's sign-off in a real browser: review a rule set, confirm a row,
sign it off; the oncologist's inbox then says which recommendations were made under it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
from tests.tracker import data, test_browser
from tests.tracker.test_browser import PASSWORD, SHOTS, login
from toxicity.models import RuleRowConfirmation, RuleSetSignOff
from toxicity.rules import RULE_SETS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = ("lenvatinib", "us_pi")
browser = test_browser.browser  # the same chromium fixture as the other browser tests


def grade3_visit(nurse, course, days_ago):
    return data.log_visit(
        nurse,
        course,
        days_ago=days_ago,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )


def test_a_pharmacist_confirms_a_row_and_signs_off_the_rule_set(browser, live_server):
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    member(site, Role.PHARMACIST, username="rx.patel", first_name="Priya", last_name="Patel")
    oncologist = member(site, Role.ONCOLOGIST, username="dr.okafor")
    nurse = member(site, Role.NURSE, username="nurse.lee")
    course = data.start_course(oncologist, PatientFactory(site=site), days_ago=60)
    before = grade3_visit(nurse, course, days_ago=3).recommendations.get()
    row = next(r for r in RULE_SETS[KEY].rules if not r.confirmed)

    page = browser.new_page()
    login(page, live_server.url, "rx.patel")
    page.click("nav >> text=Rule sets")
    page.click(f"tr[data-rule-set='{KEY[0]}/{KEY[1]}'] a")
    assert "not yet signed off" in page.inner_text(".facts")
    form = page.locator(f"tr[data-rule='{row.rule_id}'] form.confirm-row")
    form.locator("input[name=label_section]").fill("LENVIMA PI section 2.6")
    form.locator("input[name=checked_on]").fill(timezone.localdate().isoformat())
    form.locator("button").click()
    page.wait_for_load_state()
    confirmed = page.locator(f"tr[data-rule='{row.rule_id}'] .site-confirmed")
    assert "checked against LENVIMA PI section 2.6" in confirmed.inner_text()
    page.locator("form.sign-off input[name=password]").fill(PASSWORD)
    page.locator("form.sign-off button").click()
    page.wait_for_load_state()
    assert "This version was signed off by Priya Patel" in page.inner_text("#sign-off")
    page.screenshot(path=str(SHOTS / "rule-set-signed-off.png"), full_page=True)
    assert RuleRowConfirmation.objects.get().rule_id == row.rule_id
    signed = RuleSetSignOff.objects.get()
    assert signed.confirmed_rows == sum(1 for r in RULE_SETS[KEY].rules if r.confirmed) + 1

    after = grade3_visit(nurse, course, days_ago=1).recommendations.get()
    assert (before.rule_set_signoff, after.rule_set_signoff) == (None, signed)
    page = browser.new_page()
    login(page, live_server.url, "dr.okafor")
    page.goto(f"{live_server.url}/inbox/")
    assert page.locator(f"#rec-{after.pk} .signed-off").is_visible()
    assert page.locator(f"#rec-{after.pk} .not-signed-off").count() == 0
