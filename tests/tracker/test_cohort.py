"""The cohort dashboard: swimmer plot, worst grades, RDI, time to first reduction."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from patients.models import Role, SiteMembership
from tests.factories import PatientFactory
from tests.tracker import data
from tracker import selectors
from tracker.selectors import COHORT_CHART_COURSES

URL = reverse("tracker:cohort")
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def figure(response, name: str) -> dict:
    html = response.content.decode()
    tag = f'<script id="{name}-figure" type="application/json">'
    start = html.index(tag) + len(tag)
    return json.loads(html[start : html.index("</script>", start)])


def rows_of(response, table: str) -> list[list[str]]:
    reply = response.client.get(URL, {**response.wsgi_request.GET.dict(), "csv": table})
    assert reply["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(reply.content.decode())))


@pytest.fixture
def cohort(site, other_site, oncologist, nurse, time_machine):
    time_machine.move_to(NOW, tick=False)
    for drug, dose in (("lenvatinib", 24), ("sorafenib", 800), ("cabozantinib", 60)):
        patient = PatientFactory(site=site, family_name=drug.capitalize())
        course = data.start_course(oncologist, patient, days_ago=80, drug=drug, dose=dose)
        data.log_visit(nurse, course, days_ago=5, observations=[data.hypertension()])
    data.bulk_cohort(other_site, oncologist, patients=3)  # not the oncologist's site


def test_it_shows_every_course_of_the_users_sites_and_no_other(logged_in, oncologist, cohort):
    response = logged_in(oncologist).get(URL)
    swimmer = figure(response, "swimmer")
    start = next(t for t in swimmer["data"] if t["uid"] == "swimmer-level-0")
    assert len(start["y"]) == 3


def test_grade_3_events_are_marked_on_the_swimmer_plot(logged_in, oncologist, cohort):
    swimmer = figure(logged_in(oncologist).get(URL), "swimmer")
    events = next(t for t in swimmer["data"] if t["uid"] == "swimmer-grade3")
    assert events["text"] == ["Hypertension G3"] * 3


def test_it_filters_by_drug(logged_in, oncologist, cohort):
    response = logged_in(oncologist).get(URL, {"drug": "sorafenib"})
    assert [r.course.drug for r in response.context["shown"]] == ["sorafenib"]


def test_it_filters_by_start_date(logged_in, oncologist, cohort, patient):
    data.start_course(oncologist, patient, days_ago=3)
    since = data.timezone.localdate() - data.timedelta(days=10)
    response = logged_in(oncologist).get(URL, {"from": since.isoformat()})
    assert [r.course.patient_id for r in response.context["shown"]] == [patient.pk]


def test_a_site_the_user_does_not_work_at_is_refused(logged_in, oncologist, other_site, cohort):
    assert logged_in(oncologist).get(URL, {"site": other_site.pk}).status_code == 404


def test_it_filters_by_one_of_the_users_sites(logged_in, oncologist, site, other_site, cohort):
    SiteMembership.objects.create(user=oncologist, site=other_site, role=Role.ONCOLOGIST)
    client = logged_in(oncologist)
    assert len(client.get(URL).context["rows"]) == 6
    assert len(client.get(URL, {"site": other_site.pk}).context["rows"]) == 3


def test_the_courses_table_downloads_as_csv(logged_in, oncologist, cohort):
    rows = rows_of(logged_in(oncologist).get(URL), "courses")
    assert rows[0][:3] == ["Reference", "Drug", "Course"]
    assert sorted(r[1] for r in rows[1:]) == ["cabozantinib", "lenvatinib", "sorafenib"]


def test_the_worst_grade_table_downloads_as_csv(logged_in, oncologist, cohort):
    rows = rows_of(logged_in(oncologist).get(URL), "worst")
    assert ["lenvatinib", "Hypertension", "0", "0", "0", "1", "0"] in rows


def test_the_courses_table_carries_rdi_and_time_to_first_reduction(logged_in, oncologist, cohort):
    rows = rows_of(logged_in(oncologist).get(URL, {"drug": "lenvatinib"}), "courses")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["RDI (%)"] == "100.0"
    assert record["Days on treatment"] == "80"
    assert (record["Reductions"], record["Days to first reduction"]) == ("0", "")


def test_the_csv_keeps_the_filters(logged_in, oncologist, cohort):
    rows = rows_of(logged_in(oncologist).get(URL, {"drug": "sorafenib"}), "courses")
    assert [r[1] for r in rows[1:]] == ["sorafenib"]


def test_an_unknown_table_is_404(logged_in, oncologist, cohort):
    assert logged_in(oncologist).get(URL, {"csv": "secrets"}).status_code == 404


def test_the_tables_are_on_the_page_without_javascript(logged_in, oncologist, cohort):
    html = logged_in(oncologist).get(URL).content.decode()
    for table in ("courses", "worst"):
        assert f'id="table-{table}"' in html


# --- doses as the patients report them ---------------------------------------------------------
@pytest.fixture
def reported(site, oncologist, cohort):
    """The lenvatinib patient (24 mg for 80 days) reports 8 missed days."""
    from patients.models import TreatmentCourse

    course = TreatmentCourse.objects.get(patient__site=site, drug="lenvatinib")
    data.bulk_dose_reports([course], days=8)
    return course


def test_the_courses_table_sets_the_reported_rdi_beside_the_ledgers(
    logged_in, oncologist, reported
):
    rows = rows_of(logged_in(oncologist).get(URL), "courses")
    records = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    lenvatinib = records["lenvatinib"]
    assert lenvatinib["RDI (%)"] == "100.0"  # the ledger, unchanged
    assert lenvatinib["RDI taken, as reported by the patient (%)"] == "90.0"  # 72 of 80 days
    assert lenvatinib["Days reported by the patient"] == "8"
    assert records["sorafenib"]["RDI taken, as reported by the patient (%)"] == ""


def test_the_rdi_figure_has_a_reported_box_only_where_patients_reported(
    logged_in, oncologist, reported
):
    rdi = figure(logged_in(oncologist).get(URL), "rdi")
    uids = [t["uid"] for t in rdi["data"]]
    assert "rdi-reported-lenvatinib" in uids and "rdi-reported-sorafenib" not in uids
    box = next(t for t in rdi["data"] if t["uid"] == "rdi-reported-lenvatinib")
    assert box["name"] == "Lenvatinib: taken, as reported"
    assert box["y"] == [90.0]
    assert box["text"][0].endswith(": 8 days reported by the patient")


def test_the_drug_summary_gives_the_median_reported_rdi_and_its_courses(
    logged_in, oncologist, reported
):
    (lenvatinib,) = [
        s for s in logged_in(oncologist).get(URL).context["summary"] if s["drug"] == "lenvatinib"
    ]
    assert lenvatinib["reported_courses"] == 1
    assert round(lenvatinib["median_reported_rdi"], 1) == 90.0


# --- at network size: the swimmer plot's chosen courses, the rest counted ----------------
@pytest.fixture
def many(site, oncologist):
    return data.bulk_cohort(site, oncologist, patients=COHORT_CHART_COURSES + 10)


def swimmer_rows(response) -> list[str]:
    bars = next(t for t in figure(response, "swimmer")["data"] if t["uid"] == "swimmer-level-0")
    return list(dict.fromkeys(bars["y"]))


def test_the_swimmer_plot_draws_at_most_its_limit_of_courses(logged_in, oncologist, many):
    response = logged_in(oncologist).get(URL)
    assert len(response.context["shown"]) == COHORT_CHART_COURSES
    assert len(swimmer_rows(response)) == COHORT_CHART_COURSES
    assert len(response.context["rows"]) == COHORT_CHART_COURSES + 10


def test_the_page_says_how_many_courses_the_plot_shows_of_all(logged_in, oncologist, many):
    page = logged_in(oncologist).get(URL).content.decode()
    total = COHORT_CHART_COURSES + 10
    assert f"{COHORT_CHART_COURSES} of {total} courses in the plot" in page
    assert "chosen by: Longest on treatment" in page


def test_the_most_recent_order_draws_the_latest_started_courses(logged_in, oncologist, many):
    response = logged_in(oncologist).get(URL, {"order": "recent"})
    latest = max(c.start_date for c in many)
    starts = [r.course.start_date for r in response.context["shown"]]
    assert latest in starts
    assert min(starts) >= sorted(c.start_date for c in many)[-COHORT_CHART_COURSES]


def test_the_worst_grade_order_draws_the_courses_with_a_grade_3_first(logged_in, oncologist, many):
    response = logged_in(oncologist).get(URL, {"order": "toxic"})
    graded = [i for i, _ in enumerate(many) if i % 4 == 0]  # bulk_cohort's grade 3 visits
    shown = {r.course.pk for r in response.context["shown"]}
    assert {many[i].pk for i in graded} <= shown


def test_the_plot_lists_its_courses_in_the_order_chosen(logged_in, site, oncologist):
    """With fewer courses than the plot's limit, the order still decides the rows' order."""
    old = data.start_course(oncologist, PatientFactory(site=site), days_ago=300)
    new = data.start_course(oncologist, PatientFactory(site=site), days_ago=10)
    client = logged_in(oncologist)
    longest = [r.course.pk for r in client.get(URL, {"order": "longest"}).context["shown"]]
    recent = [r.course.pk for r in client.get(URL, {"order": "recent"}).context["shown"]]
    assert longest == [old.pk, new.pk]
    assert recent == [new.pk, old.pk]


def test_the_courses_csv_has_every_course_not_only_the_plotted_ones(logged_in, oncologist, many):
    response = logged_in(oncologist).get(URL)
    assert len(rows_of(response, "courses")) == 1 + COHORT_CHART_COURSES + 10


def test_the_worst_grade_counts_cover_every_course(logged_in, oncologist, many):
    (lenvatinib,) = [
        row
        for row in rows_of(logged_in(oncologist).get(URL), "worst")[1:]
        if row[0] == "lenvatinib"
    ]
    graded = sum(1 for i, c in enumerate(many) if i % 4 == 0 and c.drug == "lenvatinib")
    assert lenvatinib[1:] == ["Hypertension", "0", "0", "0", str(graded), "0"]


def test_the_drug_summary_counts_each_status_and_the_grade_3_courses(logged_in, oncologist, many):
    (lenvatinib,) = [
        s for s in logged_in(oncologist).get(URL).context["summary"] if s["drug"] == "lenvatinib"
    ]
    indices = [i for i, c in enumerate(many) if c.drug == "lenvatinib"]
    held = sum(1 for i in indices if i % 3 == 0)
    assert (lenvatinib["on_hold"], lenvatinib["active"]) == (held, len(indices) - held)
    assert lenvatinib["ended"] == 0
    assert lenvatinib["grade3"] == sum(1 for i in indices if i % 4 == 0)


def test_the_summary_figures_are_the_full_courses_figures(oncologist, site, many):
    now = data.timezone.now()
    full = selectors.cohort(oncologist, limit=None, now=now)
    figures = {f.pk: f.metrics for f in full.figures}
    assert figures == {row.course.pk: row.metrics for row in full.shown}
