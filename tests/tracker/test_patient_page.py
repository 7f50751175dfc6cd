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


# --- what the patient reported from home ------------------------------------------------------
@pytest.fixture
def account(nurse, patient, settings):
    from tests.reports.factories import patient_account

    # Argon2 is tested in tests/config/test_security.py; here it would cost seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return patient_account(nurse, patient)


def home_sitting(account, readings, *, hours_ago=2, period="morning"):
    from reports import services

    session = {"period": period, "taken_at": timezone.now() - data.timedelta(hours=hours_ago)}
    for n, (sbp, dbp) in enumerate(readings, start=1):
        session[f"sbp{n}"], session[f"dbp{n}"] = sbp, dbp
    return services.record_home_bp(account=account, sessions=[session])[0]


def trace_of(response, uid: str) -> dict:
    return next(t for t in figure(response)["data"] if t["uid"] == uid)


def test_home_readings_are_drawn_as_home_readings_in_the_clinics_zone(
    logged_in, oncologist, course, account
):
    course.patient.site.time_zone = "Asia/Shanghai"
    course.patient.site.save()
    home_sitting(account, [(165, 102), (163, 101)])
    home = trace_of(logged_in(oncologist).get(url(course.patient)), "sbp-home")
    assert home["name"] == "Home reading (patient)"
    assert home["marker"]["symbol"] == "diamond-open"
    assert home["y"] == [164.0]
    assert "%{x} Asia/Shanghai%{customdata[0]}" in home["hovertemplate"]
    assert (
        "CTCAE grade %{customdata[2]} from a home reading (not a visit)" in (home["hovertemplate"])
    )
    assert home["customdata"] == [[", Morning", "165/102, 163/101", 3, ""]]


def test_weekly_composites_are_drawn_on_their_own_track(
    logged_in, oncologist, recommendation, account
):
    from tests.reports.factories import weekly_report

    weekly_report(
        account, {"diarrhea": {"frequency": 4}, "fatigue": {"severity": 1, "interference": 0}}
    )
    response = logged_in(oncologist).get(url(recommendation.course.patient))
    pro = trace_of(response, "pro-composites")
    assert dict(zip(pro["y"], pro["text"], strict=True)) == {"Diarrhoea": "3", "Tiredness": "1"}
    assert pro["yaxis"] != trace_of(response, "grades")["yaxis"]
    assert "PRO-CTCAE" in figure(response)["layout"]["yaxis4"]["title"]["text"]


def test_the_table_beside_the_chart_lists_home_readings_and_composites(
    logged_in, oncologist, course, account
):
    from tests.reports.factories import weekly_report

    home_sitting(account, [(150, 95)], period="evening")
    weekly_report(account, {"diarrhea": {"frequency": 4}})
    html = logged_in(oncologist).get(url(course.patient)).content.decode()
    section = html[html.index('id="reported-from-home"') :]
    assert "150/95" in section and "G2 (provisional)" in section
    assert '<th scope="col">Diarrhoea</th>' in section and "PRO 3" in section
    assert f'href="/patient-reports/patients/{course.patient.pk}/"' in section


def test_without_reports_the_page_says_so_and_draws_no_home_trace(logged_in, oncologist, course):
    response = logged_in(oncologist).get(url(course.patient))
    assert not {"sbp-home", "pro-composites"} & set(uids(response))
    assert "No home readings." in response.content.decode()


def test_reported_missed_doses_show_beside_the_ledgers_dose_intensity(
    logged_in, oncologist, course, account
):
    from reports import services

    for days_ago in (3, 4):
        services.record_dose(
            account=account,
            day=timezone.localdate() - data.timedelta(days=days_ago),
            status="missed",
        )
    response = logged_in(oncologist).get(url(course.patient))
    (figures,) = response.context["page"].courses
    assert figures.metrics.rdi_percent == pytest.approx(100)  # the ledger is unchanged
    assert figures.reported.days_reported == 2
    assert figures.reported.taken_rdi_percent == pytest.approx(
        100 * (figures.metrics.delivered_mg - 48) / figures.metrics.delivered_mg
    )
    html = response.content.decode()
    assert "taken, as reported by the patient" in html
    total = f"{figures.reported.days_on_treatment:.0f}"
    assert f"2 days reported of {total} on treatment" in html and "2 missed" in html


def test_the_query_count_does_not_grow_with_the_number_of_reports(
    logged_in, oncologist, nurse, patient, account, site, django_assert_max_num_queries
):
    from tests.reports.factories import patient_account

    client = logged_in(oncologist)
    few = data.start_course(oncologist, patient, days_ago=100)
    data.bulk_home_reports(account, weeks=2, course=few)
    queries_for(client, patient)  # the first request of a session settles it
    small = queries_for(client, patient)
    many = PatientFactory(site=site)
    long_course = data.start_course(oncologist, many, days_ago=400)
    data.bulk_home_reports(patient_account(nurse, many), weeks=52, course=long_course)
    with django_assert_max_num_queries(small):
        response = client.get(url(many))
    assert len(response.context["page"].timeline.home_bp) == 52 * 14
    assert response.context["page"].courses[0].reported.days_reported == 52


def test_a_long_home_series_is_thinned_but_keeps_every_grade_3(
    logged_in, oncologist, account, course
):
    data.bulk_home_reports(account, weeks=52, course=course)  # 728 sittings, 10 of grade 3
    home = trace_of(logged_in(oncologist).get(url(course.patient)), "sbp-home")
    assert len(home["y"]) <= 320
    assert home["y"].count(165.0) == 10
