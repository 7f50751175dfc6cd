"""The canonical bytes a signed decision or correction covers, and their check."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from toxicity.models import (
    DecisionCorrection,
    Recommendation,
)


def signer_name(actor) -> str:
    return (actor.get_full_name() or actor.get_username())[:200]


def _mg(value) -> str | None:
    """A dose as the database keeps it (one decimal): "24.0" whether it was 24 or 24.0."""
    return None if value is None else f"{Decimal(str(value)):.1f}"


def signed_content(recommendation: Recommendation) -> bytes:
    """The canonical bytes a decision's signature hash covers.

    Canonical means the same bytes before and after a round trip through the
    database: doses are written with the one decimal the columns keep.
    """
    content = {
        "recommendation": recommendation.pk,
        "visit": recommendation.visit_id,
        "visit_revision": recommendation.visit_revision,
        "course": recommendation.course_id,
        "engine_decision_sha256": hashlib.sha256(
            json.dumps(recommendation.decision, sort_keys=True).encode()
        ).hexdigest(),
        "action": recommendation.action,
        "recommended_dose_mg": _mg(recommendation.dose_mg_per_day),
        "status": recommendation.status,
        "approved_dose_mg": _mg(recommendation.approved_dose_mg),
        # Only where one was signed, so signatures made before the field still match.
        **(
            {"approved_resume_dose_mg": _mg(recommendation.approved_resume_dose_mg)}
            if recommendation.approved_resume_dose_mg is not None
            else {}
        ),
        "reason": recommendation.decision_reason,
        "signer_id": recommendation.decided_by_id,
        "signer_name": recommendation.signer_name,
        "signed_at": recommendation.decided_at.isoformat() if recommendation.decided_at else None,
        "meaning": recommendation.signature_meaning,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def signature_is_valid(recommendation: Recommendation) -> bool:
    return sha256_hex(signed_content(recommendation)) == recommendation.signature_sha256


def correction_content(correction: DecisionCorrection) -> bytes:
    """The canonical bytes a correction's signature hash covers.

    It includes the corrected decision's own signature hash, so the correction is
    bound to the record exactly as it was signed.
    """
    content = {
        "correction_of": correction.recommendation_id,
        "corrected_signature_sha256": correction.recommendation.signature_sha256,
        "replaces": correction.replaces_id,
        "corrected_reason": correction.corrected_reason,
        "explanation": correction.explanation,
        "signer_id": correction.corrected_by_id,
        "signer_name": correction.signer_name,
        "signed_at": correction.corrected_at.isoformat() if correction.corrected_at else None,
        "meaning": correction.signature_meaning,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def correction_is_valid(correction: DecisionCorrection) -> bool:
    return sha256_hex(correction_content(correction)) == correction.signature_sha256
