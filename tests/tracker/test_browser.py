"""Acceptance in a real browser: Debian's chromium driven by Playwright against the app
served on loopback. Screenshots of each page go to var/screenshots/.

These tests fail, never skip, when chromium is missing: `make test` and `.ci/run`
install it (.ci/chromium.sh).
"""

from __future__ import annotations

import os
import re
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


def watch_for_errors(page) -> list[str]:
    """Script errors and failed responses (4xx, 5xx) of the page, as they happen."""
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
    return errors


def uids(page, element_id: str) -> list[str]:
    page.wait_for_selector("body[data-charts-ready]", state="attached")
    return page.evaluate(f"document.getElementById('{element_id}').data.map(t => t.uid)")


def test_an_oncologist_works_through_worklist_patient_cohort_and_inbox(
    browser, live_server, clinic
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch_for_errors(page)
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
    assert recommendation.dose_change.kind == "hold"
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


@pytest.fixture
def seeded_clinic():
    """The demo cohort as `seed_demo` makes it (six patients a site), and this
    morning's visit: grade 3 blood pressure on optimal therapy for the first active
    lenvatinib patient of Northgate, so a withhold waits for the oncologist."""
    import random

    from patients import demo
    from patients.models import TreatmentCourse
    from patients.selectors import dose_state
    from toxicity import demo as toxicity_demo

    seeded = demo.seed(patients_per_site=6, password_source=random.Random(9))
    users = {user.username: user for user in seeded}
    toxicity_demo.seed_visits()
    nurse = member_user("nurse.ngt")
    course = next(
        c
        for c in TreatmentCourse.objects.filter(patient__site__code="ngt", drug="lenvatinib")
        .select_related("patient")
        .order_by("id")
        if dose_state(c).status == "active"
    )
    visit = data.log_visit(
        nurse,
        course,
        days_ago=0.1,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    return {
        "password": users["oncologist.ngt"].password,
        "course": course,
        "patient": course.patient,
        "recommendation": visit.recommendations.get(),
    }


def member_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_oncologists_day_on_the_demo_cohort(browser, live_server, seeded_clinic):
    """Sign a withhold resumed at 14 mg; the alert closes; the plan and reason show;
    the worklist keeps only who needs a clinician, saying why."""
    from notifications.models import Alert
    from patients.selectors import dose_state

    patient, course = seeded_clinic["patient"], seeded_clinic["course"]
    recommendation = seeded_clinic["recommendation"]
    assert recommendation.action == "withhold"
    (alert,) = Alert.objects.filter(course=course, acknowledged_at__isnull=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url
    page.goto(f"{base}/")
    page.fill("#id_username", "oncologist.ngt")
    page.fill("#id_password", seeded_clinic["password"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The worklist: each row says why; the new withhold is there to sign.
    rows = page.locator("#worklist tbody tr")
    assert 0 < rows.count() < 6, "only the patients who need a clinician, not all six"
    for index in range(rows.count()):
        assert rows.nth(index).locator("ul.why li").count() >= 1
    row = rows.filter(has_text=f"{patient.family_name}, {patient.given_name}")
    assert "Withhold recommendation to sign" in row.inner_text()

    # The inbox: the withhold asks for the resume dose; approve it resumed at 14 mg/day.
    page.click("nav >> text=Inbox")
    card = page.locator(f"#rec-{recommendation.pk}")
    card.locator("input[name=decision][value=approve_modified]").check()
    dose = card.locator("[data-for=approve_modified]")
    assert "Resume dose once recovered" in dose.inner_text()
    dose.locator("select").select_option("14")
    card.locator("textarea[name=reason]").fill("Frail; resume two levels down")
    card.locator("input[name=password]").fill(seeded_clinic["password"])
    card.locator("button.sign").click()
    page.wait_for_selector(".messages li.success")
    history = page.locator("#signed-history").inner_text()
    assert "Hold now; resume at 14 mg/day once recovered" in history
    assert "Frail; resume two levels down" in history

    # Held now, resuming at 14 later; the alert is acknowledged by the decision.
    state = dose_state(course)
    assert (state.status, state.held_at_dose_mg) == ("on_hold", 24)
    alert.refresh_from_db()
    assert alert.acknowledged_by.username == "oncologist.ngt"
    assert f"R{recommendation.pk}" in alert.acknowledgement

    # The patient page shows the hold plan and the reason.
    page.goto(f"{base}/patients/{patient.pk}/")
    plan = page.locator(f"#hold-plan-{course.pk}").inner_text()
    assert "Hypertension" in plan
    assert "hypertension <= grade 2" in plan
    assert "14 mg/day (chosen by the oncologist)" in plan
    assert "Frail; resume two levels down" in plan
    page.screenshot(path=str(SHOTS / "day-patient.png"), full_page=True)

    # Back on the worklist: the patient stays for the hold plan, with nothing to sign.
    page.click("nav >> text=Worklist")
    row = page.locator("#worklist tbody tr").filter(
        has_text=f"{patient.family_name}, {patient.given_name}"
    )
    text = row.inner_text()
    assert "resume at 14 mg/day when hypertension <= grade 2" in text
    assert "to sign" not in text and "to acknowledge" not in text
    worklist = page.locator("#worklist").inner_text()
    assert " overdue since " in worklist  # the seeded cohort has overdue monitoring ...
    assert not re.search(r"\b\d+ overdue\b", worklist)  # ... named by its test
    page.screenshot(path=str(SHOTS / "day-worklist.png"), full_page=True)
    assert errors == []
