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
expected), NaN and infinities are refused, and so is any unknown field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from toxicity.ctcae.grading import (
    DIPSTICK_VALUES,
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
from toxicity.rules import DRUGS, RULE_SET_NAMES, RULE_SETS
from toxicity.rules.bounds import (
    DBP,
    MAX_COUNT,
    MAX_OBSERVATIONS,
    MAX_READINGS,
    PLAUSIBLE,
    POSITIVE_MAX,
    SBP,
)
from toxicity.rules.engine import (
    DEFAULT_POLICY,
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


_TOP_FIELDS = frozenset(
    {
        "drug",
        "rule_set",
        "dose_mg_per_day",
        "on_hold",
        "hold_reason_terms",
        "holds_at_current_dose",
        "occurrences",
        "observations",
    }
)
_COMMON_FIELDS = frozenset({"term", "grade", "intolerable", "persistent", "symptomatic"})
_FLAGS = ("intolerable", "persistent", "symptomatic")

# CTCAE v5.0 grades that exist per term, from the dictionary (grade 0 = absent
# is always allowed).
_VALID_GRADES: dict[str, frozenset[int]] = {
    key: frozenset({0, *term.descriptors}) for key, term in TERMS.items()
}

_LADDERS: dict[str, tuple[int, ...]] = {rs.drug: rs.ladder for rs in RULE_SETS.values()}

_LAB_TERMS = (
    "alanine_aminotransferase_increased",
    "aspartate_aminotransferase_increased",
    "blood_bilirubin_increased",
    "creatinine_increased",
)
_TERM_FIELDS: dict[str, frozenset[str]] = {
    "hypertension": frozenset(
        {
            "readings",
            "sbp",
            "dbp",
            "optimal_antihypertensive_therapy",
            "antihypertensive_stable_hours",
        }
    ),
    "diarrhea": frozenset({"stools_per_day", "baseline_stools_per_day"}),
    "weight_loss": frozenset({"weight_kg", "baseline_weight_kg"}),
    "proteinuria": frozenset({"urine_protein_g_24h", "dipstick", "upcr_g_per_g"}),
    "electrocardiogram_qt_corrected_interval_prolonged": frozenset({"qtc_ms", "baseline_qtc_ms"}),
    "hypocalcemia": frozenset({"calcium_mg_dl", "albumin_g_dl", "ionized_calcium_mmol_l", "lln"}),
}
for _key in _LAB_TERMS:
    _TERM_FIELDS[_key] = frozenset({"value", "uln", "baseline"})
_MEASUREMENT_FIELDS: frozenset[str] = frozenset().union(*_TERM_FIELDS.values())
_ALLOWED: dict[str, frozenset[str]] = {
    key: _COMMON_FIELDS | _TERM_FIELDS.get(key, frozenset()) for key in _VALID_GRADES
}

# Plausibility ranges, (low, high, unit) inclusive: toxicity/rules/bounds.py.
_RANGES: dict[str, tuple[float, float, str]] = {
    name: (b.low, b.high, b.unit) for name, b in PLAUSIBLE.items()
}
_POSITIVE = POSITIVE_MAX
_MAX_COUNT = MAX_COUNT
_MAX_OBSERVATIONS = MAX_OBSERVATIONS
_OBS_PATHS = tuple(f"observations[{i}]" for i in range(_MAX_OBSERVATIONS))
_MAX_READINGS = MAX_READINGS


def _number(v: Any) -> int | float | None:
    """v if it is a finite int or float (not bool), else None."""
    t = type(v)
    if t is int:
        return int(v)
    if t is float and v - v == 0.0:  # NaN and +-inf fail this
        return float(v)
    return None


def _describe(v: Any) -> str:
    if type(v) is bool:
        return "a boolean"
    if type(v) is float:
        return f"{v!r}"
    if isinstance(v, str):
        return "a string"
    if v is None:
        return "null"
    if isinstance(v, list | tuple):
        return "an array"
    if isinstance(v, Mapping):
        return "an object"
    return type(v).__name__


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check_range(name: str, v: Any, path: str, errors: dict[str, str]) -> float | None:
    n = _number(v)
    if n is None:
        errors[path] = f"expected a finite number, got {_describe(v)}"
        return None
    spec = _RANGES.get(name)
    if spec is not None:
        lo, hi, unit = spec
        if n < lo or n > hi:
            what = "negative" if n < 0 else "implausible"
            errors[path] = f"{what} value {_fmt(n)}: expected {_fmt(lo)}-{_fmt(hi)} {unit}".rstrip()
            return None
        return n
    hi, unit = _POSITIVE[name]
    if n <= 0 or n > hi:
        errors[path] = f"expected a value > 0 and <= {_fmt(hi)}, got {_fmt(n)}"
        return None
    return n


def _range(bound: Any) -> str:
    return f"{_fmt(bound.low)}-{_fmt(bound.high)} {bound.unit}"


def _bp_pair(
    sbp: Any, dbp: Any, sbp_path: str, dbp_path: str, errors: dict[str, str]
) -> tuple[float, float] | None:
    """Both values checked, each error on its own field (one path for a reading pair)."""
    s = _number(sbp)
    d = _number(dbp)
    problems: list[tuple[str, str]] = []
    if s is None:
        problems.append((sbp_path, f"systolic: expected a finite number, got {_describe(sbp)}"))
    elif not SBP.contains(s):
        problems.append((sbp_path, f"systolic {_fmt(s)} is outside {_range(SBP)}"))
    if d is None:
        problems.append((dbp_path, f"diastolic: expected a finite number, got {_describe(dbp)}"))
    elif not DBP.contains(d):
        problems.append((dbp_path, f"diastolic {_fmt(d)} is outside {_range(DBP)}"))
    if problems:
        for path, message in problems:
            errors[path] = f"{errors[path]}; {message}" if path in errors else message
        return None
    assert s is not None and d is not None
    if d > s:
        errors[dbp_path] = f"diastolic {_fmt(d)} is above systolic {_fmt(s)}"
        return None
    return (s, d)


# ---------------------------------------------------------------------------
# Per-term measurement parsers: (obs, path, errors) -> (Grade | None, sbp, dbp, needs_24h)
# Each returns computed=None when no measurement was given.
# ---------------------------------------------------------------------------

# (computed grade, mean SBP, mean DBP, needs a 24-h urine, the baseline criterion
# that could not be checked or "")
_Parsed = tuple[Grade | None, float | None, float | None, bool, str]
_NONE: _Parsed = (None, None, None, False, "")


def _parse_hypertension(
    obs: Mapping[str, Any], p: str, errors: dict[str, str], policy: PolicySettings
) -> _Parsed:
    get = obs.get
    for flag in ("optimal_antihypertensive_therapy",):
        v = get(flag)
        if v is not None and type(v) is not bool:
            errors[f"{p}.{flag}"] = f"expected true or false, got {_describe(v)}"
    hours = get("antihypertensive_stable_hours")
    if hours is not None:
        _check_range(
            "antihypertensive_stable_hours", hours, f"{p}.antihypertensive_stable_hours", errors
        )
    readings = get("readings")
    sbp = get("sbp")
    dbp = get("dbp")
    pairs: list[tuple[float, float]] = []
    if readings is not None:
        if sbp is not None or dbp is not None:
            errors[f"{p}.readings"] = "give readings or sbp and dbp, not both"
            return _NONE
        if type(readings) is not list and type(readings) is not tuple:
            errors[f"{p}.readings"] = (
                f"expected an array of [systolic, diastolic], got {_describe(readings)}"
            )
            return _NONE
        if not readings:
            errors[f"{p}.readings"] = "expected at least one [systolic, diastolic] reading"
            return _NONE
        if len(readings) > _MAX_READINGS:
            errors[f"{p}.readings"] = f"at most {_MAX_READINGS} readings per visit"
            return _NONE
        for i, r in enumerate(readings):
            rp = f"{p}.readings[{i}]"
            if (type(r) is not list and type(r) is not tuple) or len(r) != 2:
                errors[rp] = "expected [systolic, diastolic]"
                continue
            pair = _bp_pair(r[0], r[1], rp, rp, errors)
            if pair is not None:
                pairs.append(pair)
        if len(pairs) != len(readings):
            return _NONE
    elif sbp is not None or dbp is not None:
        if sbp is None:
            errors[f"{p}.sbp"] = "sbp is required with dbp"
            return _NONE
        if dbp is None:
            errors[f"{p}.dbp"] = "dbp is required with sbp"
            return _NONE
        pair = _bp_pair(sbp, dbp, f"{p}.sbp", f"{p}.dbp", errors)
        if pair is None:
            return _NONE
        pairs.append(pair)
    else:
        return _NONE
    s, d = mean_bp(pairs)
    return grade_hypertension(pairs), s, d, False, ""


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
    x = _check_range(a, va, f"{p}.{a}", errors)
    y = _check_range(b, vb, f"{p}.{b}", errors)
    if x is None or y is None:
        return None
    return x, y


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
    ok = True
    if (
        g24 is not None
        and _check_range("urine_protein_g_24h", g24, f"{p}.urine_protein_g_24h", errors) is None
    ):
        ok = False
    if upcr is not None and _check_range("upcr_g_per_g", upcr, f"{p}.upcr_g_per_g", errors) is None:
        ok = False
    if dip is not None and (type(dip) is not str or dip not in DIPSTICK_VALUES):
        errors[f"{p}.dipstick"] = f"expected one of {', '.join(DIPSTICK_VALUES)}, got " + (
            repr(dip) if type(dip) is str else _describe(dip)
        )
        ok = False
    if not ok:
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
        value = get("value")
        uln = get("uln")
        baseline = get("baseline")
        if value is None and uln is None and baseline is None:
            return _NONE
        n_errors = len(errors)
        if value is None:
            errors[f"{p}.value"] = "value is required with uln and baseline"
        if uln is None:
            errors[f"{p}.uln"] = f"uln is required to grade {term}"
        if baseline is None and policy.missing_baseline == "refuse":
            errors[f"{p}.baseline"] = (
                f"missing baseline: baseline is required to grade {term} ({unchecked})"
            )
        v = None if value is None else _check_range("value", value, f"{p}.value", errors)
        u = None if uln is None else _check_range("uln", uln, f"{p}.uln", errors)
        b = (
            None
            if baseline is None
            else _check_range("baseline", baseline, f"{p}.baseline", errors)
        )
        if len(errors) > n_errors or v is None or u is None:
            return _NONE
        if v > 1000 * u:
            errors[f"{p}.value"] = f"implausible value {_fmt(v)}: more than 1000 x ULN {_fmt(u)}"
        if b is not None and b > 1000 * u:
            errors[f"{p}.baseline"] = (
                f"implausible baseline {_fmt(b)}: more than 1000 x ULN {_fmt(u)}"
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
    qv = _check_range("qtc_ms", q, f"{p}.qtc_ms", errors)
    bv = None if b is None else _check_range("baseline_qtc_ms", b, f"{p}.baseline_qtc_ms", errors)
    if (
        qv is None
        or (b is not None and bv is None)
        or (b is None and policy.missing_baseline == "refuse")
    ):
        return _NONE
    computed = grade_qtc(qv, bv)
    if bv is None and computed.grade < 3:
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
    cav = None if ca is None else _check_range("calcium_mg_dl", ca, f"{p}.calcium_mg_dl", errors)
    albv = None if alb is None else _check_range("albumin_g_dl", alb, f"{p}.albumin_g_dl", errors)
    ionv = (
        None
        if ion is None
        else _check_range("ionized_calcium_mmol_l", ion, f"{p}.ionized_calcium_mmol_l", errors)
    )
    llnv = None if lln is None else _check_range("lln", lln, f"{p}.lln", errors)
    if (
        (ca is not None and (cav is None or albv is None))
        or (ion is not None and ionv is None)
        or (lln is not None and llnv is None)
    ):
        return _NONE
    return (
        grade_hypocalcemia(
            calcium_mg_dl=cav, albumin_g_dl=albv, ionized_calcium_mmol_l=ionv, lln=llnv
        ),
        None,
        None,
        False,
        "",
    )


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
# Request validation
# ---------------------------------------------------------------------------


def _count(v: Any, path: str, errors: dict[str, str]) -> int | None:
    if type(v) is not int:
        errors[path] = f"expected a non-negative integer, got {_describe(v)}"
        return None
    if v < 0:
        errors[path] = f"expected a non-negative integer, got {v}"
        return None
    if v > _MAX_COUNT:
        errors[path] = f"implausible count {v}: at most {_MAX_COUNT}"
        return None
    return v


def _unknown_term(term: Any) -> str:
    if type(term) is not str:
        return f"expected a CTCAE v5.0 term name (string), got {_describe(term)}"
    return (
        f"unknown term {term!r} (expected a CTCAE v5.0 term in lower snake case, "
        "e.g. colonic_perforation)"
    )


def _observation(
    obs: Any,
    p: str,
    errors: dict[str, str],
    seen: dict[str, int],
    index: int,
    policy: PolicySettings,
) -> Finding | None:
    if type(obs) is not dict and not isinstance(obs, Mapping):
        errors[p] = f"expected an object, got {_describe(obs)}"
        return None
    term = obs.get("term")
    if term is None:
        errors[f"{p}.term"] = "term is required"
        return None
    allowed = _ALLOWED.get(term) if type(term) is str else None
    if allowed is None:
        errors[f"{p}.term"] = _unknown_term(term)
        return None
    if term in seen:
        errors[f"{p}.term"] = f"duplicate term {term} (also observations[{seen[term]}])"
        return None
    seen[term] = index
    n_errors = len(errors)
    unknown = obs.keys() - allowed
    if unknown:
        for key in sorted(unknown, key=str):
            if key in _MEASUREMENT_FIELDS:
                errors[f"{p}.{key}"] = f"unknown field for term {term}"
            else:
                errors[f"{p}.{key}"] = "unknown field"
    get = obs.get
    if len(obs) > 2 or "grade" not in obs:
        for flag in _FLAGS:
            v = get(flag)
            if v is not None and type(v) is not bool:
                errors[f"{p}.{flag}"] = f"expected true or false, got {_describe(v)}"
    clinician = get("grade")
    if clinician is not None:
        if type(clinician) is not int:
            errors[f"{p}.grade"] = f"expected an integer grade 0-5, got {_describe(clinician)}"
            clinician = None
        elif clinician not in _VALID_GRADES[term]:
            if 0 <= clinician <= 5:
                info = TERMS[term]
                errors[f"{p}.grade"] = (
                    f"grade {clinician} does not exist for {term} in CTCAE v5.0 "
                    f"({info.name}: defined grades {info.grades_text}; 0 = absent)"
                )
            else:
                errors[f"{p}.grade"] = f"grade {clinician} is outside 0-5"
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
    final = computed if clinician is None else final_grade(computed, clinician)
    if computed is not None and final.grade > computed.grade:
        unchecked = ""  # the clinician's higher grade does not rest on the missing baseline
    grade = final.grade
    single_reading = term == "hypertension" and not policy.single_bp_reading_provisional
    provisional = final.provisional and not single_reading
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


def _parse(request: Any, policy: PolicySettings, errors: dict[str, str]) -> ValidatedRequest | None:
    if type(request) is not dict and not isinstance(request, Mapping):
        errors["request"] = f"expected a JSON object, got {_describe(request)}"
        return None
    unknown = request.keys() - _TOP_FIELDS
    if unknown:
        for key in sorted(unknown, key=str):
            errors[str(key)] = "unknown field"
    get = request.get

    drug = get("drug")
    ladder: tuple[int, ...] | None = None
    if drug is None:
        errors["drug"] = "drug is required"
    elif type(drug) is not str or drug not in _LADDERS:
        errors["drug"] = (
            f"unknown drug {drug!r}"
            if type(drug) is str
            else f"expected a string, got {_describe(drug)}"
        ) + f" (expected one of {', '.join(DRUGS)})"
    else:
        ladder = _LADDERS[drug]

    rule_set = get("rule_set", policy.default_rule_set)
    if type(rule_set) is not str or rule_set not in RULE_SET_NAMES:
        errors["rule_set"] = (
            f"unknown rule set {rule_set!r}"
            if type(rule_set) is str
            else f"expected a string, got {_describe(rule_set)}"
        ) + f" (expected one of {', '.join(RULE_SET_NAMES)})"

    dose_raw = get("dose_mg_per_day")
    dose: int | None = None
    if dose_raw is None:
        errors["dose_mg_per_day"] = "dose_mg_per_day is required"
    else:
        n = _number(dose_raw)
        if n is None:
            errors["dose_mg_per_day"] = f"expected a number, got {_describe(dose_raw)}"
        elif ladder is not None:
            if n in ladder:
                dose = int(n)
            else:
                errors["dose_mg_per_day"] = (
                    f"{_fmt(n)} mg/day is not a dose level of {drug} "
                    f"({'/'.join(str(d) for d in ladder)})"
                )

    on_hold = get("on_hold", False)
    if type(on_hold) is not bool:
        errors["on_hold"] = f"expected true or false, got {_describe(on_hold)}"
        on_hold = False

    hold_terms_raw = get("hold_reason_terms", ())
    hold_terms: list[str] = []
    if type(hold_terms_raw) is not list and type(hold_terms_raw) is not tuple:
        errors["hold_reason_terms"] = f"expected an array of terms, got {_describe(hold_terms_raw)}"
    else:
        for i, t in enumerate(hold_terms_raw):
            if type(t) is not str or t not in _VALID_GRADES:
                errors[f"hold_reason_terms[{i}]"] = _unknown_term(t)
            elif t in hold_terms:
                errors[f"hold_reason_terms[{i}]"] = f"duplicate term {t}"
            else:
                hold_terms.append(t)
        if len(hold_terms) == len(hold_terms_raw):
            if on_hold and not hold_terms:
                errors["hold_reason_terms"] = "required when on_hold is true"
            elif hold_terms and not on_hold and type(get("on_hold", False)) is bool:
                errors["hold_reason_terms"] = "must be empty when on_hold is false"

    holds_raw = get("holds_at_current_dose", 0)
    holds = _count(holds_raw, "holds_at_current_dose", errors)

    occ_raw = get("occurrences")
    occurrences: dict[str, int] = {}
    if occ_raw is not None:
        if type(occ_raw) is not dict and not isinstance(occ_raw, Mapping):
            errors["occurrences"] = f"expected an object of term: count, got {_describe(occ_raw)}"
        else:
            for t, c in occ_raw.items():
                path = f"occurrences.{t}"
                if type(t) is not str or t not in _VALID_GRADES:
                    errors[path] = _unknown_term(t)
                    continue
                v = _count(c, path, errors)
                if v is not None:
                    occurrences[t] = v

    obs_raw = get("observations", ())
    findings: list[Finding] = []
    if type(obs_raw) is not list and type(obs_raw) is not tuple:
        errors["observations"] = f"expected an array of observations, got {_describe(obs_raw)}"
    elif len(obs_raw) > _MAX_OBSERVATIONS:
        errors["observations"] = f"at most {_MAX_OBSERVATIONS} observations per request"
    else:
        seen: dict[str, int] = {}
        for i, obs in enumerate(obs_raw):
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
    assert drug is not None and dose is not None and holds is not None  # no errors
    state = DoseState(drug, rule_set, dose, on_hold, tuple(hold_terms), holds, occurrences)
    return ValidatedRequest(state, tuple(findings))


def validate(request: Any, *, policy: PolicySettings = DEFAULT_POLICY) -> ValidatedRequest:
    """Validate and grade one request; raise ``InvalidRequest`` naming each bad field."""
    errors: dict[str, str] = {}
    parsed = _parse(request, policy, errors)
    if parsed is None:
        raise InvalidRequest(errors)
    return parsed


def evaluate(request: Any, *, policy: PolicySettings = DEFAULT_POLICY) -> dict[str, Any]:
    """Evaluate one request (a JSON object) into the contract's response dict."""
    errors: dict[str, str] = {}
    parsed = _parse(request, policy, errors)
    if parsed is None:
        raise InvalidRequest(errors)
    return decide(parsed[0], parsed[1], policy)


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
        raise InvalidRequest({"request": f"expected a JSON array, got {_describe(requests)}"})
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
