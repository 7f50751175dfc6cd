"""Dose figures from the ledger, per docs/sources/reference.md 3.4."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from patients.dosing import Kind, LedgerEntry
from tracker.metrics import (
    ReportedDay,
    course_metrics,
    dose_segments,
    first_reduction_at,
    reported_intensity,
    summarise,
)

START = datetime(2025, 1, 6, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


# reference.md 3.4: lenvatinib, planned 24 mg, 56 days: 14 days at 24 mg, 7 days held,
# 35 days at 20 mg.
WORKED_EXAMPLE = [
    LedgerEntry(Kind.START, day(0), 24),
    LedgerEntry(Kind.HOLD, day(14), 0),
    LedgerEntry(Kind.RESUME, day(21), 20),
]


def test_the_worked_example_gives_an_rdi_of_77_1_percent():
    metrics = course_metrics(WORKED_EXAMPLE, until=day(56))
    assert metrics.delivered_mg == pytest.approx(1036)
    assert round(metrics.rdi_percent, 1) == 77.1


def test_the_worked_example_gives_21_1_mg_a_day_while_dosing():
    metrics = course_metrics(WORKED_EXAMPLE, until=day(56))
    assert metrics.days_dosed == pytest.approx(49)
    assert round(metrics.average_daily_dose_mg, 1) == 21.1


def test_the_worked_example_held_the_drug_on_one_day_in_eight():
    metrics = course_metrics(WORKED_EXAMPLE, until=day(56))
    assert metrics.days_held == pytest.approx(7)
    assert metrics.percent_days_held == pytest.approx(12.5)


def test_a_resume_below_the_held_dose_counts_as_a_reduction():
    metrics = course_metrics(WORKED_EXAMPLE, until=day(56))
    assert metrics.reductions == 1
    assert metrics.days_to_first_reduction == pytest.approx(21)


def test_the_window_stops_at_discontinuation():
    entries = [*WORKED_EXAMPLE, LedgerEntry(Kind.DISCONTINUE, day(40), 0)]
    metrics = course_metrics(entries, until=day(300))
    assert metrics.days_on_treatment == pytest.approx(40)
    assert metrics.ended
    assert metrics.delivered_mg == pytest.approx(14 * 24 + 19 * 20)


def test_a_course_not_yet_started_has_no_figures():
    assert course_metrics([LedgerEntry(Kind.START, day(3), 24)], until=day(1)) is None
    assert course_metrics([], until=day(1)) is None


def test_a_course_never_reduced_has_no_time_to_first_reduction():
    metrics = course_metrics([LedgerEntry(Kind.START, day(0), 60)], until=day(30))
    assert metrics.reductions == 0
    assert metrics.days_to_first_reduction is None
    assert metrics.rdi_percent == pytest.approx(100)


def test_a_straight_reduction_is_the_first_reduction():
    entries = [
        LedgerEntry(Kind.START, day(0), 800),
        LedgerEntry(Kind.REDUCE, day(10), 600),
        LedgerEntry(Kind.REDUCE, day(20), 400),
    ]
    assert first_reduction_at(entries) == day(10)
    assert course_metrics(entries, until=day(30)).reductions == 2


def test_segments_name_the_ladder_level_and_the_holds():
    segments = dose_segments(WORKED_EXAMPLE, until=day(56), ladder=(24, 20, 14, 10))
    assert [(s.days, s.dose_mg, s.held, s.level) for s in segments] == [
        (14, 24, False, 0),
        (7, 0, True, -1),
        (35, 20, False, 1),
    ]


def test_a_start_below_the_top_of_the_ladder_is_level_zero():
    entries = [LedgerEntry(Kind.START, day(0), 20), LedgerEntry(Kind.REDUCE, day(5), 14)]
    segments = dose_segments(entries, until=day(10), ladder=(24, 20, 14, 10))
    assert [s.level for s in segments] == [0, 1]


def test_segments_handed_in_give_the_same_figures():
    segments = dose_segments(WORKED_EXAMPLE, until=day(56), ladder=(24, 20, 14, 10))
    assert course_metrics(WORKED_EXAMPLE, until=day(56), segments=segments) == course_metrics(
        WORKED_EXAMPLE, until=day(56)
    )


# summarise() walks the ledger once for the cohort dashboard (and dose_segments and
# course_metrics are built on it). It must give what the straightforward definitions
# give, step by step: the reference below is the first, multi-pass version.
def reference(entries, *, until, ladder=()):
    from patients.dosing import apply_entry, derive_dose_state

    segments = []
    if entries and entries[0].kind == Kind.START:
        start_dose = entries[0].dose_after_mg
        levels = [d for d in ladder if d <= start_dose] or sorted(
            {e.dose_after_mg for e in entries if e.dose_after_mg > 0}, reverse=True
        )
        for entry, following in zip(entries, [*entries[1:], None], strict=True):
            if entry.kind in (Kind.DISCONTINUE, Kind.COMPLETE):
                break
            end = min(following.effective_at if following is not None else until, until)
            if end <= entry.effective_at:
                continue
            held = entry.kind == Kind.HOLD
            dose = 0.0 if held else float(entry.dose_after_mg)
            level = (
                -1 if held else next((i for i, d in enumerate(levels) if dose >= d), len(levels))
            )
            segments.append((entry.effective_at, end, dose, held, level))
    state = derive_dose_state(entries)
    if not entries or entries[0].kind != Kind.START or entries[0].effective_at >= until:
        return segments, None, state
    start = entries[0].effective_at
    end = next(
        (e.effective_at for e in entries if e.kind in (Kind.DISCONTINUE, Kind.COMPLETE)), None
    )
    window_end = min(end, until) if end is not None else until
    days = lambda a, b: (b - a).total_seconds() / 86400  # noqa: E731
    planned = float(entries[0].dose_after_mg)
    window_days = days(start, window_end)
    delivered = sum(d * days(a, b) for a, b, d, _, _ in segments)
    dosed = sum(days(a, b) for a, b, d, h, _ in segments if not h and d > 0)
    held = sum(days(a, b) for a, b, _, h, _ in segments if h)
    window = [e for e in entries if e.effective_at <= window_end]
    first, before = None, derive_dose_state([])
    for e in window:
        after = apply_entry(before, e)
        if first is None and after.reductions > before.reductions:
            first = e.effective_at
        before = after
    figures = {
        "days_on_treatment": window_days,
        "planned_daily_dose_mg": planned,
        "delivered_mg": delivered,
        "days_dosed": dosed,
        "days_held": held,
        "rdi_percent": 100.0 * delivered / (planned * window_days) if window_days > 0 else None,
        "average_daily_dose_mg": delivered / dosed if dosed > 0 else None,
        "percent_days_held": 100.0 * held / window_days if window_days > 0 else None,
        "reductions": derive_dose_state(window).reductions,
        "days_to_first_reduction": None if first is None else days(start, first),
        "ended": end is not None and end <= until,
    }
    return segments, figures, state


LEDGERS = {
    "worked example": WORKED_EXAMPLE,
    "discontinued": [*WORKED_EXAMPLE, LedgerEntry(Kind.DISCONTINUE, day(40), 0)],
    "completed": [LedgerEntry(Kind.START, day(0), 60), LedgerEntry(Kind.COMPLETE, day(30), 0)],
    "reduced twice, re-escalated, held": [
        LedgerEntry(Kind.START, day(0), 800),
        LedgerEntry(Kind.REDUCE, day(10), 600),
        LedgerEntry(Kind.REDUCE, day(20), 400),
        LedgerEntry(Kind.RE_ESCALATE, day(30), 600),
        LedgerEntry(Kind.HOLD, day(45.5), 0),
    ],
    "reduced after the window": [*WORKED_EXAMPLE, LedgerEntry(Kind.REDUCE, day(80), 14)],
    "off the ladder": [LedgerEntry(Kind.START, day(0), 24), LedgerEntry(Kind.REDUCE, day(9), 7)],
    "not started yet": [LedgerEntry(Kind.START, day(70), 24)],
    "empty": [],
}


@pytest.mark.parametrize("name", list(LEDGERS))
@pytest.mark.parametrize("ladder", [(), (24, 20, 14, 10), (800, 600, 400, 200)])
def test_summarise_gives_the_figures_of_the_step_by_step_definitions(name, ladder):
    entries = LEDGERS[name]
    segments, figures, state = reference(entries, until=day(56), ladder=ladder)
    summary = summarise(entries, until=day(56), ladder=ladder)
    assert [tuple(s) for s in summary.segments] == segments
    assert dose_segments(entries, until=day(56), ladder=ladder) == summary.segments
    assert summary.state == state
    if figures is None:
        assert summary.metrics is None
    else:
        assert summary.metrics._asdict() == pytest.approx(figures)
        assert course_metrics(entries, until=day(56)) == summary.metrics


# --- dose intensity as the patient reports it ------------------------------------------------
# The clinic's days run midnight to midnight in its zone; START is midnight UTC, so the
# worked example's days are whole days in UTC.
ZONE = UTC


UNTIL = day(56)


def reported(entries, reports, *, until=UNTIL, zone=ZONE):
    summary = summarise(entries, until=until)
    return reported_intensity(summary.segments, summary.metrics, reports, zone=zone)


def on(n: int) -> date:
    return day(n).date()


# (what the patient reported, mg the reports take away from the ledger's 1036 mg,
#  days reported, missed, reduced, above the prescribed dose)
ADHERENCE_CASES = {
    "one missed day at 24 mg": ([("missed", 3)], 24, 1, 1, 0, 0),
    "two missed days at 20 mg after the resume": (
        [("missed", 30), ("missed", 31)],
        40,
        2,
        2,
        0,
        0,
    ),
    "a lower dose of 14 mg on a 24 mg day": ([("reduced", 5, 14)], 10, 1, 0, 1, 0),
    "a usual dose taken changes nothing": ([("taken", 5)], 0, 1, 0, 0, 0),
    "a missed day during the hold counts nothing": ([("missed", 16)], 0, 1, 1, 0, 0),
    "a lower dose above the prescribed one is capped and flagged": (
        [("reduced", 30, 24)],
        0,
        1,
        0,
        1,
        1,
    ),
    "a dose taken during the hold is capped at nothing and flagged": (
        [("reduced", 16, 10)],
        0,
        1,
        0,
        1,
        1,
    ),
    "a day before the course is ignored": ([("missed", -1), ("missed", 3)], 24, 1, 1, 0, 0),
    "a day after the window is ignored": ([("missed", 56), ("missed", 3)], 24, 1, 1, 0, 0),
    "the last report of a day counts": ([("missed", 3), ("taken", 3)], 0, 1, 0, 0, 0),
    "missed, lower and taken days together": (
        [("missed", 1), ("reduced", 2, 10), ("taken", 22), ("missed", 40)],
        24 + 14 + 20,
        4,
        2,
        1,
        0,
    ),
}


@pytest.mark.parametrize("name", list(ADHERENCE_CASES))
def test_reported_doses_take_from_the_ledger_what_was_not_taken(name):
    said, less, days, missed, lower, above = ADHERENCE_CASES[name]
    reports = [ReportedDay(on(n), status, *(dose or ())) for status, n, *dose in said]
    result = reported(WORKED_EXAMPLE, reports)
    assert result.prescribed_mg == pytest.approx(1036)
    assert result.taken_mg == pytest.approx(1036 - less)
    assert result.taken_rdi_percent == pytest.approx(100 * (1036 - less) / (24 * 56))
    assert result.prescribed_rdi_percent == pytest.approx(100 * 1036 / (24 * 56))
    assert (
        result.days_reported,
        result.days_missed,
        result.days_reduced,
        result.days_above_prescribed,
    ) == (days, missed, lower, above)


@pytest.mark.parametrize(
    "reports",
    [[], [("missed", -3)], [("missed", 60)]],
    ids=["no reports", "only before the course", "only after the window"],
)
def test_without_a_reported_day_inside_the_course_there_is_no_reported_figure(reports):
    days = [ReportedDay(on(n), status) for status, n in reports]
    assert reported(WORKED_EXAMPLE, days) is None


def test_a_course_not_yet_started_has_no_reported_figure():
    entries = [LedgerEntry(Kind.START, day(70), 24)]
    assert reported(entries, [ReportedDay(on(71), "missed")]) is None


def test_a_missed_day_after_discontinuation_is_ignored():
    entries = [*WORKED_EXAMPLE, LedgerEntry(Kind.DISCONTINUE, day(40), 0)]
    result = reported(entries, [ReportedDay(on(45), "missed"), ReportedDay(on(39), "missed")])
    assert result.days_reported == 1
    assert result.prescribed_mg - result.taken_mg == pytest.approx(20)


def test_a_day_is_the_clinics_calendar_day():
    """In New York a day starts at 05:00 UTC (winter): the missed 2 Jan runs from
    day 1 05:00 to day 2 05:00 UTC, a whole day at 24 mg."""
    result = reported(
        WORKED_EXAMPLE, [ReportedDay(on(1), "missed")], zone=ZoneInfo("America/New_York")
    )
    assert result.prescribed_mg - result.taken_mg == pytest.approx(24)


def test_the_first_part_day_takes_only_what_the_ledger_prescribed_of_it():
    """In New York the course's start (midnight UTC) is 19:00 on the day before: that
    day holds 5 hours of the ledger's 24 mg, and a missed report takes 5 mg away."""
    result = reported(
        WORKED_EXAMPLE, [ReportedDay(on(-1), "missed")], zone=ZoneInfo("America/New_York")
    )
    assert result.prescribed_mg - result.taken_mg == pytest.approx(5)
