"""Dose figures of a treatment course, from its ledger. Plain values, no Django.

Definitions follow shared/clinical/reference.md section 3.4:

- relative dose intensity (RDI, %) = mg actually taken / (planned starting daily
  dose x days in the window, hold days counted) x 100;
- average daily dose while dosing = mg actually taken / days actually dosed.

The window runs from the course's start to its end (discontinuation or
completion) or, for a running course, to ``until``. A day is 24 hours; a change
effective part-way through a day counts from that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from patients.dosing import NOT_STARTED, Kind, LedgerEntry, apply_entry, derive_dose_state

SECONDS_PER_DAY = 86400.0
ENDING_KINDS = frozenset({Kind.DISCONTINUE, Kind.COMPLETE})


@dataclass(frozen=True)
class Segment:
    """A stretch of the course at one dose (0 while held)."""

    start: datetime
    end: datetime
    dose_mg: float
    held: bool
    level: int  # 0 = the starting dose, 1 = one level below it, ...; -1 while held

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / SECONDS_PER_DAY


@dataclass(frozen=True)
class CourseMetrics:
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


def dose_segments(
    entries: Sequence[LedgerEntry], *, until: datetime, ladder: Sequence[float] = ()
) -> list[Segment]:
    """The course cut into stretches at one dose, from its start to its end or ``until``.

    ``ladder`` (the drug's dose levels, highest first) names each stretch's level
    counted from the starting dose; without it, distinct doses are ranked.
    """
    segments: list[Segment] = []
    if not entries or entries[0].kind != Kind.START:
        return segments
    start_dose = entries[0].dose_after_mg
    levels = [d for d in ladder if d <= start_dose] or sorted(
        {e.dose_after_mg for e in entries if e.dose_after_mg > 0}, reverse=True
    )
    for entry, following in zip(entries, [*entries[1:], None], strict=True):
        if entry.kind in ENDING_KINDS:
            break
        end = following.effective_at if following is not None else until
        end = min(end, until)
        if end <= entry.effective_at:
            continue
        held = entry.kind == Kind.HOLD
        dose = 0.0 if held else float(entry.dose_after_mg)
        segments.append(Segment(entry.effective_at, end, dose, held, _level(dose, held, levels)))
    return segments


def _level(dose: float, held: bool, levels: Sequence[float]) -> int:
    if held:
        return -1
    for index, level_dose in enumerate(levels):
        if dose >= level_dose:
            return index
    return len(levels)


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

    ``segments``: ``dose_segments(entries, until=until)`` when the caller has them.
    """
    if not entries or entries[0].kind != Kind.START or entries[0].effective_at >= until:
        return None
    start = entries[0].effective_at
    end = course_end(entries)
    window_end = min(end, until) if end is not None else until
    if segments is None:
        segments = dose_segments(entries, until=window_end)
    planned = float(entries[0].dose_after_mg)
    window_days = (window_end - start).total_seconds() / SECONDS_PER_DAY
    delivered = sum(s.dose_mg * s.days for s in segments)
    days_dosed = sum(s.days for s in segments if not s.held and s.dose_mg > 0)
    days_held = sum(s.days for s in segments if s.held)
    state = derive_dose_state(e for e in entries if e.effective_at <= window_end)
    first_reduction = first_reduction_at([e for e in entries if e.effective_at <= window_end])
    return CourseMetrics(
        days_on_treatment=window_days,
        planned_daily_dose_mg=planned,
        delivered_mg=delivered,
        days_dosed=days_dosed,
        days_held=days_held,
        rdi_percent=(100.0 * delivered / (planned * window_days)) if window_days > 0 else None,
        average_daily_dose_mg=(delivered / days_dosed) if days_dosed > 0 else None,
        percent_days_held=(100.0 * days_held / window_days) if window_days > 0 else None,
        reductions=state.reductions,
        days_to_first_reduction=(
            (first_reduction - start).total_seconds() / SECONDS_PER_DAY
            if first_reduction is not None
            else None
        ),
        ended=end is not None and end <= until,
    )
