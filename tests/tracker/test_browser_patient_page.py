"""The patient page in a real browser (Debian's chromium): readable term names on the
timeline, the page without its charts, the printed record, the icon.

Uses the browser and the clinic of test_browser.py. Screenshots go to var/screenshots/.
"""

# ruff: noqa: F811 (pytest fixtures imported from test_browser.py, named as parameters)
from __future__ import annotations

import pytest

from patients.models import Patient
from tests.factories import PatientFactory
from tests.tracker import data
from tests.tracker.test_browser import SHOTS, browser, clinic, login  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The labs with the longest CTCAE names, which wrap onto two and three lines.
LONG_NAMED = [
    {"term": "alanine_aminotransferase_increased", "value": 62, "uln": 40},
    {"term": "aspartate_aminotransferase_increased", "value": 30, "uln": 40},
    {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 470},
    {"term": "hypocalcemia", "calcium_mg_dl": 8.9, "albumin_g_dl": 4.0, "lln": 8.5},
    {"term": "hypothyroidism", "grade": 1},
    {"term": "proteinuria", "urine_protein_g_24h": 0.4},
]


@pytest.fixture
def many_terms(clinic):
    """A second patient of the clinic graded on nine terms, three with long names."""
    patient = PatientFactory(site=clinic["patient"].site, family_name="Corrigan", given_name="Ines")
    course = data.start_course(clinic["oncologist"], patient, days_ago=60)
    for days_ago in (56, 42, 28, 14):
        data.log_visit(
            clinic["nurse"],
            course,
            days_ago=days_ago,
            observations=[
                {"term": "hypertension", "readings": [[132, 84], [130, 82]]},
                {"term": "fatigue", "grade": 1},
                {"term": "weight_loss", "weight_kg": 68},
                *LONG_NAMED,
            ],
        )
    return patient


def open_patient(page, base: str, patient) -> None:
    page.goto(f"{base}/patients/{patient.pk}/")
    page.wait_for_selector("body[data-charts-ready]", state="attached")


def grades_axis(page) -> str:
    """The timeline's y axis that holds the grade heatmap: 'y3' for the third row."""
    axis = page.evaluate(
        "document.getElementById('patient-chart').data.find(t => t.uid === 'grades').yaxis"
    )
    assert axis.startswith("y")
    return axis


def boxes(page, selector: str) -> list[dict]:
    return [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_grade_rows_names_overlap_neither_each_other_nor_the_axis_title(
    browser, live_server, clinic, many_terms
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "dr.okafor")
    open_patient(page, live_server.url, many_terms)
    axis = grades_axis(page)
    labels = boxes(page, f"#patient-chart .{axis}tick text")
    assert len(labels) == 9
    ticks = page.locator(f"#patient-chart .{axis}tick text")
    # Labelled by the visit grid's short heading (the CTCAE name is on hover there).
    assert ticks.filter(has_text="QTc").count() == 1
    for i, label in enumerate(labels):
        for other in labels[i + 1 :]:
            assert not overlap(label, other), (label, other)
    (title,) = boxes(page, f"#patient-chart .g-{axis}title text")
    assert not any(overlap(title, label) for label in labels), title
    assert title["x"] >= 0  # not cut off at the card's edge
    page.locator("#patient-chart").screenshot(path=str(SHOTS / "timeline-grades.png"))


def test_without_plotly_the_page_keeps_its_record_and_tables_and_says_so(
    browser, live_server, clinic
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server.url, "dr.okafor")
    page.route("**/plotly-cartesian*.js", lambda route: route.abort())
    page.goto(f"{live_server.url}/patients/{clinic['patient'].pk}/")
    page.wait_for_selector("[data-chart-failed]:not([hidden])")
    assert page.locator("#visits-table tbody tr").count() > 0
    assert page.get_by_text("Log a visit").is_visible()
    assert page.locator("body[data-charts-ready]").count() == 0
    assert errors == []


def test_without_javascript_the_record_and_tables_show(browser, live_server, clinic):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 820, "height": 1180}
    )
    page = context.new_page()
    login(page, live_server.url, "dr.okafor")
    page.goto(f"{live_server.url}/patients/{clinic['patient'].pk}/")
    assert page.locator("#visits-table tbody tr").count() > 0
    assert page.locator("[data-chart-failed]").is_hidden()
    context.close()


def test_the_printed_record_shows_the_hold_plan_ledger_and_reasons_without_navigation(
    browser, live_server, clinic
):
    held = Patient.objects.get(family_name="Baines")
    course = held.courses.get()
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "dr.okafor")
    open_patient(page, live_server.url, held)
    assert page.locator("header.bar nav").is_visible()  # on screen, the navigation shows

    page.emulate_media(media="print")
    assert page.locator("header.bar").is_hidden()
    assert page.get_by_text("Log a visit").is_hidden()
    assert page.locator(f"#hold-plan-{course.pk}").is_visible()
    ledger = page.locator("table", has=page.locator("th", has_text="Reason"))
    assert ledger.is_visible()
    assert ledger.get_by_text("Grade 3 diarrhea").is_visible()
    # No scroll box cuts a table off on paper.
    assert page.evaluate(
        "[...document.querySelectorAll('.scroll')]"
        ".every(s => getComputedStyle(s).maxHeight === 'none')"
    )
    page.pdf(path=str(SHOTS / "patient-print.pdf"))


def test_every_page_links_the_icon_served_from_static(browser, live_server, clinic):
    page = browser.new_page()
    login(page, live_server.url, "dr.okafor")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href.startswith("/static/")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "<svg" in response.text()


def test_reports_from_home_are_drawn_apart_with_readable_symptom_names(
    browser, live_server, clinic, many_terms
):
    from tests.reports.factories import patient_account

    account = patient_account(clinic["nurse"], many_terms)
    data.bulk_home_reports(account, weeks=8, course=many_terms.courses.get(), grade3_every=4)
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    login(page, live_server.url, "dr.okafor")
    open_patient(page, live_server.url, many_terms)
    drawn = page.evaluate(
        "document.getElementById('patient-chart').data"
        ".filter(t => ['sbp-home', 'dbp-home', 'pro-composites'].includes(t.uid))"
        ".map(t => [t.uid, t.yaxis])"
    )
    assert [uid for uid, _ in drawn] == ["sbp-home", "dbp-home", "pro-composites"]
    pro_axis = dict(drawn)["pro-composites"]
    assert pro_axis != grades_axis(page)
    labels = boxes(page, f"#patient-chart .{pro_axis}tick text")
    assert len(labels) == 3  # diarrhoea, tiredness, nausea
    for i, label in enumerate(labels):
        for other in labels[i + 1 :]:
            assert not overlap(label, other), (label, other)
    titles = boxes(page, f"#patient-chart .g-{pro_axis}title text")
    assert titles and not any(overlap(t, label) for t in titles for label in labels)
    assert page.locator("#patient-chart .legendtext", has_text="Home reading (patient)").count()
    assert page.locator("#home-bp-table tbody tr").count() == 10
    page.locator("#patient-chart").screenshot(path=str(SHOTS / "timeline-reported.png"))


@pytest.fixture
def under_surveillance(clinic):
    """A patient on active surveillance, no course yet: three CTs (the third PD) and
    four Tg values doubling in under a year."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.disease.conftest import record_study, record_tg, target

    nurse = clinic["nurse"]
    patient = PatientFactory(site=clinic["patient"].site, family_name="Dunmore", given_name="Pia")
    today = timezone.localdate()
    record_study(nurse, patient, today - timedelta(days=300), target("T1", "30"), baseline=True)
    record_study(nurse, patient, today - timedelta(days=200), target("T1", "31"))
    record_study(nurse, patient, today - timedelta(days=30), target("T1", "40"))
    for days, tg in ((360, "2.0"), (240, "2.8"), (120, "4.1"), (10, "5.6")):
        record_tg(nurse, patient, today - timedelta(days=days), tg)
    return patient


def test_a_surveillance_patients_timeline_shows_the_responses_and_the_doubling_time(
    browser, live_server, clinic, under_surveillance
):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server.url, "dr.okafor")
    open_patient(page, live_server.url, under_surveillance)
    chart = page.locator("#patient-chart")
    labels = chart.locator("g.trace.scatter g.textpoint text")
    assert [labels.nth(i).text_content() for i in range(labels.count())] == [
        "baseline",
        "SD",
        "PD",
    ]
    assert chart.locator("g.annotation", has_text="category < 1 year").is_visible()
    assert chart.locator("g.annotation", has_text="Tg doubling time").is_visible()
    assert page.locator("#timeline-disease-note").is_visible()
    assert errors == []
    chart.screenshot(path=str(SHOTS / "timeline-disease.png"))
