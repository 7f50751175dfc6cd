"""The patient page: dose figures, next check, and one timeline with a shared time axis."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from patients.services import apply_dose_change
from tests.factories import PatientFactory
from tests.tracker import data


def url(patient) -> str:
    return reverse("tracker:patient", args=[patient.pk])


def figure(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="patient-figure" type="application/json">') + len(
        '<script id="patient-figure" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def uids(response) -> list[str]:
    return [t["uid"] for t in figure(response)["data"]]


def test_an_outsider_gets_404(logged_in, outsider, patient):
    assert logged_in(outsider).get(url(patient)).status_code == 404


def test_a_patient_that_does_not_exist_gets_the_same_404(logged_in, oncologist):
    assert logged_in(oncologist).get(reverse("tracker:patient", args=[999999])).status_code == 404


def test_the_figure_goes_to_the_page_as_json_with_no_inline_script(
    logged_in, oncologist, recommendation
):
    response = logged_in(oncologist).get(url(recommendation.course.patient))
    html = response.content.decode()
    assert "sbp-mean" in uids(response) and "dose" in uids(response)
    # Every <script> either loads a static file or carries JSON data.
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith(("src=", 'id="patient-figure" type="application/json"'))
    assert "/static/vendor/plotly/plotly-cartesian.min" in html


def test_it_shows_the_dose_figures_of_reference_md_3_4(logged_in, oncologist, course, time_machine):
    apply_dose_change(
        actor=oncologist,
        course=course,
        kind="hold",
        dose_after_mg=0,
        reason="Grade 3 hypertension",
        effective_at=course.dose_changes.get().effective_at + data.timedelta(days=14),
    )
    apply_dose_change(
        actor=oncologist,
        course=course,
        kind="resume",
        dose_after_mg=20,
        reason="Recovered",
        effective_at=course.dose_changes.first().effective_at + data.timedelta(days=21),
    )
    time_machine.move_to(course.dose_changes.first().effective_at + data.timedelta(days=56))
    response = logged_in(oncologist).get(url(course.patient))
    (figures,) = response.context["page"].courses
    assert round(figures.metrics.rdi_percent, 1) == 77.1
    assert round(figures.metrics.average_daily_dose_mg, 1) == 21.1
    assert figures.metrics.reductions == 1
    assert "77.1" in response.content.decode()


def test_the_dose_chart_notes_the_hold_with_its_reason(logged_in, oncologist, course):
    apply_dose_change(
        actor=oncologist, course=course, kind="hold", dose_after_mg=0, reason="Grade 3 diarrhea"
    )
    fig = figure(logged_in(oncologist).get(url(course.patient)))
    notes = [a for a in fig["layout"]["annotations"] if a.get("hovertext")]
    assert notes[-1]["text"] == "Hold"
    assert notes[-1]["hovertext"].startswith("Grade 3 diarrhea")


def test_it_shows_the_next_monitoring_check(logged_in, oncologist, recommendation):
    response = logged_in(oncologist).get(url(recommendation.course.patient))
    (figures,) = response.context["page"].courses
    assert figures.next_check is not None
    assert figures.next_check.get_kind_display() in response.content.decode()


def test_a_nurse_is_pointed_to_the_inbox_not_asked_to_sign(logged_in, nurse, recommendation):
    html = logged_in(nurse).get(url(recommendation.course.patient)).content.decode()
    assert "see the inbox" in html and "review and sign" not in html


def test_the_visits_download_as_csv(logged_in, oncologist, recommendation):
    response = logged_in(oncologist).get(url(recommendation.course.patient), {"csv": "visits"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Visit", "Term", "Grade", "Provisional"]
    assert ["Hypertension", "3"] in [r[1:3] for r in rows]


def test_the_ledger_downloads_as_csv(logged_in, oncologist, course):
    response = logged_in(oncologist).get(url(course.patient), {"csv": "dose"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][3:6] == ["start", "", "24"]


def queries_for(client, patient) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(patient)).status_code == 200
    return len(captured)


@pytest.fixture
def long_history(oncologist, nurse, site):
    """500 weekly visits (about ten years) with a grade 3 blood pressure every 25th."""
    patient = PatientFactory(site=site, diagnosis_date=date(2010, 1, 1))
    course = data.start_course(oncologist, patient, days_ago=3510)
    data.bulk_visits(course, nurse, count=500)
    return patient


def test_the_query_count_does_not_grow_with_the_number_of_visits(
    logged_in, oncologist, nurse, patient, long_history, django_assert_max_num_queries
):
    client = logged_in(oncologist)
    short = data.start_course(oncologist, patient, days_ago=100)
    data.bulk_visits(short, nurse, count=10)
    queries_for(client, patient)  # the first request of a session settles it
    ten = queries_for(client, patient)
    with django_assert_max_num_queries(ten):
        client.get(url(long_history))
    assert queries_for(client, long_history) == ten


def test_a_long_history_is_thinned_but_keeps_every_grade_3(logged_in, oncologist, long_history):
    fig = figure(logged_in(oncologist).get(url(long_history)))
    mean = next(t for t in fig["data"] if t["uid"] == "sbp-mean")
    assert len(mean["y"]) <= 320
    assert mean["y"].count(164.0) == 20  # each grade 3 visit (1 in 25) is still drawn


def test_a_pending_recommendation_is_shown_without_another_query(
    logged_in, oncologist, recommendation, site
):
    """The page reads only the recommendation fields it shows; reaching for another
    (deferred) field would cost a query per recommendation."""
    client = logged_in(oncologist)
    quiet = PatientFactory(site=site)
    data.start_course(oncologist, quiet, days_ago=30)
    queries_for(client, quiet)  # the first request of a session settles it
    without = queries_for(client, quiet)
    pending_url = url(recommendation.course.patient)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(pending_url).content.decode()
    assert len(captured) == without
    assert "1 recommendation waiting for a signature" in html
    assert "(resume at" in html or " to " in html


def test_a_signed_decision_shows_who_signed_when_and_what_it_meant(
    logged_in, oncologist, recommendation
):
    from tests.factories import PASSWORD
    from toxicity.services import decisions

    signed = decisions.decide_recommendation(
        actor=oncologist, recommendation=recommendation, decision="approve", password=PASSWORD
    )
    page = logged_in(oncologist).get(url(recommendation.course.patient)).content.decode()
    assert signed.signer_name in page
    # In the clinic's zone, named (the site's time zone defaults to settings.TIME_ZONE).
    local = timezone.localtime(signed.decided_at, signed.course.patient.site.zone)
    assert formats.date_format(local, "DATETIME_FORMAT") in page
    assert "approved dose change" in page


def test_a_running_course_offers_the_nurse_log_a_visit(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert f'href="/patients/{course.patient.pk}/visits/new/"' in page


@pytest.mark.parametrize("kind", ["discontinue", "complete"])
def test_an_ended_course_does_not_offer_log_a_visit(logged_in, oncologist, nurse, course, kind):
    apply_dose_change(
        actor=oncologist, course=course, kind=kind, dose_after_mg=0, reason="Course ended"
    )
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert "/visits/new/" not in page
    assert "No treatment course is running" in page
    # and the form itself still answers 404 rather than a broken page
    assert logged_in(nurse).get(f"/patients/{course.patient.pk}/visits/new/").status_code == 404


def test_the_navigation_leads_to_the_alerts(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    nav = page[page.index("<nav>") : page.index("</nav>")]
    assert 'href="/alerts/"' in nav


@time_machine.travel(datetime(2026, 6, 1, 2, 30, tzinfo=UTC), tick=False)
def test_times_show_in_the_clinics_zone_with_the_zone_named(logged_in, oncologist, nurse, patient):
    patient.site.time_zone = "Asia/Shanghai"
    patient.site.save()
    course = data.start_course(oncologist, patient, days_ago=30)
    data.log_visit(nurse, course, days_ago=0, observations=[data.hypertension()])
    page = logged_in(oncologist).get(url(patient)).content.decode()
    assert "Visit (Asia/Shanghai)" in page
    assert "<td>1 Jun 2026, 10:30</td>" in page  # 02:30 UTC is 10:30 in Shanghai
