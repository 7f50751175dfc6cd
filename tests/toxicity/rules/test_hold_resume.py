"""Holds, recovery and resumption (policy.md 2-4)."""

from __future__ import annotations

import pytest

from tests.toxicity.rules.helpers import bp, graded, request
from toxicity.rules.engine import PolicySettings
from toxicity.rules.evaluate import evaluate

LEN, SOR, CAB = "lenvatinib", "sorafenib", "cabozantinib"


def test_full_cycle_withhold_then_stay_on_hold_then_resume_at_the_reduced_level():
    visit1 = evaluate(request(LEN, 24, bp(168, 96, optimal_antihypertensive_therapy=True)))
    assert (visit1["action"], visit1["dose_mg_per_day"], visit1["resume_dose_mg_per_day"]) == (
        "withhold",
        0,
        20,
    )
    assert visit1["resume_when"] == "hypertension <= grade 2"
    held = {"on_hold": True, "hold_reason_terms": ["hypertension"]}
    visit2 = evaluate(request(LEN, 24, bp(162, 92, optimal_antihypertensive_therapy=True), **held))
    assert (visit2["action"], visit2["dose_mg_per_day"], visit2["resume_dose_mg_per_day"]) == (
        "withhold",
        0,
        20,
    )
    visit3 = evaluate(request(LEN, 24, bp(146, 88), **held))
    assert (visit3["action"], visit3["dose_mg_per_day"], visit3["resume_dose_mg_per_day"]) == (
        "resume",
        20,
        None,
    )
    assert visit3["resume_when"] == ""
    assert visit3["reasons"][0]["action"] == "resume"


def test_an_absent_observation_for_a_hold_reason_means_not_known_to_be_recovered():
    out = evaluate(request(LEN, 24, on_hold=True, hold_reason_terms=["diarrhea"]))
    assert out["action"] == "withhold"
    assert out["resume_dose_mg_per_day"] == 20
    assert out["resume_when"] == "diarrhea <= grade 1 or baseline (not assessed at this visit)"
    assert out["reasons"][0]["term"] == "diarrhea"


def test_every_hold_reason_must_recover_before_resuming():
    held = {"on_hold": True, "hold_reason_terms": ["hypertension", "diarrhea"]}
    partly = evaluate(request(LEN, 24, bp(140, 85), graded("diarrhea", 2), **held))
    assert partly["action"] == "withhold"
    assert partly["resume_when"] == "diarrhea <= grade 1 or baseline"
    both = evaluate(request(LEN, 24, bp(140, 85), graded("diarrhea", 1), **held))
    assert (both["action"], both["dose_mg_per_day"]) == ("resume", 20)


def test_a_new_grade4_toxicity_while_held_discontinues():
    out = evaluate(
        request(LEN, 24, graded("diarrhea", 4), on_hold=True, hold_reason_terms=["hypertension"])
    )
    assert out["action"] == "discontinue"
    assert out["dose_mg_per_day"] == 0
    assert out["resume_dose_mg_per_day"] is None


def test_a_new_withholding_toxicity_while_held_keeps_one_reduction_and_adds_its_criterion():
    out = evaluate(
        request(
            LEN,
            24,
            bp(140, 85),
            graded("fatigue", 3),
            on_hold=True,
            hold_reason_terms=["hypertension"],
        )
    )
    assert out["action"] == "withhold"
    assert out["resume_dose_mg_per_day"] == 20
    assert out["resume_when"] == "fatigue <= grade 1 or baseline"


@pytest.mark.parametrize(
    ("drug", "dose", "expected"),
    [
        (LEN, 24, 20),
        (LEN, 20, 14),
        (LEN, 14, 10),
        (SOR, 800, 600),
        (SOR, 600, 400),
        (SOR, 400, 200),
        (CAB, 60, 40),
        (CAB, 40, 20),
        (CAB, 20, 20),
    ],
)
def test_a_hold_reduces_one_level_from_the_dose_when_the_hold_began(drug, dose, expected):
    out = evaluate(request(drug, dose, graded("fatigue", 3), graded("diarrhea", 3)))
    assert out["action"] == "withhold"
    assert out["resume_dose_mg_per_day"] == expected


@pytest.mark.parametrize(("drug", "dose"), [(LEN, 10), (SOR, 200)])
def test_below_the_lowest_level_lenvatinib_and_sorafenib_discontinue_for_review(drug, dose):
    out = evaluate(request(drug, dose, graded("fatigue", 3)))
    assert out["action"] == "discontinue"
    assert out["needs_review"] is True
    assert out["reasons"][0]["rule"] == f"{drug}.us_pi.lowest_dose"


def test_the_lowest_dose_handling_is_a_policy_setting():
    policy = PolicySettings(lowest_dose="hold_at_lowest_with_review")
    out = evaluate(request(LEN, 10, graded("fatigue", 3)), policy=policy)
    assert (out["action"], out["resume_dose_mg_per_day"], out["needs_review"]) == (
        "withhold",
        10,
        True,
    )


def test_cabozantinib_resumes_a_first_hold_at_20_and_discontinues_a_further_one():
    held = {"on_hold": True, "hold_reason_terms": ["diarrhea"]}
    first = evaluate(request(CAB, 20, graded("diarrhea", 1), **held))
    assert (first["action"], first["dose_mg_per_day"]) == ("resume", 20)
    again = evaluate(request(CAB, 20, graded("diarrhea", 1), holds_at_current_dose=1, **held))
    assert again["action"] == "discontinue"


def test_a_resume_after_a_clinician_judgement_rule_needs_review():
    out = evaluate(
        request(
            LEN,
            24,
            {"term": "alanine_aminotransferase_increased", "value": 35, "uln": 40, "baseline": 30},
            on_hold=True,
            hold_reason_terms=["alanine_aminotransferase_increased"],
        )
    )
    assert (out["action"], out["dose_mg_per_day"], out["needs_review"]) == ("resume", 20, True)


def test_lenvatinib_proteinuria_hold_stays_until_a_24h_value_is_given():
    out = evaluate(
        request(
            LEN,
            24,
            {"term": "proteinuria", "dipstick": "1+"},
            on_hold=True,
            hold_reason_terms=["proteinuria"],
        )
    )
    assert out["action"] == "withhold"
    assert "needs a 24-h urine protein" in out["resume_when"]


def test_cabozantinib_uncontrollable_grade3_hypertension_discontinues():
    out = evaluate(
        request(CAB, 60, bp(172, 104, optimal_antihypertensive_therapy=True, persistent=True))
    )
    assert out["action"] == "discontinue"
    assert out["needs_review"] is True


@pytest.mark.parametrize(
    ("term", "grade", "action"),
    [
        ("thromboembolic_event", 2, "continue"),
        ("thromboembolic_event", 3, "withhold"),  # verification.md 5.1: VTE discontinues at G4 only
        ("thromboembolic_event", 4, "discontinue"),
        ("arterial_thromboembolism", 3, "discontinue"),
        # CTCAE v5.0 has no "cerebral infarction": the label's row covers Stroke.
        ("stroke", 2, "discontinue"),
        # Myocardial infarction starts at grade 2 in CTCAE v5.0 (grade 1 is "-").
        ("myocardial_infarction", 2, "discontinue"),
    ],
)
def test_cabozantinib_thrombotic_events_per_verification_5_1(term, grade, action):
    assert evaluate(request(CAB, 60, graded(term, grade)))["action"] == action


def test_eu_lenvatinib_interrupts_grade3_gi_perforation_where_us_discontinues():
    us = evaluate(request(LEN, 24, graded("colonic_perforation", 3)))
    eu = evaluate(request(LEN, 24, graded("colonic_perforation", 3), rule_set="eu_smpc"))
    assert us["action"] == "discontinue"
    assert (eu["action"], eu["resume_dose_mg_per_day"]) == ("withhold", 20)


def test_reasons_are_ordered_most_restrictive_first():
    out = evaluate(
        request(LEN, 24, bp(165, 100), graded("diarrhea", 3), graded("hepatic_failure", 3))
    )
    actions = [r["action"] for r in out["reasons"]]
    assert actions == ["discontinue", "withhold", "continue"]
