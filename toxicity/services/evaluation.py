"""Evaluation: a saved visit against the label rules, once per revision."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from patients import dosing
from patients.audit import audit
from patients.models import DoseChange, TreatmentCourse
from toxicity.alerts import alerts_for_evaluation
from toxicity.models import (
    SEVERITY,
    Action,
    Recommendation,
    RecommendationStatus,
    Visit,
)
from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, policy_snapshot
from toxicity.rules.evaluate import InvalidRequest, evaluate
from toxicity.selectors import signed_hold_plans
from toxicity.services.due_checks import refresh_due_checks
from toxicity.services.ledger import close_pending_recommendations
from toxicity.services.request import dose_state_fields, engine_request
from toxicity.signoff import current_signoff

logger = logging.getLogger(__name__)


def _governing(response: dict, course: TreatmentCourse) -> tuple[str, list[str]]:
    """The id of the rule that governs the decision, and the terms behind its action."""
    action = response["action"]
    matching = [r for r in response["reasons"] if r.get("action") == action]
    terms = sorted({r["term"] for r in matching if r.get("term")})
    if matching and matching[0].get("rule"):
        return str(matching[0]["rule"])[:160], terms
    suffix = "review" if action == Action.CONTINUE else action
    return f"{course.drug}.{course.rule_set}.{action}.{suffix}"[:160], terms


def _needs_recommendation(response: dict, hold_terms: list[str], on_hold: bool) -> bool:
    if response["needs_review"]:
        return True
    action = response["action"]
    if action == Action.CONTINUE:
        return False
    if action == Action.WITHHOLD and on_hold:
        # "Stay on hold": new only if another term now holds the drug too.
        terms = {r["term"] for r in response["reasons"] if r.get("action") == Action.WITHHOLD}
        return not terms <= set(hold_terms)
    return True


def _newer_evaluated_visit(visit: Visit) -> Visit | None:
    newer = Q(occurred_at__gt=visit.occurred_at) | Q(occurred_at=visit.occurred_at, pk__gt=visit.pk)
    return (
        Visit.objects.filter(course_id=visit.course_id, evaluated_at__isnull=False)
        .filter(newer)
        .order_by("occurred_at", "id")
        .first()
    )


def evaluate_visit(
    visit_id: int, *, before_commit: Callable[[], None] | None = None
) -> Recommendation | None:
    """Evaluates a visit once per revision; returns its recommendation, if any.

    A second run, a retried task or an overlapping sweep finds the visit already
    evaluated and adds nothing. `before_commit` runs inside the transaction just
    before it commits (the tasks' test-only delay hook).
    """
    with transaction.atomic():
        course_id = Visit.objects.filter(pk=visit_id).values_list("course_id", flat=True).first()
        if course_id is None:
            logger.warning("Visit %s no longer exists; nothing to evaluate.", visit_id)
            return None
        # One evaluation per course at a time (and the same lock order as decisions).
        course = (
            TreatmentCourse.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=course_id)
        )
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        if visit.evaluated_at is not None:
            return visit.recommendations.filter(visit_revision=visit.revision).first()
        now = timezone.now()
        # The ledger is read once: as of the visit for the request, whole for the checks.
        whole_ledger = list(DoseChange.objects.filter(course=course).order_by("effective_at", "id"))
        ledger = [c for c in whole_ledger if c.effective_at <= visit.occurred_at]
        state_fields, why_not, state = dose_state_fields(course, ledger)
        recommendation = None
        request = engine_request(state_fields, visit.observations.all())
        if why_not:
            visit.evaluation = {"skipped": why_not}
        else:
            try:
                response = evaluate(request, policy=DEFAULT_POLICY)
            except InvalidRequest as refused:
                logger.error(
                    "Visit %s could not be evaluated: %s", visit_id, sorted(refused.errors)
                )
                visit.evaluation = {
                    "skipped": "the engine refused the stored visit",
                    "errors": refused.errors,
                }
            else:
                visit.evaluation = response
                if _needs_recommendation(
                    response, state_fields["hold_reason_terms"], state_fields["on_hold"]
                ):
                    plan = _signed_plan(ledger) if state_fields["on_hold"] else None
                    recommendation = _store_recommendation(
                        visit, course, request, response, now, plan=plan
                    )
        newer = _newer_evaluated_visit(visit)
        if newer is None:
            _supersede_pending(course, visit, keep=recommendation)
        elif recommendation is not None and recommendation.is_pending:
            _supersede(recommendation, by=newer)
        if recommendation is not None and recommendation.is_pending and _has_ended(whole_ledger):
            # A visit evaluated after its course ended (the broker was down, say):
            # there is no dose left to change, so nothing to sign.
            close_pending_recommendations(
                course=course, actor=None, reason="The course ended before this evaluation"
            )
        visit.evaluated_at = now
        visit.evaluated_revision = visit.revision
        audit(visit, actor=None, reason=f"Evaluated (engine {ENGINE_VERSION})")
        visit.save(update_fields=["evaluation", "evaluated_at", "evaluated_revision"])
        # A visit after the ledger's last change (the usual case) was evaluated on the
        # course's state now: the due checks take it rather than replay the ledger again.
        current = state if len(ledger) == len(whole_ledger) else None
        refresh_due_checks(course, ledger=whole_ledger, state=current, now=now)
        if before_commit is not None:
            before_commit()
    # Grade >= 3 findings and withhold/discontinue recommendations reach a clinician
    # by email; idempotent, so a repeated evaluation emails nobody twice.
    transaction.on_commit(lambda: alerts_for_evaluation(visit_id), robust=True)
    return recommendation


def _signed_plan(ledger: list[DoseChange]) -> Recommendation | None:
    """The signed withhold behind the hold the ledger ends in, if its resume dose
    was set by the oncologist (else the label's next level, which the engine gives)."""
    hold = next((c for c in reversed(ledger) if c.kind == dosing.Kind.HOLD), None)
    if hold is None:
        return None
    plan = signed_hold_plans([hold]).get(hold.course_id)
    return plan if plan is not None and plan.approved_resume_dose_mg is not None else None


def _store_recommendation(
    visit: Visit,
    course: TreatmentCourse,
    request: dict,
    response: dict,
    now: datetime,
    *,
    plan: Recommendation | None = None,
) -> Recommendation:
    """Stores the engine's answer. While the drug is held under a signed plan with the
    oncologist's own resume dose, the resumption (now or later) follows that dose; the
    engine's answer is kept as it was and the plan is linked."""
    rule_key, terms = _governing(response, course)
    action = response["action"]
    dose = Decimal(str(response["dose_mg_per_day"]))
    resume = response.get("resume_dose_mg_per_day")
    follows_plan = plan is not None and (
        action == Action.RESUME or (action == Action.WITHHOLD and resume is not None)
    )
    if follows_plan and action == Action.RESUME:
        dose = plan.approved_resume_dose_mg
    elif follows_plan:
        resume = plan.approved_resume_dose_mg
    recommendation = Recommendation(
        visit=visit,
        course=course,
        visit_revision=visit.revision,
        rule_key=rule_key,
        created_at=now,
        decision=response,
        engine_request=request,
        action=action,
        severity=SEVERITY[action],
        dose_mg_per_day=dose,
        resume_dose_mg_per_day=None if resume is None else Decimal(str(resume)),
        resume_plan=plan if follows_plan else None,
        needs_review=bool(response["needs_review"]),
        reason_terms=terms,
        rule_set=response["rule_set"],
        engine_version=ENGINE_VERSION,
        policy=policy_snapshot(DEFAULT_POLICY),
        rule_set_signoff=_current_signoff(course, response["rule_set"]),
    )
    audit(recommendation, actor=None, reason=f"Recommended by engine {ENGINE_VERSION}")
    try:
        with transaction.atomic():
            recommendation.save()
    except IntegrityError:
        # Already stored for this (visit, revision, rule): a repeated evaluation adds nothing.
        return Recommendation.objects.get(
            visit=visit, visit_revision=visit.revision, rule_key=rule_key
        )
    return recommendation


def _current_signoff(course: TreatmentCourse, rule_set: str):
    """The site's pharmacist sign-off of the rule set version the engine just used."""
    return current_signoff(site_id=course.patient.site_id, drug=course.drug, rule_set=rule_set)


def _supersede(recommendation: Recommendation, *, by: Visit) -> None:
    recommendation.status = RecommendationStatus.SUPERSEDED
    recommendation.superseded_by_visit = by
    audit(recommendation, actor=None, reason=f"Superseded by visit {by.pk}")
    recommendation.save(update_fields=["status", "superseded_by_visit"])


def _supersede_pending(course: TreatmentCourse, visit: Visit, *, keep: Recommendation | None):
    pending = Recommendation.objects.select_for_update().filter(
        course=course, status=RecommendationStatus.PENDING
    )
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    for old in pending:
        _supersede(old, by=visit)


def _has_ended(ledger: list[DoseChange]) -> bool:
    return any(c.kind in (dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE) for c in ledger)


def unevaluated_visit_ids(*, older_than: timedelta, limit: int) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        Visit.objects.filter(evaluated_at__isnull=True, updated_at__lte=cutoff)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )


def sweep_unevaluated_visits(
    *, older_than: timedelta = timedelta(minutes=1), limit: int = 200, budget_s: float = 60
) -> int:
    """Evaluates visits that no worker evaluated (broker down at save time, lost task).

    Safe when two sweeps overlap: evaluate_visit locks the visit and skips it if
    evaluated. Returns how many visits this sweep evaluated or found evaluated.
    """
    started = time.monotonic()
    done = 0
    for visit_id in unevaluated_visit_ids(older_than=older_than, limit=limit):
        if time.monotonic() - started > budget_s:
            break
        try:
            evaluate_visit(visit_id)
        except Exception:
            logger.exception("Sweep could not evaluate visit %s.", visit_id)
            continue
        done += 1
    if done:
        logger.info("Sweep evaluated %d visits.", done)
    return done
