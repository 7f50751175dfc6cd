"""Visits: a nurse or oncologist records, corrects or previews a visit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import limits
from patients.access import has_role
from patients.audit import audit
from patients.models import DoseChange, Role, TreatmentCourse
from patients.services import CLOCK_SKEW, check_not_stale
from toxicity import tasks
from toxicity.ctcae.terms import CTCAE_VERSION
from toxicity.models import (
    AntihypertensiveTherapy,
    Observation,
    ObservationSource,
    Visit,
)
from toxicity.names import term_name
from toxicity.rules.engine import DEFAULT_POLICY, decide
from toxicity.rules.evaluate import InvalidRequest, ValidatedRequest, validate
from toxicity.services.request import (
    GRADING_FIELDS,
    dose_state_fields,
    ledger_as_of,
    placeholder_state,
    split_observation,
    with_baselines,
    with_therapy,
)

logger = logging.getLogger(__name__)


VISIT_RECORDERS = (Role.NURSE, Role.ONCOLOGIST)


# --- Queueing -------------------------------------------------------------------


def queue_evaluation(visit_id: int) -> None:
    """Ask a worker to evaluate a visit; never fails the caller.

    Runs after commit. With the broker down the visit stays unevaluated and the
    periodic sweep (tasks.sweep_unevaluated_visits) evaluates it later.
    """
    try:
        tasks.evaluate_visit.delay(visit_id)
    except Exception:  # broker unreachable, or in eager mode the evaluation itself
        logger.warning(
            "Evaluation of visit %s not run now; the sweep will evaluate it.",
            visit_id,
            exc_info=True,
        )


def _queue_on_commit(visit_id: int) -> None:
    transaction.on_commit(lambda: queue_evaluation(visit_id), robust=True)


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


class Prepared(NamedTuple):
    """A visit's observations after the one validation: the rows to write, the errors,
    the engine's validated request (None on errors) and why the course cannot be
    evaluated ('' if it can)."""

    rows: list[dict]
    errors: dict[str, str]
    validated: ValidatedRequest | None = None
    why_not: str = ""


def _prepare_observations(
    course: TreatmentCourse, raw_observations: Any, values: dict, ledger: list[DoseChange]
) -> Prepared:
    """Validates every observation through the engine, once; returns the rows to write.

    Errors are keyed like the evaluation contract: `observations[1].readings[0]`.
    """
    errors: dict[str, str] = {}
    if not isinstance(raw_observations, list | tuple):
        return Prepared([], {"observations": "Give a list of observations."})
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
        contract, own = split_observation(raw)
        contract = with_therapy(values, with_baselines(patient, contract))
        contract_obs.append(contract)
        own_fields.append(own)
        source = own.get("source", ObservationSource.NURSE)
        if source not in ObservationSource.values:
            errors[f"{path}.source"] = f"Unknown source {source!r}; choose nurse, lab or patient."
        problem = limits.text_problem(own.get("lowering_reason", ""), limits.REASON_CHARS)
        if problem:
            errors[f"{path}.lowering_reason"] = problem
    if errors:
        return Prepared([], errors)

    state_fields, why_not, _state = dose_state_fields(course, ledger)
    base = placeholder_state(course) if why_not else state_fields
    full = [
        {**c, "grade": o["grade"]} if "grade" in o else c
        for c, o in zip(contract_obs, own_fields, strict=True)
    ]
    try:
        validated = validate({**base, "observations": full})
    except InvalidRequest as refused:
        return Prepared(
            [],
            {k: v for k, v in refused.errors.items() if k.startswith("observations")}
            or {"observations": "; ".join(refused.errors.values())},
        )
    rows: list[dict] = []
    for index, (contract, own, finding) in enumerate(
        zip(contract_obs, own_fields, validated.findings, strict=True)
    ):
        path = f"observations[{index}]"
        # The grade the measurements alone give, which a clinician grade may not lower
        # without a reason; the engine reports it with the finding (one validation).
        computed_grade, computed_provisional = (
            (finding.computed_grade, finding.computed_provisional)
            if GRADING_FIELDS & contract.keys()
            else (None, False)
        )
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
    return Prepared(rows, errors, None if errors else validated, why_not)


def _basis(computed: int | None, provisional: bool, clinician: int | None, lowered: bool) -> str:
    parts = []
    if computed is not None:
        parts.append(f"computed grade {computed}" + (" (provisional)" if provisional else ""))
    if clinician is not None:
        parts.append(
            f"clinician grade {clinician}" + (" lowers it, with reason" if lowered else "")
        )
    return "; ".join(parts)


def _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since) -> dict:
    return {
        "occurred_at": occurred_at,
        "antihypertensive_therapy": antihypertensive_therapy,
        "stable_since": antihypertensive_stable_since,
    }


def _time_is_usable(occurred_at: datetime | None) -> bool:
    return occurred_at is not None and not timezone.is_naive(occurred_at)


@transaction.atomic
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
        raise PermissionDenied(_("Your role at this site cannot record visits."))
    now = timezone.now()
    values = _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since)
    errors = _check_visit_fields(course, values, now)
    errors |= limits.text_errors(note=(note, limits.NOTE_CHARS))
    if not observations:
        errors["observations"] = "Record at least one observation."
    rows: list[dict] = []
    if observations and _time_is_usable(occurred_at):
        # Checked in the same round as the visit fields: every problem is named at once.
        prepared = _prepare_observations(
            course, observations, values, ledger_as_of(course, occurred_at)
        )
        rows = prepared.rows
        errors.update(prepared.errors)
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
    audit(visit, actor=actor, reason=reason)
    visit.save()
    saved = []
    for row in rows:
        observation = Observation(visit=visit, ctcae_version=CTCAE_VERSION, **row)
        audit(observation, actor=actor, reason=reason)
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
        raise PermissionDenied(_("Your role at this site cannot record visits."))
    values = _visit_values(occurred_at, antihypertensive_therapy, antihypertensive_stable_since)
    errors = _check_visit_fields(course, values, timezone.now())
    errors |= limits.text_errors(note=(note, limits.NOTE_CHARS))
    if not _time_is_usable(occurred_at):
        raise ValidationError(errors)
    prepared = _prepare_observations(
        course, observations, values, ledger_as_of(course, occurred_at)
    )
    errors.update(prepared.errors)
    if errors:
        raise ValidationError(errors)
    rows = prepared.rows
    grades = [
        {
            "term": row["term"],
            "name": term_name(row["term"]),
            "grade": row["final_grade"],
            "provisional": row["provisional"],
        }
        for row in rows
        if row["final_grade"] is not None
    ]
    decision = None
    if rows and not prepared.why_not and prepared.validated is not None:
        # The request validated above is the one a saved visit's evaluation sends:
        # decided as it stands, not parsed again.
        decision = decide(prepared.validated.state, prepared.validated.findings, DEFAULT_POLICY)
    return {"grades": grades, "decision": decision, "not_evaluated": prepared.why_not}


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
        raise PermissionDenied(_("Your role at this site cannot correct visits."))
    errors = limits.text_errors(
        reason=(reason, limits.REASON_CHARS), note=(note, limits.NOTE_CHARS)
    )
    if errors:
        raise ValidationError(errors)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this visit is being corrected.")})
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
    prepared = _prepare_observations(
        course, given + kept, values, ledger_as_of(course, values["occurred_at"])
    )
    if prepared.errors:
        raise ValidationError(prepared.errors)
    rows = prepared.rows
    visit.occurred_at = values["occurred_at"]
    visit.antihypertensive_therapy = values["antihypertensive_therapy"]
    visit.antihypertensive_stable_since = values["stable_since"]
    if note is not None:
        visit.note = note
    visit.revision += 1
    visit.updated_at = now
    visit.evaluated_at = None
    audit(visit, actor=actor, reason=reason)
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
        audit(observation, actor=actor, reason=reason)
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
