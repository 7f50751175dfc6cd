"""Reads that pages and the API share."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, CharField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from patients import dosing
from patients.access import clinical_sites
from patients.models import DoseChange, Patient, TreatmentCourse


def patients_visible_to(user) -> QuerySet[Patient]:
    return Patient.objects.filter(site_id__in=clinical_sites(user)).select_related("site")


def courses_visible_to(user) -> QuerySet[TreatmentCourse]:
    return TreatmentCourse.objects.filter(patient__site_id__in=clinical_sites(user)).select_related(
        "patient__site"
    )


# The status a course's last ledger row leaves it in (patients.dosing.apply_entry).
_STATUS_AFTER = {
    dosing.Kind.START: dosing.Status.ACTIVE,
    dosing.Kind.RESUME: dosing.Status.ACTIVE,
    dosing.Kind.REDUCE: dosing.Status.ACTIVE,
    dosing.Kind.RE_ESCALATE: dosing.Status.ACTIVE,
    dosing.Kind.HOLD: dosing.Status.ON_HOLD,
    dosing.Kind.DISCONTINUE: dosing.Status.DISCONTINUED,
    dosing.Kind.COMPLETE: dosing.Status.COMPLETED,
}


def status_of(course_ref: str = "pk") -> Coalesce:
    """The dose status of the course ``course_ref`` names, in SQL: the status its last
    ledger row leaves (what ``dosing.derive_dose_state`` gives), for filtering,
    ordering and counting many courses without replaying their ledgers."""
    after = Case(
        *[
            When(kind__in=[k for k, s in _STATUS_AFTER.items() if s == status], then=Value(status))
            for status in dict.fromkeys(_STATUS_AFTER.values())
        ],
        output_field=CharField(),
    )
    last = (
        DoseChange.objects.filter(course_id=OuterRef(course_ref))
        .order_by("-effective_at", "-id")
        .annotate(status_after=after)
        .values("status_after")[:1]
    )
    return Coalesce(Subquery(last), Value(dosing.Status.NOT_STARTED), output_field=CharField())


def ledger(course: TreatmentCourse) -> list[DoseChange]:
    return list(course.dose_changes.select_related("recorded_by").order_by("effective_at", "id"))


def dose_state(course: TreatmentCourse, *, at: datetime | None = None) -> dosing.DoseState:
    """The course's dose and hold state, derived from the ledger (never stored twice)."""
    changes = getattr(course, "prefetched_ledger", None)
    if changes is None:
        changes = course.dose_changes.order_by("effective_at", "id")
        if at is not None:
            changes = changes.filter(effective_at__lte=at)
        return dosing.derive_dose_state(change.as_entry() for change in changes)
    entries = (c.as_entry() for c in changes if at is None or c.effective_at <= at)
    return dosing.derive_dose_state(entries)


def with_ledger(courses: QuerySet[TreatmentCourse]) -> QuerySet[TreatmentCourse]:
    """Prefetches each course's ledger so dose_state() needs no further query."""
    return courses.prefetch_related(
        Prefetch(
            "dose_changes",
            queryset=DoseChange.objects.order_by("effective_at", "id"),
            to_attr="prefetched_ledger",
        )
    )


def audit_trail(instance) -> list[dict]:
    """Each recorded version of a clinical row: who, when, why, and what changed."""
    records = list(instance.history.select_related("history_user").order_by("history_id"))
    trail = []
    previous = None
    for record in records:
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                {"field": change.field, "old": change.old, "new": change.new}
                for change in delta.changes
            ]
        trail.append(
            {
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "at": record.history_date,
                "by": record.history_user,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = record
    return trail


def has_acted_on_clinical_data(user) -> bool:
    """Whether any audit row names the user as the one who made the change."""
    for model in set(registered_models.values()):
        try:
            history = get_history_model_for_model(model)
        except NotHistoricalModelError:
            continue  # a many-to-many table, audited through its owner
        if history.objects.filter(history_user_id=user.pk).exists():
            return True
    return False
