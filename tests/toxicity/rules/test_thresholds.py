"""Threshold edges that reach the engine, each side of the line."""

from __future__ import annotations

import pytest

from tests.toxicity.rules.helpers import bp, request
from toxicity.rules.engine import PolicySettings
from toxicity.rules.evaluate import evaluate

LEN, SOR = "lenvatinib", "sorafenib"
QT = "electrocardiogram_qt_corrected_interval_prolonged"


@pytest.mark.parametrize("rule_set", ["us_pi", "eu_smpc"])
@pytest.mark.parametrize(
    ("g24", "action"), [(1.99, "continue"), (2.0, "withhold"), (2.01, "withhold")]
)
def test_lenvatinib_withholds_at_2_g_of_24h_protein_and_not_below(rule_set, g24, action):
    out = evaluate(
        request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": g24}, rule_set=rule_set)
    )
    assert out["action"] == action


@pytest.mark.parametrize(("g24", "action"), [(1.99, "resume"), (2.0, "withhold")])
def test_lenvatinib_resumes_only_below_2_g_of_24h_protein(g24, action):
    out = evaluate(
        request(
            LEN,
            24,
            {"term": "proteinuria", "urine_protein_g_24h": g24},
            on_hold=True,
            hold_reason_terms=["proteinuria"],
        )
    )
    assert out["action"] == action
    assert (out["dose_mg_per_day"], out["resume_dose_mg_per_day"]) == (
        (20, None) if action == "resume" else (0, 20)
    )


def test_proteinuria_resume_threshold_is_a_policy_setting():
    held = request(
        LEN,
        24,
        {"term": "proteinuria", "urine_protein_g_24h": 1.6},
        on_hold=True,
        hold_reason_terms=["proteinuria"],
    )
    assert evaluate(held)["action"] == "resume"
    strict = PolicySettings(proteinuria_resume_below_g_24h=1.5)
    out = evaluate(held, policy=strict)
    assert out["action"] == "withhold"
    assert "24-h urine protein < 1.5 g" in out["resume_when"]


@pytest.mark.parametrize(
    ("dipstick", "screen"), [("1+", False), ("2+", True), ("3+", True), ("4+", True)]
)
def test_a_dipstick_never_changes_the_dose(dipstick, screen):
    out = evaluate(request(LEN, 24, {"term": "proteinuria", "dipstick": dipstick}))
    assert out["action"] == "continue"
    assert out["dose_mg_per_day"] == 24
    assert any(r["rule"].endswith("proteinuria.screen") for r in out["reasons"]) is screen


def test_a_upcr_alone_has_no_ctcae_grade_and_asks_for_a_24h_collection():
    out = evaluate(request(LEN, 24, {"term": "proteinuria", "upcr_g_per_g": 3.1}))
    assert out["action"] == "continue"
    assert out["grades"] == {"proteinuria": None}
    assert "24-h urine protein" in out["reasons"][0]["text"]


@pytest.mark.parametrize(("dbp", "action"), [(89, "resume"), (89.9, "resume"), (90, "withhold")])
def test_sorafenib_resumes_after_hypertension_hold_only_at_dbp_below_90(dbp, action):
    out = evaluate(
        request(SOR, 800, bp(135, dbp), on_hold=True, hold_reason_terms=["hypertension"])
    )
    assert out["action"] == action
    if action == "resume":
        assert out["dose_mg_per_day"] == 600


def test_sorafenib_stays_on_hold_while_hypertension_is_symptomatic():
    out = evaluate(
        request(
            SOR,
            800,
            bp(130, 85, symptomatic=True),
            on_hold=True,
            hold_reason_terms=["hypertension"],
        )
    )
    assert out["action"] == "withhold"
    assert out["resume_when"] == "hypertension symptoms resolved and DBP < 90 mmHg"


@pytest.mark.parametrize(
    ("sbp", "dbp", "hours", "action"),
    [
        (150, 95, 48, "resume"),
        (151, 95, 48, "withhold"),
        (150, 96, 48, "withhold"),
        (150, 95, 47, "withhold"),
        (150, 95, 47.9, "withhold"),
    ],
)
def test_eu_lenvatinib_resume_needs_150_95_on_stable_therapy_for_48h(sbp, dbp, hours, action):
    out = evaluate(
        request(
            LEN,
            24,
            bp(sbp, dbp, antihypertensive_stable_hours=hours),
            rule_set="eu_smpc",
            on_hold=True,
            hold_reason_terms=["hypertension"],
        )
    )
    assert out["action"] == action


def test_eu_lenvatinib_resume_without_stable_hours_is_not_assessable():
    out = evaluate(
        request(
            LEN,
            24,
            bp(140, 85),
            rule_set="eu_smpc",
            on_hold=True,
            hold_reason_terms=["hypertension"],
        )
    )
    assert out["action"] == "withhold"
    assert "needs antihypertensive_stable_hours" in out["resume_when"]


@pytest.mark.parametrize("rule_set", ["us_pi", "eu_smpc"])
@pytest.mark.parametrize(
    ("qtc", "baseline", "action"),
    [(479, None, "resume"), (480, None, "withhold"), (485, 490, "resume"), (485, 470, "withhold")],
)
def test_qtc_recovery_is_below_480_ms_or_baseline(rule_set, qtc, baseline, action):
    obs = {"term": QT, "qtc_ms": qtc}
    if baseline is not None:
        obs["baseline_qtc_ms"] = baseline
    out = evaluate(request(LEN, 24, obs, rule_set=rule_set, on_hold=True, hold_reason_terms=[QT]))
    assert out["action"] == action


@pytest.mark.parametrize(
    ("qtc", "action"), [(500, "continue"), (500.5, "withhold"), (501, "withhold")]
)
def test_lenvatinib_withholds_above_500_ms(qtc, action):
    out = evaluate(request(LEN, 24, {"term": QT, "qtc_ms": qtc}))
    assert out["action"] == action


@pytest.mark.parametrize(
    ("sbp", "dbp", "action"), [(159, 99, "continue"), (160, 80, "withhold"), (130, 100, "withhold")]
)
def test_lenvatinib_grade3_hypertension_edge_on_optimal_therapy(sbp, dbp, action):
    out = evaluate(request(LEN, 24, bp(sbp, dbp, optimal_antihypertensive_therapy=True)))
    assert out["action"] == action


def test_a_single_bp_reading_is_provisional_and_a_dose_change_on_it_needs_review():
    out = evaluate(request("cabozantinib", 60, bp(170, 95, n=1)))
    assert out["provisional"] == ["hypertension"]
    assert out["action"] == "withhold"
    assert out["needs_review"] is True
    two = evaluate(request("cabozantinib", 60, bp(170, 95, n=2)))
    assert two["provisional"] == []
    assert two["needs_review"] is False
