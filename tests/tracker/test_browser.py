"""Acceptance in a real browser: Debian's chromium driven by Playwright against the app
served on loopback. Screenshots of each page go to var/screenshots/.

These tests fail, never skip, when chromium is missing: `make test` and `.ci/run`
install it (.ci/chromium.sh).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from patients.models import Role
from tests.factories import PASSWORD, PatientFactory, SiteFactory, member
from tests.tracker import data
from toxicity.models import Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# RECIPES.md: without the background-networking flags chromium keeps calling hosts
# it cannot reach.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(settings):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous, so tell Django they are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The live server serves static files from the finders, by their plain names;
    # the manifest storage's hashed names are WhiteNoise's business in production.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def clinic():
    """One site: an oncologist, a nurse, a patient on lenvatinib with visits, and a
    pending 'withhold' recommendation after grade 3 blood pressure; a second patient
    already on hold; an outsider's patient at another site."""
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    oncologist = member(
        site, Role.ONCOLOGIST, username="dr.okafor", first_name="Ada", last_name="Okafor"
    )
    nurse = member(site, Role.NURSE, username="nurse.lee", first_name="Sam", last_name="Lee")
    patient = PatientFactory(site=site, family_name="Ashworth", given_name="Cora")
    course = data.start_course(oncologist, patient, days_ago=120)
    for i, days_ago in enumerate(range(112, 5, -7)):
        readings = [[128 + 2 * i, 82 + i % 4], [126 + 2 * i, 80 + i % 3]]
        data.log_visit(
            nurse,
            course,
            days_ago=days_ago,
            observations=[
                data.hypertension(readings),
                {"term": "weight_loss", "weight_kg": 70 - 0.3 * i},
                {"term": "fatigue", "grade": 1 if i < 8 else 2},
                {
                    "term": "alanine_aminotransferase_increased",
                    "value": 30 + 3 * i,
                    "uln": 40,
                    "baseline": 30,
                },
            ],
        )
    visit = data.log_visit(
        nurse,
        course,
        days_ago=1,
        observations=[data.hypertension(), {"term": "fatigue", "grade": 2}],
        antihypertensive_therapy="optimal",
    )
    held = PatientFactory(site=site, family_name="Baines", given_name="Finn")
    other = data.start_course(oncologist, held, days_ago=90, drug="cabozantinib", dose=60)
    from patients.services import apply_dose_change

    apply_dose_change(
        actor=oncologist, course=other, kind="hold", dose_after_mg=0, reason="Grade 3 diarrhea"
    )
    outsider_site = SiteFactory(name="Elsewhere", code="els")
    PatientFactory(site=outsider_site, family_name="Zzelsewhere")
    return {
        "oncologist": oncologist,
        "nurse": nurse,
        "patient": patient,
        "course": course,
        "recommendation": visit.recommendations.get(),
    }


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def uids(page, element_id: str) -> list[str]:
    page.wait_for_selector("body[data-charts-ready]", state="attached")
    return page.evaluate(f"document.getElementById('{element_id}').data.map(t => t.uid)")


def test_an_oncologist_works_through_worklist_patient_cohort_and_inbox(
    browser, live_server, clinic
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    login(page, live_server.url, "dr.okafor")

    # The worklist: both patients of the site need action; the outsider's does not show.
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 2
    assert "Ashworth, Cora" in rows.nth(0).inner_text()  # a withhold to sign comes first
    assert "Zzelsewhere" not in page.content()
    page.screenshot(path=str(SHOTS / "worklist.png"), full_page=True)

    # One click to the patient; the timeline draws every row of the figure.
    page.click("text=Ashworth, Cora")
    traces = uids(page, "patient-chart")
    for uid in ("sbp-readings", "sbp-mean", "dbp-mean", "grades", "dose", "weight", "lab-alt"):
        assert uid in traces
    sbp_mean = page.evaluate(
        "document.getElementById('patient-chart').data.find(t => t.uid === 'sbp-mean').y"
    )
    assert len(sbp_mean) == 17 and sbp_mean[-1] == 164
    assert page.locator("#patient-chart .main-svg").count() > 0  # plotly drew it
    page.screenshot(path=str(SHOTS / "patient.png"), full_page=True)

    # The cohort dashboard.
    page.click("nav >> text=Cohort")
    swimmer = uids(page, "swimmer-chart")
    assert "swimmer-level-0" in swimmer and "swimmer-held" in swimmer
    assert uids(page, "rdi-chart") == ["rdi-cabozantinib", "rdi-lenvatinib"]
    page.screenshot(path=str(SHOTS / "cohort.png"), full_page=True)

    # The inbox: approve the withhold, re-entering the password as the signature.
    page.click("nav >> text=Inbox")
    card = page.locator(f"#rec-{clinic['recommendation'].pk}")
    assert "Withhold" in card.inner_text()
    assert "LENVIMA" in card.inner_text()  # each reason names its label source
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)
    card.locator("input[name=decision][value=approve]").check()
    card.locator("input[name=password]").fill(PASSWORD)
    card.locator("button.sign").click()
    page.wait_for_selector(".messages li.success")
    assert "Signed" in page.locator(".messages").inner_text()

    recommendation = Recommendation.objects.get(pk=clinic["recommendation"].pk)
    assert recommendation.status == "approved"
    assert recommendation.decided_by == clinic["oncologist"]
    assert list(recommendation.dose_changes.values_list("kind", flat=True)) == ["hold"]
    assert errors == []


def test_a_nurse_sees_the_inbox_without_a_sign_button(browser, live_server, clinic):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "nurse.lee")
    page.click("nav >> text=Inbox")
    card = page.locator(f"#rec-{clinic['recommendation'].pk}")
    assert "Withhold" in card.inner_text()
    assert page.locator("button.sign").count() == 0
    assert page.locator("input[name=password]").count() == 0
    page.screenshot(path=str(SHOTS / "inbox-nurse.png"), full_page=True)
