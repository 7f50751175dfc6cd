"""Properties that hold for every drug and rule set (hypothesis)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.toxicity.rules.helpers import ACTION_ORDER
from toxicity.ctcae.terms import TERMS
from toxicity.rules import RULE_SETS
from toxicity.rules.evaluate import InvalidRequest, evaluate

PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

KEYS = sorted(RULE_SETS)
LADDERS = {drug: rs.ladder for (drug, _), rs in RULE_SETS.items()}
GRADED_TERMS = sorted(TERMS)
QT = "electrocardiogram_qt_corrected_interval_prolonged"


def valid_grades(term: str) -> list[int]:
    return [0, *sorted(TERMS[term].descriptors)]


flags = st.fixed_dictionaries(
    {},
    optional={
        "intolerable": st.booleans(),
        "persistent": st.booleans(),
        "symptomatic": st.booleans(),
    },
)


@st.composite
def bp_pair(draw: Any) -> list[float]:
    sbp = draw(st.integers(60, 260))
    dbp = draw(st.integers(20, min(sbp, 200)))
    return [sbp, dbp]


@st.composite
def observation(draw: Any, term: str) -> dict[str, Any]:
    obs: dict[str, Any] = {"term": term, **draw(flags)}
    measured = False
    if term == "hypertension" and draw(st.booleans()):
        obs["readings"] = draw(st.lists(bp_pair(), min_size=1, max_size=3))
        if draw(st.booleans()):
            obs["optimal_antihypertensive_therapy"] = draw(st.booleans())
        if draw(st.booleans()):
            obs["antihypertensive_stable_hours"] = draw(st.integers(0, 200))
        measured = True
    elif term == "diarrhea" and draw(st.booleans()):
        obs["baseline_stools_per_day"] = draw(st.integers(0, 5))
        obs["stools_per_day"] = draw(st.integers(0, 20))
        measured = True
    elif term == "proteinuria" and draw(st.booleans()):
        which = draw(st.sampled_from(["urine_protein_g_24h", "dipstick", "upcr_g_per_g"]))
        if which == "dipstick":
            obs[which] = draw(st.sampled_from(["negative", "trace", "1+", "2+", "3+", "4+"]))
        else:
            obs[which] = draw(st.floats(0, 6, allow_nan=False))
        measured = True
    elif term == QT and draw(st.booleans()):
        obs["qtc_ms"] = draw(st.floats(380, 560, allow_nan=False))
        measured = True
    elif term == "alanine_aminotransferase_increased" and draw(st.booleans()):
        obs.update(uln=40, baseline=draw(st.floats(10, 120)), value=draw(st.floats(0, 1000)))
        measured = True
    if not measured or draw(st.booleans()):
        obs["grade"] = draw(st.sampled_from(valid_grades(term)))
    return obs


@st.composite
def valid_request(draw: Any) -> dict[str, Any]:
    drug, rule_set = draw(st.sampled_from(KEYS))
    terms = draw(
        st.lists(
            st.sampled_from(
                [
                    "hypertension",
                    "diarrhea",
                    "proteinuria",
                    QT,
                    "alanine_aminotransferase_increased",
                    *GRADED_TERMS,
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    req: dict[str, Any] = {
        "drug": drug,
        "rule_set": rule_set,
        "dose_mg_per_day": draw(st.sampled_from(LADDERS[drug])),
        "observations": [draw(observation(t)) for t in terms],
        "holds_at_current_dose": draw(st.integers(0, 2)),
    }
    if draw(st.booleans()):
        req["on_hold"] = True
        req["hold_reason_terms"] = draw(
            st.lists(st.sampled_from(GRADED_TERMS), min_size=1, max_size=2, unique=True)
        )
    if draw(st.booleans()):
        req["occurrences"] = {"palmar_plantar_erythrodysesthesia_syndrome": draw(st.integers(0, 5))}
    return req


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(req: Any) -> dict[str, Any] | None:
    try:
        return evaluate(req)
    except InvalidRequest as exc:
        assert exc.errors and all(isinstance(k, str) for k in exc.errors)
        return None


@PROPERTY_SETTINGS
@given(json_values)
def test_any_json_either_evaluates_or_raises_invalid_request(value):
    _outcome(value)


@PROPERTY_SETTINGS
@given(st.data())
def test_near_valid_requests_either_evaluate_or_raise_invalid_request(data):
    req = data.draw(valid_request())
    mutation = data.draw(st.sampled_from(["top", "drop", "observation", "reading", "extra"]))
    if mutation == "top":
        req[data.draw(st.sampled_from(sorted(req)))] = data.draw(json_values)
    elif mutation == "drop":
        req.pop(data.draw(st.sampled_from(sorted(req))))
    elif mutation == "observation" and req["observations"]:
        obs = data.draw(st.sampled_from(req["observations"]))
        key = data.draw(st.sampled_from(sorted(obs) + ["value", "uln", "sbp", "dbp", "lln"]))
        obs[key] = data.draw(json_values)
    elif mutation == "reading":
        req["observations"].append(
            {
                "term": "weight_loss",
                "weight_kg": data.draw(json_values),
                "baseline_weight_kg": data.draw(json_values),
            }
        )
    else:
        req[data.draw(st.text(max_size=8))] = data.draw(json_values)
    _outcome(req)


@PROPERTY_SETTINGS
@given(valid_request())
def test_valid_requests_evaluate_to_a_dose_on_the_ladder_never_above_the_current_one(req):
    out = evaluate(req)
    ladder = LADDERS[req["drug"]]
    dose = req["dose_mg_per_day"]
    action = out["action"]
    assert out["dose_mg_per_day"] in (*ladder, 0)
    assert out["dose_mg_per_day"] <= dose
    if action in ("withhold", "discontinue"):
        assert out["dose_mg_per_day"] == 0
    else:
        assert out["dose_mg_per_day"] in ladder
    if action == "withhold":
        assert out["resume_dose_mg_per_day"] in ladder
        assert out["resume_dose_mg_per_day"] <= dose
        assert out["resume_when"]
    else:
        assert out["resume_dose_mg_per_day"] is None
        assert out["resume_when"] == ""
    if action == "resume":
        assert req.get("on_hold") is True
    # reasons: most restrictive first; a resume reason explains the action, so it
    # sorts with reduce, above continue
    order = {"discontinue": 3, "withhold": 2, "reduce": 1, "resume": 1, "continue": 0}
    ranks = [order[r["action"]] for r in out["reasons"]]
    assert ranks == sorted(ranks, reverse=True)
    assert set(out["grades"]) == {o["term"] for o in req["observations"]}


@PROPERTY_SETTINGS
@given(valid_request())
def test_evaluating_twice_gives_the_same_answer_and_leaves_the_request_alone(req):
    before = copy.deepcopy(req)
    first = evaluate(req)
    assert req == before
    assert evaluate(req) == first
    json.dumps(first)  # the response is plain JSON


@PROPERTY_SETTINGS
@given(st.data())
def test_a_higher_grade_never_gives_a_less_restrictive_action(data):
    req = data.draw(valid_request())
    term = data.draw(st.sampled_from(GRADED_TERMS))
    req["observations"] = [o for o in req["observations"] if o["term"] != term]
    grades = valid_grades(term)
    lo = data.draw(st.sampled_from(grades[:-1]))
    hi = data.draw(st.sampled_from([g for g in grades if g > lo]))
    extra = data.draw(flags)
    low = copy.deepcopy(req)
    low["observations"].append({"term": term, "grade": lo, **extra})
    high = copy.deepcopy(req)
    high["observations"].append({"term": term, "grade": hi, **extra})
    a_low = evaluate(low)["action"]
    a_high = evaluate(high)["action"]
    assert ACTION_ORDER[a_high] >= ACTION_ORDER[a_low], (term, lo, hi, a_low, a_high)


MEASURED = {
    "hypertension": lambda a, b: (
        {"readings": [[min(a, b) + 100, min(a, b) + 40]]},
        {"readings": [[max(a, b) + 100, max(a, b) + 40]]},
    ),
    "diarrhea": lambda a, b: (
        {"stools_per_day": min(a, b) / 4, "baseline_stools_per_day": 1},
        {"stools_per_day": max(a, b) / 4, "baseline_stools_per_day": 1},
    ),
    "weight_loss": lambda a, b: (
        {"weight_kg": 100 - min(a, b) / 4, "baseline_weight_kg": 100},
        {"weight_kg": 100 - max(a, b) / 4, "baseline_weight_kg": 100},
    ),
    "proteinuria": lambda a, b: (
        {"urine_protein_g_24h": min(a, b) / 20},
        {"urine_protein_g_24h": max(a, b) / 20},
    ),
    "alanine_aminotransferase_increased": lambda a, b: (
        {"value": min(a, b) * 9, "uln": 40, "baseline": 30},
        {"value": max(a, b) * 9, "uln": 40, "baseline": 30},
    ),
    QT: lambda a, b: ({"qtc_ms": 400 + min(a, b)}, {"qtc_ms": 400 + max(a, b)}),
    "hypocalcemia": lambda a, b: (
        {"calcium_mg_dl": 10 - min(a, b) / 40, "albumin_g_dl": 4.0, "lln": 8.5},
        {"calcium_mg_dl": 10 - max(a, b) / 40, "albumin_g_dl": 4.0, "lln": 8.5},
    ),
    "creatinine_increased": lambda a, b: (
        {"value": 1 + min(a, b) / 20, "uln": 1.2, "baseline": 0.9},
        {"value": 1 + max(a, b) / 20, "uln": 1.2, "baseline": 0.9},
    ),
}


@PROPERTY_SETTINGS
@given(
    st.sampled_from(KEYS),
    st.sampled_from(sorted(MEASURED)),
    st.integers(0, 150),
    st.integers(0, 150),
    flags,
)
def test_a_worse_measurement_never_gives_a_lower_grade_or_a_milder_action(key, term, a, b, extra):
    drug, rule_set = key
    better, worse = MEASURED[term](a, b)
    base = {"drug": drug, "rule_set": rule_set, "dose_mg_per_day": LADDERS[drug][0]}
    out_b = evaluate(dict(base, observations=[{"term": term, **better, **extra}]))
    out_w = evaluate(dict(base, observations=[{"term": term, **worse, **extra}]))
    assert (out_w["grades"][term] or 0) >= (out_b["grades"][term] or 0)
    assert ACTION_ORDER[out_w["action"]] >= ACTION_ORDER[out_b["action"]]
