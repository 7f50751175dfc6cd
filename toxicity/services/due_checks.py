"""Monitoring checks: what falls due on a course, and which checks became overdue."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from patients import dosing
from patients.models import DoseChange, TreatmentCourse
from toxicity import monitoring
from toxicity.models import (
    DueCheck,
    Observation,
)

logger = logging.getLogger(__name__)


def refresh_due_checks(
    course: TreatmentCourse,
    *,
    ledger: list[DoseChange] | None = None,
    state: dosing.DoseState | None = None,
    now: datetime | None = None,
) -> list[DueCheck]:
    """Brings a course's due checks up to date: satisfied ones closed, next ones scheduled.

    Constant queries whatever the course's history: one for the last time each
    term was observed, one for the open checks, then one write per change.
    """
    now = now or timezone.now()
    if ledger is None:
        ledger = list(DoseChange.objects.filter(course=course).order_by("effective_at", "id"))
    if state is None:  # `state`, when given, is the whole `ledger` replayed
        state = dosing.derive_dose_state(c.as_entry() for c in ledger)
    open_checks = DueCheck.objects.filter(course=course, satisfied_at__isnull=True)
    if state.ended or state.status == dosing.Status.NOT_STARTED:
        open_checks.delete()  # operational rows: nothing falls due on a course that ended
        return []
    start = min((c.effective_at for c in ledger if c.kind == dosing.Kind.START), default=None)
    if start is None:
        return []
    last_by_term = dict(
        Observation.objects.filter(visit__course=course)
        .values("term")
        .annotate(last=Max("visit__occurred_at"))
        .values_list("term", "last")
    )
    last_done = monitoring.last_done_by_kind(last_by_term)
    open_by_kind = {c.kind: c for c in open_checks}
    current: list[DueCheck] = []
    for due in monitoring.checks_due(course.drug, start=start, last_done=last_done):
        check = open_by_kind.get(due.kind)
        done = last_done.get(due.kind)
        if check is not None and check.due_at != due.due_at:
            # The next due time grows with the last check's time, so a later one means a
            # check done after the one this open check was scheduled from: it satisfies
            # the open check however early it came, and the schedule runs on from it.
            if done is not None and due.due_at > check.due_at:
                DueCheck.objects.filter(pk=check.pk, satisfied_at__isnull=True).update(
                    satisfied_at=done
                )
            else:
                current.append(check)  # still open: the earlier due time stands
                continue
        elif check is not None:
            current.append(check)
            continue
        new, _ = DueCheck.objects.get_or_create(
            course=course,
            kind=due.kind,
            due_at=due.due_at,
            defaults={
                "overdue_after": due.overdue_after,
                "source": due.schedule.source[:300],
                "confirmed": due.schedule.confirmed,
            },
        )
        current.append(new)
    return current


def courses_awaiting_first_checks(*, limit: int = 500) -> list[TreatmentCourse]:
    """Running courses never seen at a visit and with no check scheduled yet.

    A visit's evaluation schedules a course's checks; a course just started has had
    none, and the labels' first checks fall due before its first visit (lenvatinib:
    blood pressure after one week).
    """
    return list(
        TreatmentCourse.objects.filter(dose_changes__kind=dosing.Kind.START)
        .exclude(dose_changes__kind__in=(dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE))
        .exclude(visits__isnull=False)
        .exclude(pk__in=DueCheck.objects.values("course_id"))
        .distinct()
        .order_by("pk")[:limit]
    )


def schedule_first_checks(*, now: datetime | None = None, limit: int = 500) -> int:
    """Schedules the first checks of every course awaiting them; returns how many courses."""
    courses = courses_awaiting_first_checks(limit=limit)
    for course in courses:
        refresh_due_checks(course, now=now)
    if courses:
        logger.info("Scheduled the first monitoring checks of %d courses.", len(courses))
    return len(courses)


def mark_overdue_checks(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Claims each overdue check once (conditional UPDATE) and returns the ids claimed."""
    now = now or timezone.now()
    candidates = list(
        DueCheck.objects.filter(
            overdue_after__lte=now, satisfied_at__isnull=True, overdue_marked_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    claimed = []
    for pk in candidates:
        if DueCheck.objects.filter(pk=pk, overdue_marked_at__isnull=True).update(
            overdue_marked_at=now
        ):
            claimed.append(pk)
    if claimed:
        logger.info("Marked %d monitoring checks overdue.", len(claimed))
    return claimed
