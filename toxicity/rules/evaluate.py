"""The pure function behind the evaluation contract (evaluate-contract.md).

``evaluate(request)`` validates one request, grades its observations with
``toxicity.ctcae.grading`` and runs the engine; ``evaluate_many`` does it for a
list. Bad input is refused, never guessed at: ``InvalidRequest.errors`` maps
each bad field (``observations[0].readings[1]``, ``drug``, ...) to why. Any
input either evaluates or raises ``InvalidRequest``.

Plausibility ranges (a value outside is refused as implausible; project
decisions, chosen wide enough for real patients and narrow enough to catch a
wrong unit or a typo):

=================================  =======================================
field                              accepted
=================================  =======================================
SBP (``readings``, ``sbp``)        50-300 mmHg (evaluate-contract.md)
DBP (``readings``, ``dbp``)        20-200 mmHg, not above the SBP (contract)
``readings``                       1-20 pairs per visit
``antihypertensive_stable_hours``  0-87,600 h (10 years)
``stools_per_day`` and baseline    0-50
``weight_kg`` and baseline         20-400 kg
``urine_protein_g_24h``            0-50 g; ``upcr_g_per_g`` 0-50 g/g
``dipstick``                       negative, trace, 1+, 2+, 3+, 4+
``value`` (ALT, AST, bilirubin,    0-100,000 and at most 1,000 x ULN
creatinine)
``uln``                            > 0 and at most 10,000
``baseline`` (labs)                > 0 and at most 100,000 (required for
                                   ALT, AST and bilirubin)
``qtc_ms``, ``baseline_qtc_ms``    200-800 ms
``calcium_mg_dl``                  1-20 mg/dL, with ``albumin_g_dl`` 0.5-10
``ionized_calcium_mmol_l``         0.1-5 mmol/L
``lln``                            > 0 and at most 20 (unit of the value)
``grade``                          integer 0-5 that exists for the term
``holds_at_current_dose``,         integers 0-1,000
``occurrences`` values
``observations``                   at most 100, one per term
=================================  =======================================

Booleans are not numbers here (``true`` is refused where a number is
expected), NaN and infinities are refused, and so is any unknown field. The shape
of a request (types, names, fields, the ranges above) is checked by pydantic in
strict mode (``toxicity/rules/contract.py``); what needs more than one field (a
grade the term defines, sbp with dbp, a baseline, a dose on the ladder) and the
grading are here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from toxicity.ctcae.grading import (
    Grade,
    final_grade,
    grade_bilirubin,
    grade_creatinine,
    grade_diarrhea,
    grade_hypertension,
    grade_hypocalcemia,
    grade_proteinuria,
    grade_qtc,
    grade_transaminase,
    grade_weight_loss,
    mean_bp,
    needs_24h_collection,
)
from toxicity.ctcae.terms import TERMS
from toxicity.rules import RULE_SETS
from toxicity.rules.bounds import MAX_OBSERVATIONS
from toxicity.rules.contract import (
    FLAGS,
    MEASUREMENT_FIELDS,
    check_shape,
    describe,
    fmt,
)
from toxicity.rules.engine import (
    DEFAULT_POLICY,
    CompiledRuleSet,
    DoseState,
    Finding,
    PolicySettings,
    decide,
)

__all__ = [
    "InvalidRequest",
    "ValidatedRequest",
    "evaluate",
    "evaluate_many",
    "loads_request",
    "refused",
    "validate",
]


class InvalidRequest(ValueError):
    """Bad input. ``errors`` maps each bad field's path to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ValidatedRequest(NamedTuple):
    """A request after validation and grading: the dose state and the graded findings."""

    state: DoseState
    findings: tuple[Finding, ...]


_FLAGS = FLAGS
_MEASUREMENT_FIELDS = MEASUREMENT_FIELDS

# CTCAE v5.0 grades that exist per term, from the dictionary (grade 0 = absent
# is always allowed).
_VALID_GRADES: dict[str, frozenset[int]] = {
    key: frozenset({0, *term.descriptors}) for key, term in TERMS.items()
}

_LADDERS: dict[str, tuple[int, ...]] = {rs.drug: rs.ladder for rs in RULE_SETS.values()}
_OBS_PATHS = tuple(f"observations[{i}]" for i in range(MAX_OBSERVATIONS))


# ---------------------------------------------------------------------------
# Per-term measurement parsers: the rules between fields, then the grade.
# (obs, path, errors, policy) -> (Grade | None, sbp, dbp, needs_24h, unchecked),
# with computed=None when no measurement was given. The values' types and
# ranges are already checked (contract.py).
# ---------------------------------------------------------------------------

# (computed grade, mean SBP, mean DBP, needs a 24-h urine, the baseline criterion
# that could not be checked or "")
_Parsed = tuple[Grade | None, float | None, float | None, bool, str]
_NONE: _Parsed = (None, None, None, False, "")


def _parse_hypertension(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    get = obs.get
    readings = get("readings")
    sbp = get("sbp")
    dbp = get("dbp")
    pairs: Sequence[Sequence[float]]
    if readings is not None:
        if sbp is not None or dbp is not None:
            errors[f"{p}.readings"] = "give readings or sbp and dbp, not both"
            return _NONE
        above = False
        for i, (s, d) in enumerate(readings):
            if d > s:
                errors[f"{p}.readings[{i}]"] = f"diastolic {fmt(d)} is above systolic {fmt(s)}"
                above = True
        if above:
            return _NONE
        pairs = readings
    elif sbp is not None or dbp is not None:
        if sbp is None:
            errors[f"{p}.sbp"] = "sbp is required with dbp"
            return _NONE
        if dbp is None:
            errors[f"{p}.dbp"] = "dbp is required with sbp"
            return _NONE
        if dbp > sbp:
            errors[f"{p}.dbp"] = f"diastolic {fmt(dbp)} is above systolic {fmt(sbp)}"
            return _NONE
        pairs = ((sbp, dbp),)
    else:
        return _NONE
    s, d = mean_bp(pairs)  # type: ignore[arg-type]
    return grade_hypertension(pairs), s, d, False, ""  # type: ignore[arg-type]


def _two(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], a: str, b: str, what: str
) -> tuple[float, float] | None:
    va = obs.get(a)
    vb = obs.get(b)
    if va is None and vb is None:
        return None
    if va is None:
        errors[f"{p}.{a}"] = f"{a} is required with {b}"
        return None
    if vb is None:
        errors[f"{p}.{b}"] = f"missing baseline: {b} is required to grade {what}"
        return None
    return va, vb


def _parse_diarrhea(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    xy = _two(obs, p, errors, "stools_per_day", "baseline_stools_per_day", "diarrhea")
    if xy is None:
        return _NONE
    return grade_diarrhea(xy[0], xy[1]), None, None, False, ""


def _parse_weight(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    xy = _two(obs, p, errors, "weight_kg", "baseline_weight_kg", "weight loss")
    if xy is None:
        return _NONE
    return grade_weight_loss(xy[0], xy[1]), None, None, False, ""


def _parse_proteinuria(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    get = obs.get
    g24 = get("urine_protein_g_24h")
    dip = get("dipstick")
    upcr = get("upcr_g_per_g")
    if g24 is None and dip is None and upcr is None:
        return _NONE
    computed = grade_proteinuria(urine_protein_g_24h=g24, dipstick=dip, upcr_g_per_g=upcr)
    needs = g24 is None and needs_24h_collection(dipstick=dip, upcr_g_per_g=upcr)
    return computed, None, None, needs, ""


def _provisional(grade: Grade, unchecked: str) -> Grade:
    return Grade(grade.grade, True, f"{grade.basis}; {unchecked} not checked (no baseline)")


def _make_lab_parser(term: str, grader: Any, unchecked: str) -> Any:
    """A parser for a lab graded against ULN and baseline.

    Without a baseline (``PolicySettings.missing_baseline``): refused, or graded
    on the normal-baseline criteria and marked provisional, naming ``unchecked``.
    """

    def parse(
        obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
    ) -> _Parsed:
        get = obs.get
        v = get("value")
        u = get("uln")
        b = get("baseline")
        if v is None and u is None and b is None:
            return _NONE
        refuse_no_baseline = b is None and policy.missing_baseline == "refuse"
        if v is None or u is None or refuse_no_baseline:
            if v is None:
                errors[f"{p}.value"] = "value is required with uln and baseline"
            if u is None:
                errors[f"{p}.uln"] = f"uln is required to grade {term}"
            if refuse_no_baseline:
                errors[f"{p}.baseline"] = (
                    f"missing baseline: baseline is required to grade {term} ({unchecked})"
                )
            return _NONE
        n_errors = len(errors)
        if v > 1000 * u:
            errors[f"{p}.value"] = f"implausible value {fmt(v)}: more than 1000 x ULN {fmt(u)}"
        if b is not None and b > 1000 * u:
            errors[f"{p}.baseline"] = (
                f"implausible baseline {fmt(b)}: more than 1000 x ULN {fmt(u)}"
            )
        if len(errors) > n_errors:
            return _NONE
        if b is not None:
            return grader(v, u, b), None, None, False, ""
        # No baseline: grade on the criteria for a normal baseline (the ULN).
        computed = grader(v, u, u)
        if computed.grade == 0:
            return computed, None, None, False, ""
        return _provisional(computed, unchecked), None, None, False, unchecked

    return parse


_QTC_UNCHECKED = "the change from baseline (CTCAE grade 3: > 60 ms)"


def _parse_qtc(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    q = obs.get("qtc_ms")
    b = obs.get("baseline_qtc_ms")
    if q is None:
        if b is not None:
            errors[f"{p}.qtc_ms"] = "qtc_ms is required with baseline_qtc_ms"
        return _NONE
    if b is None and policy.missing_baseline == "refuse":
        errors[f"{p}.baseline_qtc_ms"] = (
            f"missing baseline: baseline_qtc_ms is required to grade the QTc ({_QTC_UNCHECKED})"
        )
        return _NONE
    computed = grade_qtc(q, b)
    if b is None and computed.grade < 3:
        # CTCAE grade 3 includes "> 60 ms change from baseline".
        return _provisional(computed, _QTC_UNCHECKED), None, None, False, _QTC_UNCHECKED
    return computed, None, None, False, ""


def _parse_calcium(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    get = obs.get
    ca = get("calcium_mg_dl")
    alb = get("albumin_g_dl")
    ion = get("ionized_calcium_mmol_l")
    lln = get("lln")
    if ca is None and alb is None and ion is None:
        if lln is not None:
            errors[f"{p}.lln"] = "lln needs calcium_mg_dl or ionized_calcium_mmol_l"
        return _NONE
    if ca is None and alb is not None:
        errors[f"{p}.calcium_mg_dl"] = "calcium_mg_dl is required with albumin_g_dl"
        return _NONE
    if ca is not None and alb is None:
        errors[f"{p}.albumin_g_dl"] = (
            "albumin_g_dl is required with calcium_mg_dl (graded on corrected calcium)"
        )
        return _NONE
    if ca is not None and ion is not None and lln is not None:
        errors[f"{p}.lln"] = "lln is ambiguous when both total and ionized calcium are given"
        return _NONE
    computed = grade_hypocalcemia(
        calcium_mg_dl=ca, albumin_g_dl=alb, ionized_calcium_mmol_l=ion, lln=lln
    )
    return computed, None, None, False, ""


_ABNORMAL_BASELINE = "an abnormal baseline (CTCAE then grades by multiples of the baseline)"

_PARSERS: dict[str, Any] = {
    "hypertension": _parse_hypertension,
    "diarrhea": _parse_diarrhea,
    "weight_loss": _parse_weight,
    "proteinuria": _parse_proteinuria,
    "electrocardiogram_qt_corrected_interval_prolonged": _parse_qtc,
    "hypocalcemia": _parse_calcium,
    "alanine_aminotransferase_increased": _make_lab_parser(
        "alanine_aminotransferase_increased", grade_transaminase, _ABNORMAL_BASELINE
    ),
    "aspartate_aminotransferase_increased": _make_lab_parser(
        "aspartate_aminotransferase_increased", grade_transaminase, _ABNORMAL_BASELINE
    ),
    "blood_bilirubin_increased": _make_lab_parser(
        "blood_bilirubin_increased", grade_bilirubin, _ABNORMAL_BASELINE
    ),
    "creatinine_increased": _make_lab_parser(
        "creatinine_increased",
        grade_creatinine,
        "the rise over baseline (CTCAE grades 2-3: > 1.5 and > 3.0 x baseline)",
    ),
}


# ---------------------------------------------------------------------------
# Request validation: the shape (contract.py), then the rules between fields
# ---------------------------------------------------------------------------


def _observation(
    obs: Mapping[str, Any],
    p: str,
    errors: dict[str, str],
    seen: dict[str, int],
    index: int,
    policy: PolicySettings,
) -> Finding | None:
    term = obs["term"]
    if term in seen:
        errors[f"{p}.term"] = f"duplicate term {term} (also observations[{seen[term]}])"
        return None
    seen[term] = index
    n_errors = len(errors)
    get = obs.get
    clinician = get("grade")
    if clinician is not None and clinician not in _VALID_GRADES[term]:
        info = TERMS[term]
        errors[f"{p}.grade"] = (
            f"grade {clinician} does not exist for {term} in CTCAE v5.0 "
            f"({info.name}: defined grades {info.grades_text}; 0 = absent)"
        )
        clinician = None
    parser = _PARSERS.get(term)
    if parser is not None:
        computed, sbp, dbp, needs_24h, unchecked = parser(obs, p, errors, policy)
    else:
        computed, sbp, dbp, needs_24h, unchecked = _NONE
    if len(errors) > n_errors:
        return None
    if computed is None and clinician is None:
        if term == "proteinuria" and get("upcr_g_per_g") is not None:
            # A UPCR alone is not a CTCAE criterion: no grade, screening only.
            return Finding(term, None, False, None, obs, None, None, needs_24h)
        errors[p] = "give measurements or a clinician grade"
        return None
    if computed is None:
        # A clinician's grade alone is the grade, not provisional (policy.md 7).
        grade = clinician
        provisional = False
    else:
        final = computed if clinician is None else final_grade(computed, clinician)
        if final.grade > computed.grade:
            unchecked = ""  # the clinician's higher grade does not rest on the missing baseline
        grade = final.grade
        provisional = final.provisional
    single_reading = term == "hypertension" and not policy.single_bp_reading_provisional
    if single_reading:
        provisional = False
    rule_grade: int | None = grade
    if term == "proteinuria" and get("urine_protein_g_24h") is None:
        rule_grade = None  # policy.md 6: rules act on 24-h urine protein only
    return Finding(
        term,
        grade,
        provisional,
        rule_grade,
        obs,
        sbp,
        dbp,
        needs_24h,
        unchecked,
        None if computed is None else computed.grade,
        computed is not None and computed.provisional and not single_reading,
    )


def _bad_fields(errors: Mapping[str, str]) -> frozenset[str]:
    """The request-level fields named in ``errors`` (``hold_reason_terms[1]`` -> its list)."""
    return frozenset(path.split("[", 1)[0].split(".", 1)[0] for path in errors)


def _parse(request: Any, policy: PolicySettings, errors: dict[str, str]) -> ValidatedRequest | None:
    bad_observations = check_shape(request, errors)
    if "request" in errors:
        return None
    bad = _bad_fields(errors) if bad_observations is not None else frozenset()
    get = request.get

    drug = get("drug")
    dose: int | None = None
    if "drug" not in bad and "dose_mg_per_day" not in bad:
        ladder = _LADDERS[drug]
        n = request["dose_mg_per_day"]
        if n in ladder:
            dose = int(n)
        else:
            errors["dose_mg_per_day"] = (
                f"{fmt(n)} mg/day is not a dose level of {drug} "
                f"({'/'.join(str(d) for d in ladder)})"
            )
    rule_set = get("rule_set", policy.default_rule_set)
    on_hold = get("on_hold", False)
    hold_terms: tuple[str, ...] = ()
    if "hold_reason_terms" not in bad and "on_hold" not in bad:
        hold_terms = tuple(get("hold_reason_terms", ()))
        if hold_terms and len(set(hold_terms)) < len(hold_terms):
            for i, t in enumerate(hold_terms):
                if t in hold_terms[:i]:
                    errors[f"hold_reason_terms[{i}]"] = f"duplicate term {t}"
        elif on_hold and not hold_terms:
            errors["hold_reason_terms"] = "required when on_hold is true"
        elif hold_terms and not on_hold:
            errors["hold_reason_terms"] = "must be empty when on_hold is false"
    holds = get("holds_at_current_dose", 0)
    occurrences = get("occurrences")

    findings: list[Finding] = []
    if "observations" not in errors:
        seen: dict[str, int] = {}
        for i, obs in enumerate(get("observations", ())):
            if bad_observations and i in bad_observations:
                continue
            p = _OBS_PATHS[i]
            try:
                f = _observation(obs, p, errors, seen, i, policy)
            except (ValueError, TypeError, ArithmeticError) as exc:
                # Defensive: the grading functions refuse what validation missed.
                errors[p] = str(exc) or "invalid observation"
                continue
            if f is not None:
                findings.append(f)

    if errors:
        return None
    assert dose is not None  # no errors
    state = DoseState(
        drug, rule_set, dose, on_hold, hold_terms, holds, dict(occurrences) if occurrences else {}
    )
    return ValidatedRequest(state, tuple(findings))


def validate(request: Any, *, policy: PolicySettings = DEFAULT_POLICY) -> ValidatedRequest:
    """Validate and grade one request; raise ``InvalidRequest`` naming each bad field."""
    errors: dict[str, str] = {}
    parsed = _parse(request, policy, errors)
    if parsed is None:
        raise InvalidRequest(errors)
    return parsed


def evaluate(
    request: Any,
    *,
    policy: PolicySettings = DEFAULT_POLICY,
    rules: CompiledRuleSet | None = None,
) -> dict[str, Any]:
    """Evaluate one request (a JSON object) into the contract's response dict.

    ``rules``: another rule set for the request's drug and label than the one in
    the rule data (``engine.compile_rules``), as an impact report's candidate."""
    errors: dict[str, str] = {}
    parsed = _parse(request, policy, errors)
    if parsed is None:
        raise InvalidRequest(errors)
    return decide(parsed[0], parsed[1], policy, rules)


def evaluate_many(
    requests: Any, *, policy: PolicySettings = DEFAULT_POLICY
) -> list[dict[str, Any]]:
    """Evaluate a JSON array of requests, answered in place and in order.

    Each element of the answer is either the decision for that scenario or, for
    a scenario that is refused, ``{"errors": {path: message}}`` with the same
    paths as a single request. A bad scenario never stops the good ones. Only
    a request that is not an array at all raises ``InvalidRequest``.
    """
    if type(requests) is not list and type(requests) is not tuple:
        raise InvalidRequest({"request": f"expected a JSON array, got {describe(requests)}"})
    answers: list[dict[str, Any]] = []
    for request in requests:
        errors: dict[str, str] = {}
        one = _parse(request, policy, errors)
        if one is None:
            answers.append({"errors": errors})
        else:
            answers.append(decide(one[0], one[1], policy))
    return answers


def refused(answer: Mapping[str, Any]) -> bool:
    """True for the in-place answer of a scenario that was refused."""
    return "errors" in answer


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidRequest({"request": f"duplicate key {key!r} in a JSON object"})
        out[key] = value
    return out


def loads_request(text: str | bytes) -> Any:
    """Parse a request's JSON text, refusing what ``json.loads`` would guess at.

    Duplicate keys in an object are refused (the last would silently win), and
    so are text that is not JSON, nesting too deep to parse and numbers too
    long to read: each raises ``InvalidRequest`` with a message, never another
    exception.
    """
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except InvalidRequest:
        raise
    except RecursionError:
        raise InvalidRequest({"request": "JSON nested too deeply"}) from None
    except json.JSONDecodeError as error:
        raise InvalidRequest({"request": f"not valid JSON: {error}"}) from None
    except UnicodeDecodeError:
        raise InvalidRequest({"request": "not valid JSON: the text is not UTF-8"}) from None
    except ValueError as error:  # e.g. an integer with more digits than Python reads
        raise InvalidRequest({"request": f"not valid JSON: {error}"}) from None
