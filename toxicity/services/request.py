"""The rule engine's request, built in one place (evaluate-contract.md in docs/sources/).

The dose-state fields come from the ledger as of the visit (`dose_state_fields`);
a visit being recorded adds the patient's baselines and the visit's therapy to
each observation (`with_baselines`, `with_therapy`); a stored visit's rows become
the request through `engine_request`, the one translator from stored rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from patients import dosing
from patients.models import DoseChange, TreatmentCourse
from toxicity.models import AntihypertensiveTherapy, Observation

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


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _hours_between(later: datetime, earlier: datetime | None) -> float | None:
    if earlier is None:
        return None
    return max(0.0, round((later - earlier).total_seconds() / 3600, 2))


def split_observation(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(contract observation without the clinician grade, service fields + grade)."""
    contract = {k: v for k, v in raw.items() if k not in SERVICE_FIELDS and k != "grade"}
    own = {k: raw[k] for k in (*SERVICE_FIELDS, "grade") if k in raw}
    return contract, own


def with_baselines(patient, observation: dict[str, Any]) -> dict[str, Any]:
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


def with_therapy(visit_fields: Mapping[str, Any], observation: dict[str, Any]) -> dict[str, Any]:
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


def engine_observation(
    term: str, measurements: Mapping[str, Any], clinician_grade: int | None
) -> dict[str, Any]:
    """One observation as the engine reads it: its measurements and any clinician grade."""
    obs = {"term": term, **measurements}
    if clinician_grade is not None:
        obs["grade"] = clinician_grade
    return obs


def engine_request(state: Mapping[str, Any], observations: Iterable[Observation]) -> dict:
    """The engine's request for stored observations, with the course's dose state."""
    return {
        **state,
        "observations": [
            engine_observation(o.term, o.measurements, o.clinician_grade) for o in observations
        ],
    }


def ledger_facts(changes: Iterable[DoseChange]) -> tuple[dosing.DoseState, list[str], dict]:
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


def dose_state_fields(
    course: TreatmentCourse, changes: Iterable[DoseChange]
) -> tuple[dict, str, dosing.DoseState]:
    """The request's dose-state fields, why the course cannot be evaluated ('' if it
    can), and the dose state they were read from (the ledger replayed once)."""
    state, hold_terms, occurrences = ledger_facts(changes)
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
        return fields, "the course had not started at the time of the visit", state
    if state.ended:
        return fields, f"the course was {state.status} at the time of the visit", state
    if not dosing.is_on_ladder(course.drug, float(dose or 0)):
        why = f"{dose:g} mg/day is off the {course.drug} ladder: no label rule applies"
        return fields, why, state
    if state.on_hold and not hold_terms:
        return fields, "the drug is on hold without recorded reason terms", state
    return fields, "", state


def placeholder_state(course: TreatmentCourse) -> dict:
    """A valid dose state, used only to validate observations of a course that
    cannot be evaluated (not started, ended, off-ladder dose)."""
    return {
        "drug": str(course.drug),
        "rule_set": str(course.rule_set),
        "dose_mg_per_day": dosing.DOSE_LADDERS[course.drug][0],
    }


def ledger_as_of(course: TreatmentCourse, at: datetime) -> list[DoseChange]:
    return list(
        DoseChange.objects.filter(course=course, effective_at__lte=at).order_by(
            "effective_at", "id"
        )
    )
