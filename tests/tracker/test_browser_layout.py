"""The pages fit a laptop (1280 px) and a tablet (820 px) in a real browser: no sideways
scrolling, and words wrap at spaces, never inside a word.

Uses the browser fixture of test_browser.py (Debian's chromium through Playwright).
"""

from __future__ import annotations

import pytest

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
from tests.tracker import data
from tests.tracker.test_browser import (  # noqa: F401 (fixtures)
    SHOTS,
    browser,
    login,
    seeded_clinic,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every term the visit form records on its own fields, as the demo's courses carry them.
FORM_TERMS = [
    "alanine_aminotransferase_increased",
    "aspartate_aminotransferase_increased",
    "blood_bilirubin_increased",
    "creatinine_increased",
    "diarrhea",
    "electrocardiogram_qt_corrected_interval_prolonged",
    "fatigue",
    "hypocalcemia",
    "hypothyroidism",
    "palmar_plantar_erythrodysesthesia_syndrome",
    "proteinuria",
    "weight_loss",
]

# The words of an element's text that the browser laid out on more than one line.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // A hyphen or a slash is a fair place to wrap ("Hand-foot", "mg/day").
    for (const match of node.data.matchAll(/[^\\s\\/-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


@pytest.fixture
def graded_everything():
    """A patient whose recent visits grade every term the form has, and hypertension."""
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    oncologist = member(site, Role.ONCOLOGIST, username="dr.okafor")
    nurse = member(site, Role.NURSE, username="nurse.lee")
    patient = PatientFactory(site=site, family_name="Ashworth", given_name="Cora")
    course = data.start_course(oncologist, patient, days_ago=120)
    for days_ago in range(84, 0, -7):
        data.log_visit(
            nurse,
            course,
            days_ago=days_ago,
            observations=[
                data.hypertension(data.NORMAL_BP),
                *({"term": term, "grade": 1} for term in FORM_TERMS),
            ],
        )
    return patient


def fits(page, selector: str) -> dict:
    return page.evaluate(
        """(selector) => { const t = document.querySelector(selector);
           return {table: t.scrollWidth, box: t.parentElement.clientWidth,
                   boxScroll: t.parentElement.scrollWidth,
                   page: document.documentElement.scrollWidth}; }""",
        selector,
    )


@pytest.mark.parametrize("width", [1280, 820])
def test_the_recent_visits_grid_fits_without_sideways_scrolling(
    browser,  # noqa: F811
    live_server,
    graded_everything,
    width,
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    login(page, live_server.url, "nurse.lee")
    page.goto(f"{live_server.url}/patients/{graded_everything.pk}/")
    size = fits(page, "#visits-table")
    assert size["table"] <= size["box"], size
    assert size["boxScroll"] <= size["box"], size
    assert size["page"] <= width, size
    assert page.locator("#visits-table thead th.term").count() == len(FORM_TERMS) + 1
    # The shortened headings keep the CTCAE name for whoever points at them.
    heading = page.locator("#visits-table thead abbr", has_text="QTc")
    assert heading.get_attribute("title") == "Electrocardiogram QT corrected interval prolonged"
    assert page.evaluate(BROKEN_WORDS, "#visits-table thead") == []
    page.locator("#visits-table").screenshot(path=str(SHOTS / f"visits-grid-{width}.png"))


def test_at_tablet_width_the_worklist_wraps_words_at_spaces(
    browser,  # noqa: F811
    live_server,
    seeded_clinic,  # noqa: F811
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "oncologist.ngt")
    page.fill("#id_password", seeded_clinic["password"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#worklist tbody tr").count() > 1
    assert page.evaluate(BROKEN_WORDS, "#worklist") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.screenshot(path=str(SHOTS / "worklist-tablet-words.png"), full_page=True)


def test_at_tablet_width_the_rule_set_page_fits(browser, live_server):  # noqa: F811
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    member(site, Role.PHARMACIST, username="pharmacist.ngt")
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "pharmacist.ngt")
    page.goto(f"{live_server.url}/rules/{site.pk}/lenvatinib/us_pi/")
    assert page.locator("table.rule-rows tbody tr").count() > 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
