"""The patient page's disease tracks from what the disease services recorded: the
series as recist.py assessed it, the Tg doubling time as thyroglobulin.py computes it,
the courses and the board's signed decisions; three queries whatever their length."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disease.services import board
from tests.disease.conftest import record_study, record_tg, target
from tests.factories import PASSWORD, PatientFactory
from tests.tracker import data
from tests.tracker.test_patient_page import figure, uids
from tracker import selectors

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BASE = date(2025, 6, 2)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(patient) -> str:
    return reverse("tracker:patient", args=[patient.pk])


def progressing(nurse, patient):
    """Baseline 50 mm, stable at 52 mm, then 63 mm: PD (+21 % and +11 mm from the nadir)."""
    record_study(
        nurse, patient, BASE, target("T1", "30"), target("T2", "20", organ="liver"), baseline=True
    )
    record_study(
        nurse, patient, date(2025, 9, 1), target("T1", "31"), target("T2", "21", organ="liver")
    )
    record_study(
        nurse, patient, date(2025, 12, 1), target("T1", "38"), target("T2", "25", organ="liver")
    )


def worked_example(nurse, patient, start=date(2024, 1, 1)):
    """reference.md 3.3: Tg 2.0, 2.8, 4.1, 5.6 at 0, 182, 365 and 548 days: 0.9991 y, < 1 y."""
    for days, tg in ((0, "2.0"), (182, "2.8"), (365, "4.1"), (548, "5.6")):
        record_tg(nurse, patient, start + timedelta(days=days), tg)


def signed_decision(nurse, oncologist, patient):
    entry = board.add_board_entry(actor=nurse, patient=patient, question="Start an MKI now?")
    return board.decide_board_entry(
        actor=oncologist,
        entry=entry,
        meeting_on=NOW.date(),
        outcome="start_mki",
        drug="lenvatinib",
        attendees="Dr Oncologist, Dr Surgeon, Dr Radiologist",
        reason="RECIST progression within 12 months",
        password=PASSWORD,
    )


def timeline(patient):
    return selectors.patient_page(patient).timeline


def test_the_studies_are_drawn_as_recist_assessed_them(nurse, patient):
    progressing(nurse, patient)
    imaging = timeline(patient).imaging
    assert [(p.on, p.sum_mm, p.response) for p in imaging] == [
        (BASE, 50.0, ""),
        (date(2025, 9, 1), 52.0, "SD"),
        (date(2025, 12, 1), 63.0, "PD"),
    ]
    assert {p.baseline_on for p in imaging} == {BASE}
    assert imaging[2].change_from_baseline_pct == 26.0


def test_the_doubling_time_is_the_one_thyroglobulin_py_computes(nurse, patient):
    worked_example(nurse, patient)
    summary = timeline(patient).tg_summary
    assert summary.status == "doubling" and summary.category == "<1 y"
    assert summary.doubling_time_years == pytest.approx(0.9991, abs=1e-4)


def test_a_value_left_out_of_the_doubling_time_says_why(nurse, patient):
    worked_example(nurse, patient)
    record_tg(nurse, patient, date(2024, 3, 1), "9.0", antibody="positive")
    record_tg(nurse, patient, date(2024, 4, 1), "3.0", tsh="0.5")
    points = {p.on: p for p in timeline(patient).tg}
    assert points[date(2024, 1, 1)].used
    assert (points[date(2024, 3, 1)].used, points[date(2024, 3, 1)].why_not) == (
        False,
        "anti-Tg antibody positive",
    )
    assert points[date(2024, 4, 1)].why_not == (
        "TSH 0.5 mIU/L is not suppressed (below 0.1 required)"
    )


def test_too_few_qualifying_values_say_how_many_are_needed(nurse, patient):
    for month, tg in ((1, "2.0"), (4, "2.6"), (7, "3.1")):
        record_tg(nurse, patient, date(2025, month, 1), tg)
    summary = timeline(patient).tg_summary
    assert summary.status == "not_computed"
    assert summary.reason == "3 qualifying values; at least 4 are needed"


def test_two_assays_say_choose_one(nurse, patient):
    worked_example(nurse, patient)
    record_tg(nurse, patient, date(2025, 9, 1), "6.0", assay="assay B")
    tl = timeline(patient)
    assert tl.tg_summary.reason == (
        "the values come from more than one assay; choose the assay to follow"
    )
    assert not any(p.used for p in tl.tg)
    assert tl.tg[-1].why_not == "another assay: Tg is compared only within one assay"


def test_a_signed_decision_is_on_the_timeline_with_the_drug_named(nurse, oncologist, patient):
    signed_decision(nurse, oncologist, patient)
    (mark,) = timeline(patient).board
    assert (mark.on, mark.outcome, mark.drug) == (NOW.date(), "Start MKI", "Lenvatinib")
    assert mark.signer == "Olga Oncologist"


def test_an_open_board_entry_is_not_on_the_timeline(nurse, patient):
    board.add_board_entry(actor=nurse, patient=patient, question="Watch or start?")
    assert timeline(patient).board == []


def test_the_courses_are_the_lines_of_therapy_beside_the_disease(nurse, oncologist, patient):
    progressing(nurse, patient)
    data.start_course(oncologist, patient, days_ago=100)
    (line,) = timeline(patient).therapy
    assert (line.line, line.drug, line.start, line.ongoing) == (
        1,
        "Lenvatinib",
        NOW.date() - timedelta(days=100),
        True,
    )
    assert line.end == NOW.date() and not line.targeted


def test_a_discontinued_course_ends_on_the_day_it_was_stopped(nurse, oncologist, patient):
    from patients.services import apply_dose_change

    progressing(nurse, patient)
    course = data.start_course(oncologist, patient, days_ago=100)
    apply_dose_change(
        actor=oncologist,
        course=course,
        kind="discontinue",
        dose_after_mg=0,
        effective_at=NOW - timedelta(days=10),
        reason="Progression on lenvatinib",
    )
    (line,) = timeline(patient).therapy
    assert (line.end, line.ongoing) == (NOW.date() - timedelta(days=10), False)


def test_a_patient_with_no_disease_data_gets_no_disease_inputs(oncologist, patient):
    data.start_course(oncologist, patient, days_ago=100)
    tl = timeline(patient)
    assert not tl.has_disease
    assert (tl.imaging, tl.tg, tl.board, tl.therapy, tl.tg_summary) == ([], [], [], [], None)


def test_the_page_draws_the_disease_tracks_with_the_caption(logged_in, nurse, oncologist, patient):
    progressing(nurse, patient)
    worked_example(nurse, patient)
    data.start_course(oncologist, patient, days_ago=100)
    response = logged_in(oncologist).get(url(patient))
    assert {"tumour-sum", "tumour-baseline", "tg", "therapy-mki"} <= set(uids(response))
    assert trace_text(response, "tumour-sum") == ["baseline", "SD", "PD"]
    assert 'id="timeline-disease-note"' in response.content.decode()


def trace_text(response, uid):
    return next(t for t in figure(response)["data"] if t["uid"] == uid)["text"]


def test_a_patient_under_surveillance_without_a_course_gets_the_timeline(
    logged_in, nurse, oncologist, patient
):
    progressing(nurse, patient)
    response = logged_in(oncologist).get(url(patient))
    assert uids(response) == ["tumour-sum", "tumour-baseline"]


def test_a_patient_with_nothing_recorded_gets_no_timeline(logged_in, oncologist, patient):
    html = logged_in(oncologist).get(url(patient)).content.decode()
    assert 'id="patient-figure"' not in html and "timeline-disease-note" not in html


def test_a_page_without_disease_data_has_no_disease_caption(logged_in, oncologist, patient):
    data.start_course(oncologist, patient, days_ago=30)
    html = logged_in(oncologist).get(url(patient)).content.decode()
    assert 'id="patient-figure"' in html and "timeline-disease-note" not in html


def queries_for(client, patient) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(patient)).status_code == 200
    return len(captured)


def test_the_disease_course_costs_no_query_per_study_lab_or_decision(
    logged_in, nurse, oncologist, site
):
    # A short course (three studies, one Tg, a decision) against a long one: the page
    # reads each kind of record once, whatever their number.
    client = logged_in(oncologist)
    short = PatientFactory(site=site)
    data.start_course(oncologist, short, days_ago=30)
    progressing(nurse, short)
    record_tg(nurse, short, date(2025, 8, 1), "7.0")
    signed_decision(nurse, oncologist, short)
    queries_for(client, short)  # the first request of a session settles it
    without = queries_for(client, short)

    busy = PatientFactory(site=site)
    data.start_course(oncologist, busy, days_ago=30)
    progressing(nurse, busy)
    for month in range(3, 6):
        record_study(
            nurse,
            busy,
            date(2026, month, 2),
            target("T1", "40"),
            target("T2", "26", organ="liver"),
        )
    worked_example(nurse, busy)
    for day in range(1, 9):
        record_tg(nurse, busy, date(2025, 8, day), "7.0", tsh="0.5")
    signed_decision(nurse, oncologist, busy)
    assert queries_for(client, busy) == without
    assert len(selectors.patient_page(busy).timeline.imaging) == 6


def test_sums_are_floats_in_the_figure_not_decimals(nurse, patient):
    """The figure goes to the page as JSON: no Decimal may reach it."""
    progressing(nurse, patient)
    worked_example(nurse, patient)
    tl = timeline(patient)
    assert all(isinstance(p.sum_mm, float) for p in tl.imaging)
    assert all(isinstance(p.tg_ng_ml, float) for p in tl.tg)
    assert not isinstance(tl.imaging[1].change_from_nadir_pct, Decimal)
