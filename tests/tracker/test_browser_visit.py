"""The nurse's visit form and the tablet in a real browser (Debian's chromium).

Uses the clinic of test_browser.py: a patient whose weekly visits carry ALT with its
ULN, so the form opens with that ULN filled in. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.tracker.test_browser import SHOTS, browser, clinic, login  # noqa: F401 (fixtures)
from toxicity.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_form(page, base: str, clinic) -> None:  # noqa: F811 (the fixture's value)
    page.goto(f"{base}/patients/{clinic['patient'].pk}/")
    page.click("text=Log a visit")
    page.wait_for_selector("#visit-form")


def active(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name")


def test_a_vitals_only_visit_after_a_labs_visit_saves_from_the_keyboard(
    browser,  # noqa: F811
    live_server,
    clinic,  # noqa: F811
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, "nurse.lee")
    open_form(page, live_server.url, clinic)
    assert page.input_value("#id_alt_uln") == "40"  # carried over from the last labs visit
    assert active(page) == "id_bp1_sbp"  # the cursor starts in the first BP box
    before = Visit.objects.count()
    page.keyboard.type("128")
    page.keyboard.press("Tab")
    page.keyboard.type("82")
    page.keyboard.press("Tab")
    page.keyboard.type("126")
    page.keyboard.press("Tab")
    page.keyboard.type("80")
    page.fill("#id_weight_kg", "68.5")
    # The live preview still answers while the nurse types.
    page.wait_for_selector("#preview-grades li")
    assert "Hypertension: grade 1" in page.inner_text("#preview-grades")
    page.focus("#id_weight_kg")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".messages li.success")
    assert page.url.endswith(f"/patients/{clinic['patient'].pk}/")
    assert Visit.objects.count() == before + 1
    visit = Visit.objects.latest("recorded_at")
    assert sorted(visit.observations.values_list("term", flat=True)) == [
        "hypertension",
        "weight_loss",
    ]


def test_a_refused_save_puts_the_cursor_on_the_summary_of_what_to_correct(
    browser,  # noqa: F811
    live_server,
    clinic,  # noqa: F811
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "nurse.lee")
    open_form(page, live_server.url, clinic)
    before = Visit.objects.count()
    page.fill("#id_bp1_sbp", "14O")
    page.fill("#id_weight_kg", "7e")
    page.click("#save-visit")
    page.wait_for_selector("#error-summary")
    assert active(page) == "error-summary"
    box = page.locator("#error-summary").bounding_box()
    assert 0 <= box["y"] < 1180  # in view, not left at the top of a page scrolled away
    summary = page.inner_text("#error-summary")
    assert "Reading 1 systolic is not a number" in summary
    assert "Weight (kg) is not a number" in summary
    assert page.input_value("#id_weight_kg") == "7e"  # nothing typed is lost
    page.screenshot(path=str(SHOTS / "visit-form-errors-tablet.png"), full_page=True)
    page.click("#error-summary a[href='#id_weight_kg']")
    assert active(page) == "id_weight_kg"
    assert Visit.objects.count() == before


def test_at_tablet_width_the_worklist_fits_and_the_timeline_uses_the_width(
    browser,  # noqa: F811
    live_server,
    clinic,  # noqa: F811
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "dr.okafor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.screenshot(path=str(SHOTS / "worklist-tablet.png"), full_page=True)
    page.goto(f"{live_server.url}/patients/{clinic['patient'].pk}/")
    page.wait_for_selector("body[data-charts-ready]", state="attached")
    plot = page.evaluate(
        "(() => { const d = document.getElementById('patient-chart');"
        " return {div: d.getBoundingClientRect().width, plot: d._fullLayout._size.w}; })()"
    )
    assert plot["plot"] >= 0.7 * plot["div"], plot
    assert page.locator("#patient-chart .colorbar").count() == 1  # the grade key is drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.locator("#patient-chart").screenshot(path=str(SHOTS / "timeline-tablet.png"))
