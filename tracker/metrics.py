"""Dose figures of a treatment course, from its ledger. Plain values, no Django.

Definitions follow docs/sources/reference.md section 3.4:

- relative dose intensity (RDI, %) = mg actually taken / (planned starting daily
  dose x days in the window, hold days counted) x 100;
- average daily dose while dosing = mg actually taken / days actually dosed.

The window runs from the course's start to its end (discontinuation or
completion) or, for a running course, to ``until``. A day is 24 hours; a change
effective part-way through a day counts from that moment.

Ledgers come in ledger order (effective time, then id), as the selectors read
them. ``summarise`` walks one ledger once and gives its segments, its figures and
its dose state together: the cohort dashboard does this for thousands of courses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from patients.dosing import NOT_STARTED, DoseState, Kind, LedgerEntry, apply_entry

SECONDS_PER_DAY = 86400.0
ENDING_KINDS = frozenset({Kind.DISCONTINUE, Kind.COMPLETE})


class Segment(NamedTuple):
    """A stretch of the course at one dose (0 while held)."""

    start: datetime
    end: datetime
    dose_mg: float
    held: bool
    level: int  # 0 = the starting dose, 1 = one level below it, ...; -1 while held

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / SECONDS_PER_DAY


class CourseMetrics(NamedTuple):
    days_on_treatment: float
    planned_daily_dose_mg: float
    delivered_mg: float
    days_dosed: float
    days_held: float
    rdi_percent: float | None
    average_daily_dose_mg: float | None
    percent_days_held: float | None
    reductions: int
    days_to_first_reduction: float | None
    ended: bool


class CourseSummary(NamedTuple):
    segments: list[Segment]  # as dose_segments(entries, until=until, ladder=ladder)
    metrics: CourseMetrics | None  # as course_metrics(entries, until=until)
    state: DoseState  # after every entry, as patients.dosing.derive_dose_state(entries)


def _levels(entries: Sequence[LedgerEntry], ladder: Sequence[float]) -> Sequence[float]:
    start_dose = entries[0].dose_after_mg
    return [d for d in ladder if d <= start_dose] or sorted(
        {e.dose_after_mg for e in entries if e.dose_after_mg > 0}, reverse=True
    )


def _level(dose: float, held: bool, levels: Sequence[float]) -> int:
    if held:
        return -1
    for index, level_dose in enumerate(levels):
        if dose >= level_dose:
            return index
    return len(levels)


def summarise(
    entries: Sequence[LedgerEntry], *, until: datetime, ladder: Sequence[float] = ()
) -> CourseSummary:
    """One pass over the ledger: the segments up to ``until``, the figures and the state.

    ``ladder`` (the drug's dose levels, highest first) names each segment's level
    counted from the starting dose; without it, distinct doses are ranked.
    """
    segments: list[Segment] = []
    state = NOT_STARTED
    if not entries:
        return CourseSummary(segments, None, state)
    started = entries[0].kind == Kind.START
    end = course_end(entries)
    window_end = end if end is not None and not until < end else until  # min(end, until)
    levels = _levels(entries, ladder) if started else ()
    window_state = NOT_STARTED  # after the entries up to the window's end
    first_reduction = None
    in_window = True
    cutting = started
    delivered = days_dosed = days_held = 0.0
    last = len(entries) - 1
    for i, entry in enumerate(entries):
        at = entry.effective_at
        after = apply_entry(state, entry)
        if in_window:
            if at <= window_end:
                if first_reduction is None and after.reductions > state.reductions:
                    first_reduction = at
                window_state = after
            else:
                in_window = False
        state = after
        if not cutting:
            continue
        kind = entry.kind
        if kind in ENDING_KINDS:
            cutting = False
            continue
        stop = entries[i + 1].effective_at if i < last else until
        if until < stop:
            stop = until
        if stop <= at:
            continue
        held = kind == Kind.HOLD
        dose = 0.0 if held else float(entry.dose_after_mg)
        segments.append(Segment(at, stop, dose, held, _level(dose, held, levels)))
        days = (stop - at).total_seconds() / SECONDS_PER_DAY
        delivered += dose * days
        if held:
            days_held += days
        elif dose > 0:
            days_dosed += days
    if not started or entries[0].effective_at >= until:
        return CourseSummary(segments, None, state)
    start = entries[0].effective_at
    planned = float(entries[0].dose_after_mg)
    window_days = (window_end - start).total_seconds() / SECONDS_PER_DAY
    figures = CourseMetrics(
        days_on_treatment=window_days,
        planned_daily_dose_mg=planned,
        delivered_mg=delivered,
        days_dosed=days_dosed,
        days_held=days_held,
        rdi_percent=(100.0 * delivered / (planned * window_days)) if window_days > 0 else None,
        average_daily_dose_mg=(delivered / days_dosed) if days_dosed > 0 else None,
        percent_days_held=(100.0 * days_held / window_days) if window_days > 0 else None,
        reductions=window_state.reductions,
        days_to_first_reduction=(
            (first_reduction - start).total_seconds() / SECONDS_PER_DAY
            if first_reduction is not None
            else None
        ),
        ended=end is not None and end <= until,
    )
    return CourseSummary(segments, figures, state)


def dose_segments(
    entries: Sequence[LedgerEntry], *, until: datetime, ladder: Sequence[float] = ()
) -> list[Segment]:
    """The course cut into stretches at one dose, from its start to its end or ``until``.

    ``ladder`` (the drug's dose levels, highest first) names each stretch's level
    counted from the starting dose; without it, distinct doses are ranked.
    """
    return summarise(entries, until=until, ladder=ladder).segments


def course_end(entries: Sequence[LedgerEntry]) -> datetime | None:
    """When the course ended (discontinued or completed), or None while it runs."""
    for entry in entries:
        if entry.kind in ENDING_KINDS:
            return entry.effective_at
    return None


def first_reduction_at(entries: Sequence[LedgerEntry]) -> datetime | None:
    """The first change that lowered the dose: a reduction, or a resume below the held dose."""
    state = NOT_STARTED
    for entry in entries:
        after = apply_entry(state, entry)
        if after.reductions > state.reductions:
            return entry.effective_at
        state = after
    return None


def course_metrics(
    entries: Sequence[LedgerEntry],
    *,
    until: datetime,
    segments: Sequence[Segment] | None = None,
) -> CourseMetrics | None:
    """The course's dose figures up to its end or ``until``; None before it starts.

    ``segments``: ``dose_segments(entries, until=until)`` when the caller has them
    (``summarise`` gives segments and figures in one pass).
    """
    figures = summarise(entries, until=until).metrics
    if figures is None or segments is None:
        return figures
    delivered = sum(s.dose_mg * s.days for s in segments)
    days_dosed = sum(s.days for s in segments if not s.held and s.dose_mg > 0)
    days_held = sum(s.days for s in segments if s.held)
    window_days = figures.days_on_treatment
    return CourseMetrics(
        days_on_treatment=window_days,
        planned_daily_dose_mg=figures.planned_daily_dose_mg,
        delivered_mg=delivered,
        days_dosed=days_dosed,
        days_held=days_held,
        rdi_percent=(
            (100.0 * delivered / (figures.planned_daily_dose_mg * window_days))
            if window_days > 0
            else None
        ),
        average_daily_dose_mg=(delivered / days_dosed) if days_dosed > 0 else None,
        percent_days_held=(100.0 * days_held / window_days) if window_days > 0 else None,
        reductions=figures.reductions,
        days_to_first_reduction=figures.days_to_first_reduction,
        ended=figures.ended,
    )
