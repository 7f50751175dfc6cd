"""Dose figures from the ledger, per shared/clinical/reference.md 3.4."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from patients.dosing import Kind, LedgerEntry
from tracker.metrics import course_metrics, dose_segments, first_reduction_at

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
