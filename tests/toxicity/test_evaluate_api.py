"""POST /api/v1/evaluate/ answers per evaluate-contract.md, and refuses bad input by field."""

from __future__ import annotations

import pytest

SCENARIO = {
    "drug": "lenvatinib",
    "rule_set": "us_pi",
    "dose_mg_per_day": 24,
    "on_hold": False,
    "observations": [
        {
            "term": "hypertension",
            "readings": [[162, 88], [158, 90]],
            "optimal_antihypertensive_therapy": True,
            "antihypertensive_stable_hours": 72,
        }
    ],
}
RESPONSE_FIELDS = {
    "grades",
    "provisional",
    "action",
    "dose_mg_per_day",
    "resume_dose_mg_per_day",
    "resume_when",
    "needs_review",
    "rule_set",
    "reasons",
    "terms",
}


def test_a_grade_3_hypertension_on_lenvatinib_is_withheld_to_resume_at_20_mg(api, nurse):
    response = api(nurse).post("/api/v1/evaluate/", SCENARIO, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESPONSE_FIELDS
    assert (body["action"], body["dose_mg_per_day"], body["resume_dose_mg_per_day"]) == (
        "withhold",
        0,
        20,
    )
    (reason,) = body["reasons"]
    assert reason["rule"] == "lenvatinib.us_pi.hypertension.grade3"
    assert reason["source"].startswith("LENVIMA US PI")


def test_an_array_is_answered_in_the_same_order(api, nurse):
    calm = {**SCENARIO, "observations": [{"term": "hypertension", "readings": [[118, 76]]}]}
    body = api(nurse).post("/api/v1/evaluate/", [SCENARIO, calm], format="json").json()
    assert [answer["action"] for answer in body] == ["withhold", "continue"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drug": "imatinib"}, "drug"),
        ({"rule_set": "jp_pi"}, "rule_set"),
        ({"dose_mg_per_day": 18}, "dose_mg_per_day"),
        ({"dose_mg_per_day": "24"}, "dose_mg_per_day"),
        ({"observations": [{"term": "fatigue", "grade": 6}]}, "observations[0].grade"),
        ({"observations": [{"term": "headache_of_doom", "grade": 1}]}, "observations[0].term"),
        (
            {"observations": [{"term": "hypertension", "readings": [[120, 190]]}]},
            "observations[0].readings[0]",
        ),
        (
            {"observations": [{"term": "hypertension", "readings": [[320, 90]]}]},
            "observations[0].readings[0]",
        ),
        (
            {"observations": [{"term": "diarrhea", "stools_per_day": 8}]},
            "observations[0].baseline_stools_per_day",
        ),
        (
            {"observations": [{"term": "weight_loss", "weight_kg": -3, "baseline_weight_kg": 70}]},
            "observations[0].weight_kg",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, nurse, change, field):
    response = api(nurse).post("/api/v1/evaluate/", {**SCENARIO, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_bad_scenario_in_an_array_gets_its_errors_in_place_and_the_others_are_answered(
    api, nurse
):
    response = api(nurse).post(
        "/api/v1/evaluate/", [SCENARIO, {**SCENARIO, "drug": "x"}], format="json"
    )
    assert response.status_code == 200
    good, bad = response.json()
    assert good["action"] == "withhold"
    assert set(bad) == {"errors"} and "drug" in bad["errors"]


def test_malformed_json_is_refused(api, nurse):
    response = api(nurse).post("/api/v1/evaluate/", "{", content_type="application/json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_evaluating_needs_a_signed_in_user(api):
    assert api().post("/api/v1/evaluate/", SCENARIO, format="json").status_code == 401
