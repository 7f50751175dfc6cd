"""Dose figures from the ledger, per docs/sources/reference.md 3.4."""

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
    from tracker.metrics import summarise

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
