"""Decisions: an oncologist signs, modifies or rejects a recommendation."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from patients import dosing, limits
from patients.access import has_role
from patients.audit import audit
from patients.models import Role, TreatmentCourse
from patients.passwords import verify_signing_password
from patients.selectors import dose_state
from toxicity.alerts import acknowledge_alerts_answered_by
from toxicity.models import (
    HOLD_SIGNATURE_MEANING,
    SIGNATURE_MEANING,
    Action,
    Recommendation,
    RecommendationStatus,
)
from toxicity.names import term_name
from toxicity.services.ledger import change_dose
from toxicity.services.request import LEDGER_ACTIONS
from toxicity.services.signatures import sha256_hex, signed_content, signer_name

SIGNERS = (Role.ONCOLOGIST,)
REJECTION_MEANING = "rejected dose recommendation"


class RecommendationAlreadyDecided(Exception):
    """Someone decided this recommendation first (or a newer visit superseded it)."""

    def __init__(self, recommendation: Recommendation):
        self.recommendation = recommendation
        who = ""
        if recommendation.decided_by_id and recommendation.status != "superseded":
            who = f" by {recommendation.signer_name or 'another oncologist'}"
        super().__init__(
            f"This recommendation is already {recommendation.get_status_display().lower()}{who}; "
            "reload the inbox."
        )


class Decision:
    APPROVE = "approve"
    APPROVE_MODIFIED = "approve_modified"
    REJECT = "reject"
    ALL = (APPROVE, APPROVE_MODIFIED, REJECT)


def _check_decision(recommendation, decision, reason, dose_mg) -> tuple[str, Decimal | None]:
    errors = limits.text_errors(reason=(reason, limits.REASON_CHARS))
    reason = reason.strip() if isinstance(reason, str) else ""
    dose = None
    if decision not in Decision.ALL:
        errors["decision"] = "Choose approve, approve_modified or reject."
    elif decision in (Decision.APPROVE_MODIFIED, Decision.REJECT) and not reason:
        errors["reason"] = "Say why the recommendation is modified or rejected."
    if decision == Decision.APPROVE_MODIFIED:
        drug = recommendation.course.drug
        ladder = "/".join(str(d) for d in dosing.DOSE_LADDERS[drug])
        try:
            dose = Decimal(str(dose_mg))
        except ArithmeticError:
            dose = None
        if dose is not None and not dose.is_finite():
            dose = None  # NaN, sNaN, Infinity: float(Decimal("sNaN")) raises
        if dose_mg is None or dose is None or not dosing.is_on_ladder(drug, float(dose)):
            errors["dose_mg"] = f"Choose a {drug} dose level ({ladder} mg/day)."
    elif dose_mg is not None and decision in Decision.ALL:
        errors["dose_mg"] = "A dose is given only when approving with another dose."
    if errors:
        raise ValidationError(errors)
    return reason, dose


class LedgerStep(NamedTuple):
    """What an approval does to the ledger: the row's kind (None: no row), the dose
    from now on, and, for a hold, the dose it resumes at once recovered."""

    kind: str | None
    dose_after: Decimal
    resume_dose: Decimal | None = None


def _ledger_step(
    recommendation: Recommendation, state: dosing.DoseState, dose: Decimal | None
) -> LedgerStep:
    """What approving appends to the ledger; `dose` is the oncologist's other dose, if any.

    On a withhold the other dose is the resume dose: the drug is held now either
    way, and a reduction now would cancel the hold the label asks for.
    """
    action = recommendation.action
    allowed = dosing.levels_at_or_below(recommendation.course.drug, state.reference_dose_mg)
    if dose is not None and float(dose) not in allowed:
        raise ValidationError(
            {"dose_mg": _("That raises the dose: record a re-escalation on the dose ledger.")}
        )
    if action == Action.WITHHOLD:
        resume = dose if dose is not None else recommendation.resume_dose_mg_per_day
        kind = None if state.on_hold else dosing.Kind.HOLD
        return LedgerStep(kind, Decimal(0), resume)
    if dose is not None:  # approved with another ladder dose
        if state.on_hold:
            return LedgerStep(dosing.Kind.RESUME, dose)
        if dose == Decimal(str(state.dose_mg_per_day)):
            return LedgerStep(None, dose)
        return LedgerStep(dosing.Kind.REDUCE, dose)
    if action == Action.RESUME:
        return LedgerStep(dosing.Kind.RESUME, recommendation.dose_mg_per_day)
    if action == Action.REDUCE:
        return LedgerStep(dosing.Kind.REDUCE, recommendation.dose_mg_per_day)
    if action == Action.DISCONTINUE:
        return LedgerStep(dosing.Kind.DISCONTINUE, Decimal(0))
    return LedgerStep(None, Decimal(str(state.dose_mg_per_day)))


def _ledger_text(recommendation: Recommendation, step: LedgerStep, modified: bool) -> str:
    """The ledger row's reason: which recommendation, what was signed, for which terms.

    Written in the clinic's language, as the clinic's own people write the ledger's
    reasons: the ledger is the clinic's record, read there."""
    with translation.override(recommendation.course.patient.site.language):
        terms = (
            ", ".join(term_name(term) for term in recommendation.reason_terms)
            or str(recommendation.get_action_display()).lower()
        )
        values = {"id": recommendation.pk, "terms": terms}
        if modified:
            text = _("Recommendation %(id)s approved with another dose (%(terms)s)") % values
        else:
            text = _("Recommendation %(id)s approved (%(terms)s)") % values
        if step.kind == dosing.Kind.HOLD and step.resume_dose is not None:
            text += _(": hold now, resume at %(dose)s mg/day once recovered") % {
                "dose": f"{float(step.resume_dose):g}"
            }
        return text


def decide_recommendation(
    *,
    actor,
    recommendation: Recommendation,
    decision: str,
    password: str,
    reason: str | None = None,
    dose_mg=None,
    origin: HttpRequest | None = None,
) -> Recommendation:
    """An oncologist's signed decision. Approval appends the dose change to the ledger.

    Raises PermissionDenied (not an oncologist at the site), ValidationError
    (wrong password, missing reason, dose not on the ladder, or a change the
    ledger cannot take), SigningLocked (too many wrong passwords; `origin`, the
    request, names the address they count against) or RecommendationAlreadyDecided
    (someone else was first).
    """
    course = recommendation.course
    site_id = course.patient.site_id
    if not has_role(actor, site_id, *SIGNERS):
        raise PermissionDenied(_("Only an oncologist at this site can sign a recommendation."))
    reason, dose = _check_decision(recommendation, decision, reason, dose_mg)
    # A closed recommendation answers the same to any password: the answer must not
    # tell a right password from a wrong one except by signing.
    current = Recommendation.objects.get(pk=recommendation.pk)
    if current.status != RecommendationStatus.PENDING:
        raise RecommendationAlreadyDecided(current)
    verify_signing_password(actor, password, origin=origin)
    with transaction.atomic():
        # Same lock order as the evaluation (course, then recommendation).
        TreatmentCourse.objects.select_for_update().get(pk=course.pk)
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.status != RecommendationStatus.PENDING:
            raise RecommendationAlreadyDecided(locked)
        now = timezone.now()
        if decision == Decision.REJECT:
            locked.status = RecommendationStatus.REJECTED
            locked.signature_meaning = REJECTION_MEANING
        else:
            state = dose_state(course)
            step = _ledger_step(locked, state, dose)
            if step.kind is not None:
                # The rule texts and the oncologist's reason are on the linked
                # recommendation; the ledger row names it.
                locked.dose_change = change_dose(
                    actor=actor,
                    course=course,
                    kind=step.kind,
                    dose_after_mg=step.dose_after,
                    reason=_ledger_text(locked, step, modified=dose is not None),
                    keep=locked,
                    reason_terms=locked.reason_terms if step.kind in LEDGER_ACTIONS else None,
                )
            locked.status = (
                RecommendationStatus.APPROVED
                if decision == Decision.APPROVE
                else RecommendationStatus.APPROVED_MODIFIED
            )
            locked.approved_dose_mg = step.dose_after
            if locked.action == Action.WITHHOLD and dose is not None:
                locked.approved_resume_dose_mg = step.resume_dose
            # A hold resumed at the oncologist's own dose says so in what was signed.
            locked.signature_meaning = (
                HOLD_SIGNATURE_MEANING.format(dose=f"{float(step.resume_dose):g}")
                if locked.approved_resume_dose_mg is not None
                else SIGNATURE_MEANING
            )
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_reason = reason
        locked.signer_name = signer_name(actor)
        locked.signature_sha256 = sha256_hex(signed_content(locked))
        audit(locked, actor=actor, reason=f"Signed: {locked.signature_meaning}")
        locked.save()
        # A decision answers the alerts raised about its visit: they are acknowledged
        # with it, in the same transaction, so nobody is paged about it later.
        acknowledge_alerts_answered_by(locked, actor=actor)
    return locked
