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

``reported_intensity`` sets beside the ledger's ("prescribed") figures what the
patient says they took (reports.models.DoseReport): the ledger is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
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


# --- what the patient reports taking ------------------------------------------------------
MISSED = "missed"  # reports.models.DoseStatus values
REDUCED = "reduced"
TAKEN = "taken"


class ReportedDay(NamedTuple):
    """One day as the patient reported it: took the usual dose, missed it, or took
    ``dose_mg`` (a lower dose)."""

    day: date  # the clinic's calendar day
    status: str  # "taken", "missed" or "reduced"
    dose_mg: float | None = None  # the mg taken, for "reduced"


class ReportedIntensity(NamedTuple):
    """A course's dose intensity as the patient reports it, beside the ledger's.

    ``prescribed_*`` are the ledger's figures (CourseMetrics); ``taken_*`` subtract
    from them what the reported days did not take. Days not reported count as the
    ledger says.
    """

    prescribed_mg: float
    taken_mg: float
    prescribed_rdi_percent: float | None
    taken_rdi_percent: float | None
    days_reported: int  # distinct days inside the course the patient reported on
    days_missed: int
    days_reduced: int
    days_above_prescribed: int  # reported more than the ledger's dose: capped, flagged
    days_on_treatment: float


@lru_cache(maxsize=8192)
def _day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The clinic's day from midnight to midnight, in UTC: arithmetic between two
    times of one zone would ignore a DST change. Memoised: a cohort's courses report
    the same few weeks of days."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


def _prescribed_mg(segments: Sequence[Segment], start: datetime, end: datetime) -> float:
    """The ledger's mg from ``start`` to ``end`` (0 while held, nothing outside it)."""
    total = 0.0
    for seg in segments:
        lo = seg.start if seg.start > start else start
        hi = seg.end if seg.end < end else end
        if hi > lo:
            total += seg.dose_mg * (hi - lo).total_seconds() / SECONDS_PER_DAY
    return total


def reported_intensity(
    segments: Sequence[Segment],
    figures: CourseMetrics | None,
    reports: Iterable[ReportedDay],
    *,
    zone: tzinfo,
) -> ReportedIntensity | None:
    """The mg taken as the patient reports it: the ledger's mg less, on each reported
    day, what was not taken (all of that day's ledger dose when missed, the difference
    when a lower dose was taken). None when no reported day falls inside the course.

    ``segments`` and ``figures`` are ``summarise``'s for the course; a day runs from
    midnight to midnight in ``zone`` (the clinic's), cut to the course's window.

    - A day outside the course's window (before its start, after its end or after
      ``until``) is ignored, and not counted as reported.
    - A day the ledger holds the drug prescribes 0 mg: a missed day then takes
      nothing away (it counts as a day reported).
    - A lower dose above the ledger's dose for that day is capped at the ledger's dose
      (the patient cannot add to the ledger's figures) and counted in
      ``days_above_prescribed``, for the clinic to ask about.
    - When a day is reported more than once, the last report counts.
    """
    if figures is None or not segments:
        return None
    window_start, window_end = segments[0].start, segments[-1].end
    by_day: dict[date, ReportedDay] = {}
    for report in reports:
        by_day[report.day] = report  # the last one of a day counts
    deficit = 0.0
    reported = missed = reduced = above = 0
    for day, report in by_day.items():
        start, end = _day_bounds(day, zone)
        if end <= window_start or start >= window_end:
            continue
        reported += 1
        status = report.status
        if status == MISSED:
            missed += 1
            deficit += _prescribed_mg(segments, start, end)
        elif status == REDUCED:
            reduced += 1
            prescribed = _prescribed_mg(segments, start, end)
            # The day's part inside the window: a part day at either end takes its part.
            seconds = (min(end, window_end) - max(start, window_start)).total_seconds()
            taken = float(report.dose_mg or 0) * seconds / SECONDS_PER_DAY
            if taken > prescribed + 1e-9:
                above += 1
                taken = prescribed
            deficit += prescribed - taken
    if not reported:
        return None
    planned_mg = figures.planned_daily_dose_mg * figures.days_on_treatment
    prescribed_mg = figures.delivered_mg
    taken_mg = max(0.0, prescribed_mg - deficit)
    return ReportedIntensity(
        prescribed_mg=prescribed_mg,
        taken_mg=taken_mg,
        prescribed_rdi_percent=figures.rdi_percent,
        taken_rdi_percent=(100.0 * taken_mg / planned_mg) if planned_mg > 0 else None,
        days_reported=reported,
        days_missed=missed,
        days_reduced=reduced,
        days_above_prescribed=above,
        days_on_treatment=figures.days_on_treatment,
    )
