"""Corrections: a new signed record that corrects a signed decision's reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import limits
from patients.access import has_role
from patients.audit import audit
from patients.passwords import verify_signing_password
from toxicity.models import (
    CORRECTION_MEANING,
    DecisionCorrection,
    Recommendation,
)
from toxicity.services.decisions import SIGNERS
from toxicity.services.signatures import correction_content, sha256_hex, signer_name

NOT_SIGNED = {"recommendation": "Only a signed decision is corrected; this one is not signed."}


def correct_decision(
    *,
    actor,
    recommendation: Recommendation,
    password: str,
    corrected_reason: str,
    explanation: str,
    origin: HttpRequest | None = None,
) -> DecisionCorrection:
    """Corrects the record of a signed decision with a new signed record that references it.

    The signed recommendation is never edited. Only an oncologist of the patient's
    site may correct, re-entering their password (the signature). A second
    correction of the same decision replaces the latest one, and says so.
    Raises PermissionDenied, ValidationError (not signed yet, wrong password,
    missing explanation).
    """
    site_id = recommendation.course.patient.site_id
    if not has_role(actor, site_id, *SIGNERS):
        raise PermissionDenied(_("Only an oncologist at this site can correct a signed decision."))
    errors = limits.text_errors(
        corrected_reason=(corrected_reason, limits.REASON_CHARS),
        explanation=(explanation, limits.REASON_CHARS),
    )
    if errors:
        raise ValidationError(errors)
    corrected_reason = (corrected_reason or "").strip()
    explanation = (explanation or "").strip()
    if not explanation:
        errors["explanation"] = "Say why the signed record is corrected."
    if not corrected_reason:
        errors["corrected_reason"] = "Write the decision's reason as it should read."
    if errors:
        raise ValidationError(errors)
    if not Recommendation.objects.get(pk=recommendation.pk).is_signed:
        raise ValidationError(NOT_SIGNED)  # before the password, whatever it is
    verify_signing_password(actor, password, origin=origin)
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if not locked.is_signed:
            raise ValidationError(NOT_SIGNED)
        latest = locked.corrections.order_by("-corrected_at", "-id").first()
        correction = DecisionCorrection(
            recommendation=locked,
            replaces=latest,
            corrected_reason=corrected_reason,
            explanation=explanation,
            corrected_by=actor,
            corrected_at=timezone.now(),
            signer_name=signer_name(actor),
            signature_meaning=CORRECTION_MEANING,
        )
        correction.signature_sha256 = sha256_hex(correction_content(correction))
        audit(correction, actor=actor, reason=f"Signed: {CORRECTION_MEANING}")
        correction.save()
    return correction
