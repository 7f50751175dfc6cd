"""Bad input is refused with the field named, never guessed at (evaluate-contract.md, Errors)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.toxicity.rules.helpers import bp, graded, request
from toxicity.rules.engine import PolicySettings
from toxicity.rules.evaluate import InvalidRequest, evaluate, evaluate_many, validate

LEN = "lenvatinib"


def _errors(req: Any) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as exc:
        evaluate(req)
    return exc.value.errors


BAD: list[tuple[str, Any, str, str]] = [
    # (id, request, path, fragment of the message)
    ("unknown-drug", request("imatinib", 400), "drug", "unknown drug"),
    ("drug-not-a-string", request(7, 24), "drug", "expected a string"),
    ("missing-drug", {"dose_mg_per_day": 24}, "drug", "required"),
    ("unknown-rule-set", request(LEN, 24, rule_set="jp_pi"), "rule_set", "unknown rule set"),
    ("dose-not-on-ladder", request(LEN, 18), "dose_mg_per_day", "not a dose level"),
    ("dose-of-another-drug", request("sorafenib", 24), "dose_mg_per_day", "not a dose level"),
    ("dose-a-string", request(LEN, "24"), "dose_mg_per_day", "expected a number"),
    ("dose-a-boolean", request(LEN, True), "dose_mg_per_day", "a boolean"),
    ("dose-missing", {"drug": LEN}, "dose_mg_per_day", "required"),
    (
        "unknown-term",
        request(LEN, 24, graded("hand_foot_thing", 2)),
        "observations[0].term",
        "unknown term",
    ),
    (
        "grade-above-5",
        request(LEN, 24, graded("diarrhea", 6)),
        "observations[0].grade",
        "outside 0-5",
    ),
    (
        "grade-negative",
        request(LEN, 24, graded("diarrhea", -1)),
        "observations[0].grade",
        "outside 0-5",
    ),
    (
        "grade-not-integer",
        request(LEN, 24, graded("diarrhea", 2.5)),
        "observations[0].grade",
        "integer",
    ),
    (
        "grade-a-boolean",
        request(LEN, 24, graded("diarrhea", True)),
        "observations[0].grade",
        "a boolean",
    ),
    (
        "grade-that-does-not-exist-for-term",
        request(LEN, 24, graded("fatigue", 4)),
        "observations[0].grade",
        "does not exist",
    ),
    (
        "sbp-implausible",
        request(LEN, 24, {"term": "hypertension", "readings": [[320, 90]]}),
        "observations[0].readings[0]",
        "systolic 320",
    ),
    (
        "sbp-too-low",
        request(LEN, 24, {"term": "hypertension", "readings": [[40, 30]]}),
        "observations[0].readings[0]",
        "systolic 40",
    ),
    (
        "dbp-implausible",
        request(LEN, 24, {"term": "hypertension", "readings": [[150, 10]]}),
        "observations[0].readings[0]",
        "diastolic 10",
    ),
    (
        "dbp-above-sbp",
        request(LEN, 24, {"term": "hypertension", "readings": [[130, 80], [120, 190]]}),
        "observations[0].readings[1]",
        "diastolic 190 is above systolic 120",
    ),
    (
        "reading-not-a-pair",
        request(LEN, 24, {"term": "hypertension", "readings": [[130]]}),
        "observations[0].readings[0]",
        "[systolic, diastolic]",
    ),
    (
        "reading-a-string",
        request(LEN, 24, {"term": "hypertension", "readings": [["130", 80]]}),
        "observations[0].readings[0]",
        "a string",
    ),
    (
        "readings-empty",
        request(LEN, 24, {"term": "hypertension", "readings": []}),
        "observations[0].readings",
        "at least one",
    ),
    (
        "sbp-without-dbp",
        request(LEN, 24, {"term": "hypertension", "sbp": 150}),
        "observations[0].dbp",
        "required",
    ),
    (
        "readings-and-sbp",
        request(LEN, 24, {"term": "hypertension", "readings": [[150, 90]], "sbp": 150, "dbp": 90}),
        "observations[0].readings",
        "not both",
    ),
    (
        "negative-stools",
        request(LEN, 24, {"term": "diarrhea", "stools_per_day": -1, "baseline_stools_per_day": 1}),
        "observations[0].stools_per_day",
        "negative",
    ),
    (
        "missing-diarrhea-baseline",
        request(LEN, 24, {"term": "diarrhea", "stools_per_day": 8}),
        "observations[0].baseline_stools_per_day",
        "missing baseline",
    ),
    (
        "missing-weight-baseline",
        request(LEN, 24, {"term": "weight_loss", "weight_kg": 60}),
        "observations[0].baseline_weight_kg",
        "missing baseline",
    ),
    (
        "implausible-weight",
        request(LEN, 24, {"term": "weight_loss", "weight_kg": 600, "baseline_weight_kg": 70}),
        "observations[0].weight_kg",
        "implausible",
    ),
    (
        "uln-zero",
        request(LEN, 24, {"term": "creatinine_increased", "value": 1, "uln": 0}),
        "observations[0].uln",
        "> 0",
    ),
    (
        "lab-value-a-string",
        request(LEN, 24, {"term": "creatinine_increased", "value": "high", "uln": 1.2}),
        "observations[0].value",
        "a string",
    ),
    (
        "qtc-implausible",
        request(
            LEN, 24, {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 1200}
        ),
        "observations[0].qtc_ms",
        "implausible",
    ),
    (
        "calcium-without-albumin",
        request(LEN, 24, {"term": "hypocalcemia", "calcium_mg_dl": 7.5}),
        "observations[0].albumin_g_dl",
        "required",
    ),
    (
        "negative-protein",
        request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": -0.1}),
        "observations[0].urine_protein_g_24h",
        "negative",
    ),
    (
        "unknown-dipstick",
        request(LEN, 24, {"term": "proteinuria", "dipstick": "5+"}),
        "observations[0].dipstick",
        "expected one of",
    ),
    (
        "nan-measurement",
        request(
            LEN, 24, {"term": "diarrhea", "stools_per_day": math.nan, "baseline_stools_per_day": 1}
        ),
        "observations[0].stools_per_day",
        "finite number",
    ),
    (
        "inf-measurement",
        request(LEN, 24, {"term": "weight_loss", "weight_kg": math.inf, "baseline_weight_kg": 70}),
        "observations[0].weight_kg",
        "finite number",
    ),
    (
        "boolean-measurement",
        request(
            LEN, 24, {"term": "diarrhea", "stools_per_day": True, "baseline_stools_per_day": 1}
        ),
        "observations[0].stools_per_day",
        "a boolean",
    ),
    (
        "no-measurement-no-grade",
        request(LEN, 24, {"term": "fatigue", "intolerable": True}),
        "observations[0]",
        "measurements or a clinician grade",
    ),
    (
        "flag-not-boolean",
        request(LEN, 24, graded("fatigue", 2, intolerable="yes")),
        "observations[0].intolerable",
        "true or false",
    ),
    (
        "unknown-observation-field",
        request(LEN, 24, {"term": "hypertension", "sbp_": 150, "grade": 2}),
        "observations[0].sbp_",
        "unknown field",
    ),
    (
        "measurement-of-another-term",
        request(LEN, 24, {"term": "diarrhea", "qtc_ms": 450, "grade": 1}),
        "observations[0].qtc_ms",
        "unknown field for term diarrhea",
    ),
    ("unknown-top-level-field", dict(request(LEN, 24), dose=24), "dose", "unknown field"),
    (
        "duplicate-term",
        request(LEN, 24, graded("fatigue", 1), graded("fatigue", 2)),
        "observations[1].term",
        "duplicate term",
    ),
    (
        "observation-not-an-object",
        request(LEN, 24, "fatigue"),
        "observations[0]",
        "expected an object",
    ),
    (
        "observations-not-an-array",
        dict(request(LEN, 24), observations={}),
        "observations",
        "expected an array",
    ),
    (
        "hold-reason-unknown-term",
        request(LEN, 24, on_hold=True, hold_reason_terms=["htn"]),
        "hold_reason_terms[0]",
        "unknown term",
    ),
    ("on-hold-without-reason", request(LEN, 24, on_hold=True), "hold_reason_terms", "required"),
    (
        "hold-reason-but-not-on-hold",
        request(LEN, 24, hold_reason_terms=["diarrhea"]),
        "hold_reason_terms",
        "must be empty",
    ),
    ("on-hold-not-boolean", request(LEN, 24, on_hold="yes"), "on_hold", "true or false"),
    (
        "negative-holds",
        request(LEN, 24, holds_at_current_dose=-1),
        "holds_at_current_dose",
        "non-negative",
    ),
    (
        "holds-a-boolean",
        request(LEN, 24, holds_at_current_dose=False),
        "holds_at_current_dose",
        "a boolean",
    ),
    (
        "negative-occurrence",
        request(LEN, 24, occurrences={"diarrhea": -2}),
        "occurrences.diarrhea",
        "non-negative",
    ),
    (
        "occurrence-of-unknown-term",
        request(LEN, 24, occurrences={"hfs": 1}),
        "occurrences.hfs",
        "unknown term",
    ),
    ("not-an-object", [request(LEN, 24)], "request", "expected a JSON object"),
    ("a-string", "lenvatinib", "request", "expected a JSON object"),
    ("null", None, "request", "expected a JSON object"),
]


@pytest.mark.parametrize(("req", "path", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_refused_naming_the_field(req, path, fragment):
    errors = _errors(req)
    assert path in errors, errors
    assert fragment in errors[path], errors[path]


def test_contract_error_example_verbatim():
    req = request(LEN, 24, {"term": "hypertension", "readings": [[130, 80], [120, 190]]})
    assert _errors(req) == {"observations[0].readings[1]": "diastolic 190 is above systolic 120"}


def test_all_bad_fields_are_reported_at_once():
    errors = _errors(request("imatinib", 24, graded("fatigue", 9), on_hold="no"))
    assert {"drug", "observations[0].grade", "on_hold"} <= set(errors)


def test_validate_returns_the_graded_findings():
    v = validate(request(LEN, 24, bp(150, 95)))
    assert v.state.dose == 24
    assert v.findings[0].grade == 2


def test_evaluate_many_answers_in_order():
    out = evaluate_many([request(LEN, 24), request("cabozantinib", 60, graded("diarrhea", 3))])
    assert [o["action"] for o in out] == ["continue", "withhold"]


def test_evaluate_many_answers_good_scenarios_and_gives_each_bad_one_its_errors_in_place():
    out = evaluate_many([request(LEN, 24), request(LEN, 18), "x"])
    assert out[0]["action"] == "continue"
    assert out[1] == {
        "errors": {"dose_mg_per_day": "18 mg/day is not a dose level of lenvatinib (24/20/14/10)"}
    }
    assert out[2] == {"errors": {"request": "expected a JSON object, got a string"}}


def test_evaluate_many_refuses_a_non_array():
    with pytest.raises(InvalidRequest) as exc:
        evaluate_many({"drug": LEN})
    assert "request" in exc.value.errors


def test_a_float_dose_on_the_ladder_is_accepted():
    assert evaluate(request(LEN, 24.0))["dose_mg_per_day"] == 24


# PolicySettings.missing_baseline: every term whose CTCAE definition compares with
# a baseline is handled the same way when the baseline is missing.
BASELINE_TERMS = [
    ({"term": "alanine_aminotransferase_increased", "value": 130, "uln": 40}, "baseline"),
    ({"term": "aspartate_aminotransferase_increased", "value": 130, "uln": 40}, "baseline"),
    ({"term": "blood_bilirubin_increased", "value": 3, "uln": 1.2}, "baseline"),
    ({"term": "creatinine_increased", "value": 1.6, "uln": 1.2}, "baseline"),
    (
        {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 470},
        "baseline_qtc_ms",
    ),
]
REFUSE = PolicySettings(missing_baseline="refuse")


@pytest.mark.parametrize(("obs", "field"), BASELINE_TERMS, ids=lambda x: str(x)[:40])
def test_a_missing_baseline_is_refused_under_the_refuse_policy(obs, field):
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, obs), policy=REFUSE)
    message = exc.value.errors[f"observations[0].{field}"]
    assert "missing baseline" in message
    assert "baseline" in message.split("(")[1]  # names the criterion that needs it


@pytest.mark.parametrize(("obs", "field"), BASELINE_TERMS, ids=lambda x: str(x)[:40])
def test_a_missing_baseline_gives_a_provisional_grade_flagged_for_review_by_default(obs, field):
    out = evaluate(request(LEN, 24, obs))
    term = obs["term"]
    assert out["grades"][term] >= 1
    assert term in out["provisional"]
    assert out["needs_review"] is True
    (reason,) = [r for r in out["reasons"] if r["rule"] == "policy.missing_baseline"]
    assert "could not be checked without a baseline" in reason["text"]
    assert "baseline" in reason["text"].split(":")[1]
    assert ".md" not in reason["source"]


@pytest.mark.parametrize(
    ("obs", "field"),
    [
        ({"term": "diarrhea", "stools_per_day": 8}, "baseline_stools_per_day"),
        ({"term": "weight_loss", "weight_kg": 60}, "baseline_weight_kg"),
    ],
)
def test_terms_graded_only_against_a_baseline_always_need_it(obs, field):
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, obs))
    assert "missing baseline" in exc.value.errors[f"observations[0].{field}"]


def test_a_qtc_above_500_ms_needs_no_baseline_to_be_grade_3():
    out = evaluate(
        request(
            LEN, 24, {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 505}
        )
    )
    assert out["grades"] == {"electrocardiogram_qt_corrected_interval_prolonged": 3}
    assert out["provisional"] == []


def test_a_wrong_value_and_an_undefined_grade_in_two_observations_are_both_reported():
    errors = _errors(
        request(LEN, 24, {"term": "hypertension", "readings": [[400, 90]]}, graded("fatigue", 4))
    )
    assert set(errors) == {"observations[0].readings[0]", "observations[1].grade"}
    assert "systolic 400" in errors["observations[0].readings[0]"]
    assert "does not exist for fatigue" in errors["observations[1].grade"]


def test_both_numbers_of_a_bad_reading_are_said_on_its_path():
    errors = _errors(request(LEN, 24, {"term": "hypertension", "readings": [[400, 5]]}))
    assert errors == {
        "observations[0].readings[0]": "systolic 400 is outside 50-300 mmHg; "
        "diastolic 5 is outside 20-200 mmHg"
    }
