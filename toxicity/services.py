"""Every write to visits, observations and recommendations goes through here.

* `log_visit` / `edit_visit`: a nurse or oncologist records a visit. The whole
  visit is validated by the rule engine's own validation (the evaluation
  contract) before anything is written; grades are computed, never typed;
  Visit + Observations are saved in one transaction; the evaluation is queued
  after commit and nothing depends on the broker being up.
* `evaluate_visit`: the visit against the label rules, with the dose state
  read from the ledger as of the visit. Idempotent: the visit row is locked and
  marked evaluated in the same transaction that stores the recommendation, and
  recommendations are unique per (visit, revision, governing rule).
* `decide_recommendation`: an oncologist approves, approves with another ladder
  dose, or rejects, signing by re-entering the password. Exactly one of two
  concurrent deciders wins. Approval appends to the dose ledger through
  patients.services.apply_dose_change.

What produces a Recommendation: an answer that would change the ledger
(withhold while taking the drug, resume, reduce, discontinue) or that the engine
flags for review. A plain `continue`, or "stay on hold" for the terms already
holding the drug, is kept on the visit (`Visit.evaluation`) and produces none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import dosing, limits
from patients.access import has_role
from patients.models import DoseChange, Role, TreatmentCourse
from patients.passwords import verify_signing_password
from patients.services import CLOCK_SKEW, _audit, apply_dose_change, check_not_stale
from toxicity import monitoring
from toxicity.ctcae.terms import CTCAE_VERSION, TERMS
from toxicity.models import (
    CORRECTION_MEANING,
    HOLD_SIGNATURE_MEANING,
    SEVERITY,
    SIGNATURE_MEANING,
    Action,
    AntihypertensiveTherapy,
    DecisionCorrection,
    DueCheck,
    Observation,
    ObservationSource,
    Recommendation,
    RecommendationStatus,
    Visit,
)
from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, policy_snapshot
from toxicity.rules.evaluate import InvalidRequest, evaluate, validate

logger = logging.getLogger(__name__)

VISIT_RECORDERS = (Role.NURSE, Role.ONCOLOGIST)
SIGNERS = (Role.ONCOLOGIST,)
REJECTION_MEANING = "rejected dose recommendation"

# Fields of an observation that this service reads itself; every other key is
# a measurement or flag of the evaluation contract and goes to the engine as is.
SERVICE_FIELDS = ("source", "lowering_reason")
# The fields that make a grade from numbers, per term (evaluate-contract.md).
GRADING_FIELDS = frozenset(
    {
        "readings",
        "sbp",
        "dbp",
        "stools_per_day",
        "weight_kg",
        "urine_protein_g_24h",
        "dipstick",
        "upcr_g_per_g",
        "value",
        "qtc_ms",
        "calcium_mg_dl",
        "ionized_calcium_mmol_l",
    }
)
# Baselines the patient's record supplies when the visit does not give them.
PATIENT_BASELINES: dict[str, tuple[str, str]] = {
    "diarrhea": ("baseline_stools_per_day", "baseline_stools_per_day"),
    "weight_loss": ("baseline_weight_kg", "baseline_weight_kg"),
    "alanine_aminotransferase_increased": ("baseline", "baseline_alt_u_l"),
    "aspartate_aminotransferase_increased": ("baseline", "baseline_ast_u_l"),
    "blood_bilirubin_increased": ("baseline", "baseline_bilirubin_mg_dl"),
    "creatinine_increased": ("baseline", "baseline_creatinine_mg_dl"),
    "electrocardiogram_qt_corrected_interval_prolonged": ("baseline_qtc_ms", "baseline_qtc_ms"),
}
# The term a baseline belongs to is graded only when the measurement is there.
BASELINE_NEEDS = {
    "baseline_stools_per_day": "stools_per_day",
    "baseline_weight_kg": "weight_kg",
    "baseline": "value",
    "baseline_qtc_ms": "qtc_ms",
}
LEDGER_ACTIONS = (dosing.Kind.HOLD, dosing.Kind.REDUCE, dosing.Kind.DISCONTINUE)


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


# --- Queueing -------------------------------------------------------------------


def queue_evaluation(visit_id: int) -> None:
    """Ask a worker to evaluate a visit; never fails the caller.

    Runs after commit. With the broker down the visit stays unevaluated and the
    periodic sweep (tasks.sweep_unevaluated_visits) evaluates it later.
    """
    from toxicity.tasks import evaluate_visit as evaluate_visit_task

    try:
        evaluate_visit_task.delay(visit_id)
    except Exception:  # broker unreachable, or in eager mode the evaluation itself
        logger.warning(
            "Evaluation of visit %s not run now; the sweep will evaluate it.",
            visit_id,
            exc_info=True,
        )


def _queue_on_commit(visit_id: int) -> None:
    transaction.on_commit(lambda: queue_evaluation(visit_id), robust=True)


# --- Building the engine request ---------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _hours_between(later: datetime, earlier: datetime | None) -> float | None:
    if earlier is None:
        return None
    return max(0.0, round((later - earlier).total_seconds() / 3600, 2))


def _split_observation(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(contract observation without the clinician grade, service fields + grade)."""
    contract = {k: v for k, v in raw.items() if k not in SERVICE_FIELDS and k != "grade"}
    own = {k: raw[k] for k in (*SERVICE_FIELDS, "grade") if k in raw}
    return contract, own


def _with_baselines(patient, observation: dict[str, Any]) -> dict[str, Any]:
    """Adds the patient's recorded baseline where the visit gives none."""
    spec = PATIENT_BASELINES.get(observation.get("term"))
    if spec is None:
        return observation
    field, patient_field = spec
    if field in observation or BASELINE_NEEDS[field] not in observation:
        return observation
    baseline = getattr(patient, patient_field)
    if baseline is None:
        return observation  # the engine names the missing baseline
    return {**observation, field: _plain(baseline)}


def _with_therapy(visit_fields: Mapping[str, Any], observation: dict[str, Any]) -> dict[str, Any]:
    """Hypertension observations carry the visit's antihypertensive therapy."""
    if observation.get("term") != "hypertension":
        return observation
    # The visit's therapy fields are the one source of these two flags.
    out = dict(observation)
    therapy = visit_fields["antihypertensive_therapy"]
    out["optimal_antihypertensive_therapy"] = therapy == AntihypertensiveTherapy.OPTIMAL
    hours = _hours_between(visit_fields["occurred_at"], visit_fields["stable_since"])
    out.pop("antihypertensive_stable_hours", None)
    if hours is not None and therapy != AntihypertensiveTherapy.NONE:
        out["antihypertensive_stable_hours"] = hours
    return out


def _engine_observation(stored: Observation) -> dict[str, Any]:
    obs = {"term": stored.term, **stored.measurements}
    if stored.clinician_grade is not None:
        obs["grade"] = stored.clinician_grade
    return obs


def _ledger_facts(changes: Iterable[DoseChange]) -> tuple[dosing.DoseState, list[str], dict]:
    """Dose state, the terms holding the drug, and dose-modifying occurrences per term."""
    changes = list(changes)
    state = dosing.derive_dose_state(c.as_entry() for c in changes)
    occurrences: dict[str, int] = {}
    hold_terms: list[str] = []
    for change in changes:
        if change.kind in LEDGER_ACTIONS:
            for term in change.reason_terms or ():
                occurrences[term] = occurrences.get(term, 0) + 1
        if change.kind == dosing.Kind.HOLD:
            hold_terms = list(change.reason_terms or ())
    return state, (hold_terms if state.on_hold else []), occurrences


def _state_fields(course: TreatmentCourse, changes: Iterable[DoseChange]) -> tuple[dict, str]:
    """The request's dose-state fields, and why the course cannot be evaluated ('' if it can)."""
    state, hold_terms, occurrences = _ledger_facts(changes)
    dose = state.reference_dose_mg
    fields = {
        "drug": str(course.drug),
        "rule_set": str(course.rule_set),
        "dose_mg_per_day": int(dose) if dose and float(dose).is_integer() else dose,
        "on_hold": state.on_hold,
        "hold_reason_terms": hold_terms,
        "holds_at_current_dose": state.holds_at_current_dose,
        "occurrences": occurrences,
    }
    if state.status == dosing.Status.NOT_STARTED:
        return fields, "the course had not started at the time of the visit"
    if state.ended:
        return fields, f"the course was {state.status} at the time of the visit"
    if not dosing.is_on_ladder(course.drug, float(dose or 0)):
        return fields, f"{dose:g} mg/day is off the {course.drug} ladder: no label rule applies"
    if state.on_hold and not hold_terms:
        return fields, "the drug is on hold without recorded reason terms"
    return fields, ""


def _placeholder_state(course: TreatmentCourse) -> dict:
    """A valid dose state, used only to validate observations of a course that
    cannot be evaluated (not started, ended, off-ladder dose)."""
    return {
        "drug": str(course.drug),
        "rule_set": str(course.rule_set),
        "dose_mg_per_day": dosing.DOSE_LADDERS[course.drug][0],
    }


# --- Visits -----------------------------------------------------------------------


def _check_visit_fields(course: TreatmentCourse, values: dict, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    occurred_at = values["occurred_at"]
    if occurred_at is None:
        errors["occurred_at"] = "Say when the visit took place."
        return errors
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = "Give the time with its time zone."
        return errors
    if occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = "A visit is recorded after it happens, not ahead."
    elif timezone.localtime(occurred_at, course.patient.site.zone).date() < course.start_date:
        errors["occurred_at"] = "The visit is before the start of this treatment course."
    therapy = values["antihypertensive_therapy"]
    if therapy not in AntihypertensiveTherapy.values:
        errors["antihypertensive_therapy"] = (
            f"Unknown value {therapy!r}; choose none, started or optimal."
        )
    stable = values["stable_since"]
    if stable is not None:
        if timezone.is_naive(stable):
            errors["antihypertensive_stable_since"] = "Give the time with its time zone."
        elif occurred_at and stable > occurred_at:
            errors["antihypertensive_stable_since"] = "This is after the visit."
        elif therapy == AntihypertensiveTherapy.NONE:
            errors["antihypertensive_stable_since"] = "No antihypertensive therapy is recorded."
    return errors


def _prepare_observations(
    course: TreatmentCourse, raw_observations: Any, values: dict, ledger: list[DoseChange]
) -> tuple[list[dict], dict[str, str]]:
    """Validates every observation through the engine; returns the rows to write.

    Errors are keyed like the evaluation contract: `observations[1].readings[0]`.
    """
    errors: dict[str, str] = {}
    if not isinstance(raw_observations, list | tuple):
        return [], {"observations": "Give a list of observations."}
    patient = course.patient
    contract_obs: list[dict] = []
    own_fields: list[dict] = []
    for index, raw in enumerate(raw_observations):
        path = f"observations[{index}]"
        if not isinstance(raw, Mapping):
            errors[path] = "Expected an object."
            contract_obs.append({})
            own_fields.append({})
            continue
        if not isinstance(raw.get("term"), str):
            # Checked before anything looks the term up: a list or object is unhashable.
            errors[f"{path}.term"] = _("Give the CTCAE v5.0 term name as text.")
            contract_obs.append({})
            own_fields.append({})
            continue
        contract, own = _split_observation(raw)
        contract = _with_therapy(values, _with_baselines(patient, contract))
        contract_obs.append(contract)
        own_fields.append(own)
        source = own.get("source", ObservationSource.NURSE)
        if source not in ObservationSource.values:
            errors[f"{path}.source"] = f"Unknown source {source!r}; choose nurse, lab or patient."
        problem = limits.text_problem(own.get("lowering_reason", ""), limits.REASON_CHARS)
        if problem:
            errors[f"{path}.lowering_reason"] = problem
    if errors:
        return [], errors

    state_fields, why_not = _state_fields(course, ledger)
    base = _placeholder_state(course) if why_not else state_fields
    full = [
        {**c, "grade": o["grade"]} if "grade" in o else c
        for c, o in zip(contract_obs, own_fields, strict=True)
    ]
    try:
        validated = validate({**base, "observations": full})
    except InvalidRequest as refused:
        return [], {k: v for k, v in refused.errors.items() if k.startswith("observations")} or {
            "observations": "; ".join(refused.errors.values())
        }
    # The computed grades: the same observations without the clinician's grade.
    measured_idx = [i for i, c in enumerate(contract_obs) if GRADING_FIELDS & c.keys()]
    computed: dict[int, tuple[int | None, bool]] = {}
    if measured_idx:
        only_measured = [contract_obs[i] for i in measured_idx]
        findings = validate({**base, "observations": only_measured}).findings
        for i, finding in zip(measured_idx, findings, strict=True):
            computed[i] = (finding.grade, finding.provisional)

    rows: list[dict] = []
    for index, (contract, own, finding) in enumerate(
        zip(contract_obs, own_fields, validated.findings, strict=True)
    ):
        path = f"observations[{index}]"
        computed_grade, computed_provisional = computed.get(index, (None, False))
        clinician = own.get("grade")
        reason = (own.get("lowering_reason") or "").strip()
        lowered = (
            clinician is not None and computed_grade is not None and clinician < computed_grade
        )
        if lowered and not reason:
            errors[f"{path}.grade"] = (
                f"Grade {clinician} is below the computed grade {computed_grade}: "
                "write why in lowering_reason (policy 7), or keep the computed grade."
            )
            continue
        if reason and not lowered:
            errors[f"{path}.lowering_reason"] = (
                "Only a clinician grade below the computed grade takes a lowering reason."
            )
            continue
        measurements = {k: v for k, v in contract.items() if k != "term"}
        rows.append(
            {
                "term": contract["term"],
                "measurements": measurements,
                "computed_grade": computed_grade,
                "clinician_grade": clinician,
                "final_grade": clinician if lowered else finding.grade,
                "provisional": False if lowered else finding.provisional,
                "basis": _basis(computed_grade, computed_provisional, clinician, lowered),
                "source": own.get("source", ObservationSource.NURSE),
                "lowering_reason": reason,
            }
        )
    return rows, errors


def _basis(computed: int | None, provisional: bool, clinician: int | None, lowered: bool) -> str:
    parts = []
    if computed is not None:
        parts.append(f"computed grade {computed}" + (" (provisional)" if provisional else ""))
    if clinician is not None:
        parts.append(
            f"clinician grade {clinician}" + (" lowers it, with reason" if lowered else "")
        )
    return "; ".join(parts)


def _ledger_as_of(course: TreatmentCourse, at: datetime) -> list[DoseChange]:
    return list(
        DoseChange.objects.filter(course=course, effective_at__lte=at).order_by(
            "effective_at", "id"
        )
    )


def _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since) -> dict:
    return {
        "occurred_at": occurred_at,
        "antihypertensive_therapy": antihypertensive_therapy,
        "stable_since": antihypertensive_stable_since,
    }


@transaction.atomic
def _time_is_usable(occurred_at: datetime | None) -> bool:
    return occurred_at is not None and not timezone.is_naive(occurred_at)


def log_visit(
    *,
    actor,
    course: TreatmentCourse,
    occurred_at: datetime,
    observations: list[dict],
    antihypertensive_therapy: str = AntihypertensiveTherapy.NONE,
    antihypertensive_stable_since: datetime | None = None,
    note: str = "",
    reason: str = "Visit recorded",
) -> Visit:
    """Saves a visit and its observations whole, or nothing; queues its evaluation."""
    patient = course.patient
    if not has_role(actor, patient.site_id, *VISIT_RECORDERS):
        raise PermissionDenied("Your role at this site cannot record visits.")
    now = timezone.now()
    values = _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since)
    errors = _check_visit_fields(course, values, now)
    errors |= limits.text_errors(note=(note, limits.NOTE_CHARS))
    if not observations:
        errors["observations"] = "Record at least one observation."
    rows: list[dict] = []
    if observations and _time_is_usable(occurred_at):
        # Checked in the same round as the visit fields: every problem is named at once.
        rows, observation_errors = _prepare_observations(
            course, observations, values, _ledger_as_of(course, occurred_at)
        )
        errors.update(observation_errors)
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        course=course,
        occurred_at=occurred_at,
        recorded_by=actor,
        recorded_at=now,
        updated_at=now,
        antihypertensive_therapy=antihypertensive_therapy,
        antihypertensive_stable_since=antihypertensive_stable_since,
        note=note or "",
    )
    _audit(visit, actor=actor, reason=reason)
    visit.save()
    saved = []
    for row in rows:
        observation = Observation(visit=visit, ctcae_version=CTCAE_VERSION, **row)
        _audit(observation, actor=actor, reason=reason)
        observation.save()
        saved.append(observation)
    visit.saved_observations = saved  # so callers can answer without reading them back
    _queue_on_commit(visit.pk)
    return visit


def preview_visit(
    *,
    actor,
    course: TreatmentCourse,
    occurred_at: datetime,
    observations: list[dict],
    antihypertensive_therapy: str = AntihypertensiveTherapy.NONE,
    antihypertensive_stable_since: datetime | None = None,
    note: str = "",
) -> dict:
    """What log_visit would store and what the engine would recommend, saving nothing.

    The visit form shows this while the nurse types, so the same validation and
    the same engine request as a saved visit: what is previewed is what follows.
    """
    if not has_role(actor, course.patient.site_id, *VISIT_RECORDERS):
        raise PermissionDenied("Your role at this site cannot record visits.")
    values = _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since)
    errors = _check_visit_fields(course, values, timezone.now())
    errors |= limits.text_errors(note=(note, limits.NOTE_CHARS))
    if not _time_is_usable(occurred_at):
        raise ValidationError(errors)
    ledger = _ledger_as_of(course, occurred_at)
    rows, observation_errors = _prepare_observations(course, observations, values, ledger)
    errors.update(observation_errors)
    if errors:
        raise ValidationError(errors)
    grades = [
        {
            "term": row["term"],
            "name": TERMS[row["term"]].name if row["term"] in TERMS else row["term"],
            "grade": row["final_grade"],
            "provisional": row["provisional"],
        }
        for row in rows
        if row["final_grade"] is not None
    ]
    state_fields, why_not = _state_fields(course, ledger)
    decision = None
    if rows and not why_not:
        engine_observations = [
            {"term": row["term"], **row["measurements"]}
            | ({"grade": row["clinician_grade"]} if row["clinician_grade"] is not None else {})
            for row in rows
        ]
        decision = evaluate({**state_fields, "observations": engine_observations})
    return {"grades": grades, "decision": decision, "not_evaluated": why_not}


@transaction.atomic
def edit_visit(
    *,
    actor,
    visit: Visit,
    reason: str,
    occurred_at: datetime | None = None,
    observations: list[dict] | None = None,
    antihypertensive_therapy: str | None = None,
    antihypertensive_stable_since: datetime | None = None,
    note: str | None = None,
    revision: int | None = None,
) -> Visit:
    """Corrects a saved visit. A reason is required and audited; the visit is re-evaluated.

    `revision` is the one the correction was made on (the API requires it): a newer
    one raises StaleRecord, naming who changed what since.

    `observations` given here replace those of the same term and add new terms;
    observations of other terms are kept (clinical rows are never deleted).
    """
    visit = Visit.objects.select_for_update().select_related("course__patient").get(pk=visit.pk)
    course = visit.course
    if not has_role(actor, course.patient.site_id, *VISIT_RECORDERS):
        raise PermissionDenied("Your role at this site cannot correct visits.")
    errors = limits.text_errors(
        reason=(reason, limits.REASON_CHARS), note=(note, limits.NOTE_CHARS)
    )
    if errors:
        raise ValidationError(errors)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this visit is being corrected."})
    check_not_stale(visit, sent=revision, current=visit.revision, field="revision")
    now = timezone.now()
    values = _visit_values(
        occurred_at or visit.occurred_at,
        antihypertensive_therapy or visit.antihypertensive_therapy,
        antihypertensive_stable_since
        if antihypertensive_stable_since is not None
        else visit.antihypertensive_stable_since,
    )
    errors = _check_visit_fields(course, values, now)
    if errors:
        raise ValidationError(errors)
    existing = {o.term: o for o in visit.observations.all()}
    # Validate the visit as it will stand: kept observations plus the corrections.
    given = list(observations or [])
    given_terms = {
        o.get("term") for o in given if isinstance(o, Mapping) and isinstance(o.get("term"), str)
    }
    kept = [
        {"term": o.term, **o.measurements, **_own_of(o)}
        for term, o in existing.items()
        if term not in given_terms
    ]
    rows, errors = _prepare_observations(
        course, given + kept, values, _ledger_as_of(course, values["occurred_at"])
    )
    if errors:
        raise ValidationError(errors)
    visit.occurred_at = values["occurred_at"]
    visit.antihypertensive_therapy = values["antihypertensive_therapy"]
    visit.antihypertensive_stable_since = values["stable_since"]
    if note is not None:
        visit.note = note
    visit.revision += 1
    visit.updated_at = now
    visit.evaluated_at = None
    _audit(visit, actor=actor, reason=reason)
    visit.save()
    fields = ("measurements", "computed_grade", "clinician_grade", "final_grade", "provisional")
    fields += ("basis", "source", "lowering_reason")
    for row in rows:
        observation = existing.get(row["term"])
        if observation is None:
            observation = Observation(visit=visit, ctcae_version=CTCAE_VERSION, **row)
        elif all(getattr(observation, f) == row[f] for f in fields):
            continue
        else:
            for field in fields:
                setattr(observation, field, row[field])
        _audit(observation, actor=actor, reason=reason)
        observation.save()
    _queue_on_commit(visit.pk)
    return visit


def _own_of(observation: Observation) -> dict:
    own: dict[str, Any] = {"source": observation.source}
    if observation.clinician_grade is not None:
        own["grade"] = observation.clinician_grade
    if observation.lowering_reason:
        own["lowering_reason"] = observation.lowering_reason
    return own


# --- Evaluation -------------------------------------------------------------------


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
        ledger = _ledger_as_of(course, visit.occurred_at)
        state_fields, why_not = _state_fields(course, ledger)
        observations = list(visit.observations.all())
        recommendation = None
        request = {**state_fields, "observations": [_engine_observation(o) for o in observations]}
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
        if recommendation is not None and recommendation.is_pending and _has_ended(course):
            # A visit evaluated after its course ended (the broker was down, say):
            # there is no dose left to change, so nothing to sign.
            close_pending_recommendations(
                course=course, actor=None, reason="The course ended before this evaluation"
            )
        visit.evaluated_at = now
        visit.evaluated_revision = visit.revision
        _audit(visit, actor=None, reason=f"Evaluated (engine {ENGINE_VERSION})")
        visit.save(update_fields=["evaluation", "evaluated_at", "evaluated_revision"])
        refresh_due_checks(course, now=now)
        if before_commit is not None:
            before_commit()
    transaction.on_commit(lambda: _raise_alerts(visit_id), robust=True)
    return recommendation


def _raise_alerts(visit_id: int) -> None:
    """Grade >= 3 findings and withhold/discontinue recommendations reach a clinician
    by email (notifications.triggers; idempotent, so a repeated evaluation emails
    nobody twice)."""
    from notifications.triggers import alerts_for_evaluation

    alerts_for_evaluation(visit_id)


def _signed_plan(ledger: list[DoseChange]) -> Recommendation | None:
    """The signed withhold behind the hold the ledger ends in, if its resume dose
    was set by the oncologist (else the label's next level, which the engine gives)."""
    from toxicity.selectors import signed_hold_plans

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
    _audit(recommendation, actor=None, reason=f"Recommended by engine {ENGINE_VERSION}")
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
    from toxicity.signoff import current_signoff  # signoff signs with this module's helpers

    return current_signoff(site_id=course.patient.site_id, drug=course.drug, rule_set=rule_set)


def _supersede(recommendation: Recommendation, *, by: Visit) -> None:
    recommendation.status = RecommendationStatus.SUPERSEDED
    recommendation.superseded_by_visit = by
    _audit(recommendation, actor=None, reason=f"Superseded by visit {by.pk}")
    recommendation.save(update_fields=["status", "superseded_by_visit"])


def _supersede_pending(course: TreatmentCourse, visit: Visit, *, keep: Recommendation | None):
    pending = Recommendation.objects.select_for_update().filter(
        course=course, status=RecommendationStatus.PENDING
    )
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    for old in pending:
        _supersede(old, by=visit)


def _has_ended(course: TreatmentCourse) -> bool:
    return DoseChange.objects.filter(
        course=course, kind__in=(dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE)
    ).exists()


def close_pending_recommendations(
    *, course: TreatmentCourse, actor, reason: str, keep: Recommendation | None = None
) -> int:
    """A course that ended leaves nothing to sign: its pending recommendations close.

    Called by patients.services.apply_dose_change when a course is discontinued or
    completed, so the inbox never asks an oncologist to act on a finished course.
    """
    pending = Recommendation.objects.select_for_update().filter(
        course=course, status=RecommendationStatus.PENDING
    )
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    closed = 0
    for recommendation in pending:
        recommendation.status = RecommendationStatus.SUPERSEDED
        _audit(recommendation, actor=actor, reason=reason)
        recommendation.save(update_fields=["status"])
        closed += 1
    return closed


# --- Decisions --------------------------------------------------------------------


class Decision:
    APPROVE = "approve"
    APPROVE_MODIFIED = "approve_modified"
    REJECT = "reject"
    ALL = (APPROVE, APPROVE_MODIFIED, REJECT)


def _signer_name(actor) -> str:
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


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def signature_is_valid(recommendation: Recommendation) -> bool:
    return _sha256(signed_content(recommendation)) == recommendation.signature_sha256


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
            {"dose_mg": "That raises the dose: record a re-escalation on the dose ledger."}
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
    """The ledger row's reason: which recommendation, what was signed, for which terms."""
    terms = ", ".join(recommendation.reason_terms) or recommendation.get_action_display().lower()
    verb = "approved with another dose" if modified else "approved"
    text = f"Recommendation {recommendation.pk} {verb} ({terms})"
    if step.kind == dosing.Kind.HOLD and step.resume_dose is not None:
        text += f": hold now, resume at {float(step.resume_dose):g} mg/day once recovered"
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
        raise PermissionDenied("Only an oncologist at this site can sign a recommendation.")
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
            from patients.selectors import dose_state

            state = dose_state(course)
            step = _ledger_step(locked, state, dose)
            if step.kind is not None:
                # The rule texts and the oncologist's reason are on the linked
                # recommendation; the ledger row names it.
                apply_dose_change(
                    actor=actor,
                    course=course,
                    kind=step.kind,
                    dose_after_mg=step.dose_after,
                    reason=_ledger_text(locked, step, modified=dose is not None),
                    recommendation=locked,
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
        locked.signer_name = _signer_name(actor)
        locked.signature_sha256 = _sha256(signed_content(locked))
        _audit(locked, actor=actor, reason=f"Signed: {locked.signature_meaning}")
        locked.save()
        _acknowledge_answered_alerts(locked, actor=actor)
    return locked


def _acknowledge_answered_alerts(recommendation: Recommendation, *, actor) -> None:
    """A decision answers the alerts raised about its visit: they are acknowledged
    with the decision, in the same transaction, so nobody is paged about it later."""
    from notifications.triggers import acknowledge_alerts_answered_by

    acknowledge_alerts_answered_by(recommendation, actor=actor)


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
    return _sha256(correction_content(correction)) == correction.signature_sha256


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
        raise PermissionDenied("Only an oncologist at this site can correct a signed decision.")
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
            signer_name=_signer_name(actor),
            signature_meaning=CORRECTION_MEANING,
        )
        correction.signature_sha256 = _sha256(correction_content(correction))
        _audit(correction, actor=actor, reason=f"Signed: {CORRECTION_MEANING}")
        correction.save()
    return correction


# --- Monitoring checks ----------------------------------------------------------------


def refresh_due_checks(
    course: TreatmentCourse, *, ledger: list[DoseChange] | None = None, now: datetime | None = None
) -> list[DueCheck]:
    """Brings a course's due checks up to date: satisfied ones closed, next ones scheduled.

    Constant queries whatever the course's history: one for the last time each
    term was observed, one for the open checks, then one write per change.
    """
    now = now or timezone.now()
    if ledger is None:
        ledger = list(DoseChange.objects.filter(course=course).order_by("effective_at", "id"))
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
