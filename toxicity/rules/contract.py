"""The shape of an evaluation request, checked by pydantic v2 in strict mode.

``check_shape(request, errors)`` refuses what is not the contract
(evaluate-contract.md): a wrong type (``true`` or ``"24"`` where a number is
expected, NaN, infinities), an unknown field (on a request, or a measurement of
another term), an unknown drug, rule set or CTCAE term, a value outside its
plausibility bound (``toxicity/rules/bounds.py``). It writes each bad field's path
and why into ``errors``, in the contract's words (``observations[0].readings[1]``:
``systolic 320 is outside 50-300 mmHg``), and returns the paths of the
observations that passed, so the cross-field rules and the grading
(``toxicity/rules/evaluate.py``) still report their own errors on the others.

Pydantic keeps the checks declarative and runs them in compiled code: the shape
of a request costs about as much as ``json.loads`` (docs/benchmarks.md). What it
cannot say alone (a grade the term defines, sbp with dbp, a baseline the policy
needs, a dose on the drug's ladder) stays in ``evaluate``.

A ``null`` optional field counts as absent, as the contract has always read it.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import CoreSchema, SchemaValidator
from pydantic_core import core_schema as cs

from toxicity.ctcae.grading import DIPSTICK_VALUES
from toxicity.ctcae.terms import TERMS
from toxicity.rules import DRUGS, RULE_SET_NAMES
from toxicity.rules.bounds import (
    DBP,
    MAX_COUNT,
    MAX_OBSERVATIONS,
    MAX_READINGS,
    PLAUSIBLE,
    POSITIVE_MAX,
    SBP,
)

__all__ = [
    "FLAGS",
    "LAB_TERMS",
    "MEASUREMENT_FIELDS",
    "TERM_FIELDS",
    "check_shape",
    "describe",
    "fmt",
    "unknown_term",
]

FLAGS = ("intolerable", "persistent", "symptomatic")

LAB_TERMS = (
    "alanine_aminotransferase_increased",
    "aspartate_aminotransferase_increased",
    "blood_bilirubin_increased",
    "creatinine_increased",
)

# ---------------------------------------------------------------------------
# The schema, written with pydantic-core's schema builders (the layer pydantic's
# models compile to) so that the bounds and term lists are plain values here.
# ---------------------------------------------------------------------------


def _bounded(name: str) -> CoreSchema:
    """A finite number within its plausibility bound (bounds.py)."""
    if name in PLAUSIBLE:
        b = PLAUSIBLE[name]
        return cs.float_schema(ge=b.low, le=b.high, allow_inf_nan=False, strict=True)
    return cs.float_schema(gt=0, le=POSITIVE_MAX[name][0], allow_inf_nan=False, strict=True)


def _optional(schema: CoreSchema) -> cs.TypedDictField:
    # A null optional field counts as absent.
    return cs.typed_dict_field(cs.nullable_schema(schema), required=False)


def _choice(values: Any) -> CoreSchema:
    return cs.literal_schema(list(values))


_BOOL = cs.bool_schema(strict=True)
_COUNT = cs.int_schema(ge=0, le=MAX_COUNT, strict=True)
_ANY_TERM = _choice(TERMS)

# Fields every observation may carry.
_COMMON: dict[str, cs.TypedDictField] = {
    "term": cs.typed_dict_field(cs.str_schema()),  # the union's tag: checked there
    "grade": _optional(cs.int_schema(ge=0, le=5, strict=True)),
    **{flag: _optional(_BOOL) for flag in FLAGS},
}

# A reading is [systolic, diastolic]: a JSON array, read as a pair of numbers.
_READING = cs.tuple_schema([_bounded("sbp"), _bounded("dbp")], strict=False)

# The measurement fields of each term graded from measurements.
_MEASUREMENTS: dict[tuple[str, ...], dict[str, cs.TypedDictField]] = {
    ("hypertension",): {
        "readings": _optional(
            cs.list_schema(_READING, min_length=1, max_length=MAX_READINGS, strict=True)
        ),
        "sbp": _optional(_bounded("sbp")),
        "dbp": _optional(_bounded("dbp")),
        "optimal_antihypertensive_therapy": _optional(_BOOL),
        "antihypertensive_stable_hours": _optional(_bounded("antihypertensive_stable_hours")),
    },
    ("diarrhea",): {
        name: _optional(_bounded(name)) for name in ("stools_per_day", "baseline_stools_per_day")
    },
    ("weight_loss",): {
        name: _optional(_bounded(name)) for name in ("weight_kg", "baseline_weight_kg")
    },
    ("proteinuria",): {
        "urine_protein_g_24h": _optional(_bounded("urine_protein_g_24h")),
        "dipstick": _optional(_choice(DIPSTICK_VALUES)),
        "upcr_g_per_g": _optional(_bounded("upcr_g_per_g")),
    },
    LAB_TERMS: {name: _optional(_bounded(name)) for name in ("value", "uln", "baseline")},
    ("electrocardiogram_qt_corrected_interval_prolonged",): {
        name: _optional(_bounded(name)) for name in ("qtc_ms", "baseline_qtc_ms")
    },
    ("hypocalcemia",): {
        name: _optional(_bounded(name))
        for name in ("calcium_mg_dl", "albumin_g_dl", "ionized_calcium_mmol_l", "lln")
    },
}

TERM_FIELDS: dict[str, frozenset[str]] = {
    term: frozenset(fields) for terms, fields in _MEASUREMENTS.items() for term in terms
}
MEASUREMENT_FIELDS: frozenset[str] = frozenset().union(*TERM_FIELDS.values())


def _observation(fields: Mapping[str, cs.TypedDictField]) -> CoreSchema:
    return cs.typed_dict_schema({**_COMMON, **fields}, extra_behavior="forbid", strict=True)


_GRADED_ONLY = _observation({})  # any other CTCAE term: a clinician grade and the flags
_OBSERVATION = cs.tagged_union_schema(
    {
        term: next(
            (_observation(fields) for terms, fields in _MEASUREMENTS.items() if term in terms),
            _GRADED_ONLY,
        )
        for term in TERMS
    },
    discriminator="term",
)

_REQUEST = cs.typed_dict_schema(
    {
        "drug": cs.typed_dict_field(_choice(DRUGS)),
        "rule_set": cs.typed_dict_field(_choice(RULE_SET_NAMES), required=False),
        "dose_mg_per_day": cs.typed_dict_field(cs.float_schema(allow_inf_nan=False, strict=True)),
        "on_hold": cs.typed_dict_field(_BOOL, required=False),
        "hold_reason_terms": cs.typed_dict_field(
            cs.list_schema(_ANY_TERM, strict=True), required=False
        ),
        "holds_at_current_dose": cs.typed_dict_field(_COUNT, required=False),
        "occurrences": _optional(cs.dict_schema(_ANY_TERM, _COUNT, strict=True)),
        "observations": cs.typed_dict_field(
            cs.list_schema(_OBSERVATION, max_length=MAX_OBSERVATIONS, strict=True),
            required=False,
        ),
    },
    extra_behavior="forbid",
    strict=True,
)

_SHAPE = SchemaValidator(_REQUEST)

# ---------------------------------------------------------------------------
# Pydantic's errors, said in the contract's words
# ---------------------------------------------------------------------------


def describe(v: Any) -> str:
    """What a refused value is, in a user's words."""
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


def fmt(x: float) -> str:
    return f"{x:g}"


def unknown_term(term: Any) -> str:
    if type(term) is not str:
        return f"expected a CTCAE v5.0 term name (string), got {describe(term)}"
    return (
        f"unknown term {term!r} (expected a CTCAE v5.0 term in lower snake case, "
        "e.g. colonic_perforation)"
    )


def _is_number(v: Any) -> bool:
    return (type(v) is int) or (type(v) is float and v - v == 0.0)


def _bounded_words(name: str, v: Any) -> str:
    if not _is_number(v):
        return f"expected a finite number, got {describe(v)}"
    if name in PLAUSIBLE:
        b = PLAUSIBLE[name]
        what = "negative" if v < 0 else "implausible"
        return f"{what} value {fmt(v)}: expected {fmt(b.low)}-{fmt(b.high)} {b.unit}".rstrip()
    return f"expected a value > 0 and <= {fmt(POSITIVE_MAX[name][0])}, got {fmt(v)}"


def _pressure_words(which: str, v: Any) -> str:
    bound = SBP if which == "systolic" else DBP
    if not _is_number(v):
        return f"{which}: expected a finite number, got {describe(v)}"
    return f"{which} {fmt(v)} is outside {fmt(bound.low)}-{fmt(bound.high)} {bound.unit}"


def _count_words(v: Any) -> str:
    if type(v) is not int:
        return f"expected a non-negative integer, got {describe(v)}"
    if v < 0:
        return f"expected a non-negative integer, got {v}"
    return f"implausible count {v}: at most {MAX_COUNT}"


def _choice_words(what: str, v: Any, choices: tuple[str, ...]) -> str:
    said = f"unknown {what} {v!r}" if type(v) is str else f"expected a string, got {describe(v)}"
    return f"{said} (expected one of {', '.join(choices)})"


def _top_words(name: str, kind: str, v: Any) -> str:
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return f"{name} is required"
    if name == "drug":
        return "drug is required" if v is None else _choice_words("drug", v, DRUGS)
    if name == "rule_set":
        return _choice_words("rule set", v, RULE_SET_NAMES)
    if name == "dose_mg_per_day":
        return (
            "dose_mg_per_day is required" if v is None else f"expected a number, got {describe(v)}"
        )
    if name == "on_hold":
        return f"expected true or false, got {describe(v)}"
    if name == "hold_reason_terms":
        return f"expected an array of terms, got {describe(v)}"
    if name == "holds_at_current_dose":
        return _count_words(v)
    if name == "occurrences":
        return f"expected an object of term: count, got {describe(v)}"
    if kind == "too_long":
        return f"at most {MAX_OBSERVATIONS} observations per request"
    return f"expected an array of observations, got {describe(v)}"


def _observation_words(term: Any, field: str, rest: tuple[Any, ...], kind: str, v: Any) -> str:
    if kind == "extra_forbidden":
        return f"unknown field for term {term}" if field in MEASUREMENT_FIELDS else "unknown field"
    if field == "grade":
        if type(v) is int:
            return f"grade {v} is outside 0-5"
        return f"expected an integer grade 0-5, got {describe(v)}"
    if field in FLAGS or field == "optimal_antihypertensive_therapy":
        return f"expected true or false, got {describe(v)}"
    if field == "readings":
        if not rest:
            if kind == "too_short":
                return "expected at least one [systolic, diastolic] reading"
            if kind == "too_long":
                return f"at most {MAX_READINGS} readings per visit"
            return f"expected an array of [systolic, diastolic], got {describe(v)}"
        if len(rest) == 1 or kind == "missing":
            return "expected [systolic, diastolic]"
        return _pressure_words("systolic" if rest[1] == 0 else "diastolic", v)
    if field in ("sbp", "dbp"):
        return _pressure_words("systolic" if field == "sbp" else "diastolic", v)
    if field == "dipstick":
        got = repr(v) if type(v) is str else describe(v)
        return f"expected one of {', '.join(DIPSTICK_VALUES)}, got {got}"
    return _bounded_words(field, v)


def _say(errors: dict[str, str], path: str, message: str) -> None:
    # Two errors on one path (both numbers of a reading pair) are said together.
    said = errors.get(path)
    if said is None:
        errors[path] = message
    elif message not in said:
        errors[path] = f"{said}; {message}"


def _translate(error: Any, request: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    """Writes one pydantic error in the contract's words; the observation index, if any."""
    loc = error["loc"]
    kind = error["type"]
    v = error["input"]
    if not loc:
        errors["request"] = f"expected a JSON object, got {describe(request)}"
        return None
    name = loc[0]
    if name == "observations" and len(loc) > 1:
        i = loc[1]
        p = f"observations[{i}]"
        obs = request["observations"][i]
        if type(obs) is not dict:
            errors[p] = f"expected an object, got {describe(obs)}"
        elif kind == "union_tag_not_found" or (kind == "union_tag_invalid" and obs["term"] is None):
            errors[f"{p}.term"] = "term is required"
        elif kind == "union_tag_invalid":
            errors[f"{p}.term"] = unknown_term(obs["term"])
        elif len(loc) < 4:
            errors[p] = error["msg"]
        else:
            # loc: ("observations", i, <term: the union's tag>, field, ...)
            field = loc[3]
            rest = loc[4:]
            path = f"{p}.{field}" + (f"[{rest[0]}]" if field == "readings" and rest else "")
            _say(errors, path, _observation_words(obs.get("term"), field, rest, kind, v))
        return i  # type: ignore[no-any-return]
    if name == "hold_reason_terms" and len(loc) > 1:
        errors[f"hold_reason_terms[{loc[1]}]"] = unknown_term(v)
    elif name == "occurrences" and len(loc) > 1:
        key = loc[1]
        if len(loc) > 2:  # ("occurrences", key, "[key]"): the key is no CTCAE term
            errors[f"occurrences.{key}"] = unknown_term(key)
        else:
            errors[f"occurrences.{key}"] = _count_words(v)
    else:
        errors[str(name)] = _top_words(str(name), kind, v)
    return None


def check_shape(request: Any, errors: dict[str, str]) -> frozenset[int] | None:
    """Checks ``request``'s shape into ``errors``.

    Returns None when it is all valid, else the indices of the observations found
    bad (the cross-field checks then skip them); a request that is no JSON object
    at all leaves only ``errors["request"]``.
    """
    try:
        _SHAPE.validate_python(request)
    except ValidationError as refused:
        bad: set[int] = set()
        for error in refused.errors(include_url=False, include_context=False):
            i = _translate(error, request, errors)
            if i is not None:
                bad.add(i)
        return frozenset(bad)
    return None
