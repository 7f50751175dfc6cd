"""The dose ledger as toxicity sees it: a course that ends leaves nothing to sign.

patients.services.apply_dose_change writes the ledger and knows nothing of
recommendations; every dose change made from a page or the API goes through
`change_dose` here, which closes the course's pending recommendations when the
change ends the course.
"""

from __future__ import annotations

from django.db import transaction

from patients import dosing
from patients.audit import audit
from patients.models import DoseChange, TreatmentCourse
from patients.services import apply_dose_change
from toxicity.models import Recommendation, RecommendationStatus

ENDING = (dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE)


@transaction.atomic
def change_dose(
    *, actor, course: TreatmentCourse, kind: str, keep: Recommendation | None = None, **change
) -> DoseChange:
    """Appends one dose change (apply_dose_change checks it); a course that ends with it
    closes its pending recommendations, except `keep`, the one being signed."""
    row = apply_dose_change(actor=actor, course=course, kind=kind, **change)
    if kind in ENDING:
        close_pending_recommendations(
            course=course,
            actor=actor,
            keep=keep,
            reason=f"Course {kind}d on {row.effective_at:%Y-%m-%d}: nothing left to sign",
        )
    return row


def close_pending_recommendations(
    *, course: TreatmentCourse, actor, reason: str, keep: Recommendation | None = None
) -> int:
    """A course that ended leaves nothing to sign: its pending recommendations close,
    so the inbox never asks an oncologist to act on a finished course."""
    pending = Recommendation.objects.select_for_update().filter(
        course=course, status=RecommendationStatus.PENDING
    )
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    closed = 0
    for recommendation in pending:
        recommendation.status = RecommendationStatus.SUPERSEDED
        audit(recommendation, actor=actor, reason=reason)
        recommendation.save(update_fields=["status"])
        closed += 1
    return closed
