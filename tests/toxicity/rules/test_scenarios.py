"""Worked scenarios of reference.md section 4 as a table (verification.md wins where it differs).

Scenarios whose basis is [U] are encoded only where the rule data holds the row;
their reasons must then carry the unconfirmed marker. Skipped: 35 (hypocalcemia
management is [U] and has no rule row), 44 (surgery is not an evaluation input)
and 45 (PRO-CTCAE never reaches the engine, policy.md 8).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.toxicity.rules.helpers import bp, graded, request, unconfirmed
from toxicity.rules.evaluate import evaluate


class Scenario(NamedTuple):
    id: str
    rule_set: str
    req: dict[str, Any]
    action: str
    dose: int
    resume_dose: int | None = None
    needs_review: bool | None = None
    grades: dict[str, int] | None = None
    rule: str | None = None  # a rule that must be among the reasons
    marker: bool | None = None  # the reason of ``rule`` carries the unconfirmed marker


LEN, SOR, CAB = "lenvatinib", "sorafenib", "cabozantinib"
HELD_HTN = {"on_hold": True, "hold_reason_terms": ["hypertension"]}


def both(sid: str, req: dict[str, Any], *args: Any, **kw: Any) -> list[Scenario]:
    """The scenario under both rule sets.

    The sorafenib and cabozantinib EU sets copy the US label rows without an EU
    text read, so their reasons carry the unconfirmed marker (verification.md 0).
    """
    out = []
    for rs in ("us_pi", "eu_smpc"):
        extra = dict(kw)
        if rs == "eu_smpc" and req.get("drug") in (SOR, CAB) and kw.get("marker") is False:
            extra["marker"] = True
        out.append(Scenario(f"{sid}-{rs}", rs, req, *args, **extra))
    return out


def us(sid: str, req: dict[str, Any], *args: Any, **kw: Any) -> list[Scenario]:
    return [Scenario(f"{sid}-us_pi", "us_pi", req, *args, **kw)]


SCENARIOS: list[Scenario] = [
    # --- Hypertension ------------------------------------------------------
    *both(
        "01-len-139/89-g1-continue",
        request(LEN, 24, bp(139, 89)),
        "continue",
        24,
        grades={"hypertension": 1},
    ),
    *both(
        "02-len-140/90-g2-continue",
        request(LEN, 24, bp(140, 90)),
        "continue",
        24,
        grades={"hypertension": 2},
    ),
    *both(
        "03-len-158/92-on-amlodipine-continue",
        request(LEN, 24, bp(158, 92, optimal_antihypertensive_therapy=False)),
        "continue",
        24,
        grades={"hypertension": 2},
    ),
    *both(
        "04-len-160/85-despite-optimal-aht-withhold-resume-20",
        request(LEN, 24, bp(160, 85, optimal_antihypertensive_therapy=True)),
        "withhold",
        0,
        20,
        needs_review=False,
        grades={"hypertension": 3},
    ),
    *both(
        "05-len-150/100-first-no-aht-continue-review",
        request(LEN, 24, bp(150, 100)),
        "continue",
        24,
        needs_review=True,
        grades={"hypertension": 3},
    ),
    *both(
        "06-len-held-148/92-stable-72h-resume-20",
        request(LEN, 24, bp(148, 92, antihypertensive_stable_hours=72), **HELD_HTN),
        "resume",
        20,
    ),
    *us(
        "07-len-held-152/90-stable-72h-us-resume-20",
        request(LEN, 24, bp(152, 90, antihypertensive_stable_hours=72), **HELD_HTN),
        "resume",
        20,
    ),
    Scenario(
        "07-len-held-152/90-stable-72h-eu-keep-holding",
        "eu_smpc",
        request(LEN, 24, bp(152, 90, antihypertensive_stable_hours=72), **HELD_HTN),
        "withhold",
        0,
        20,
    ),
    *both(
        "08-len-hypertensive-crisis-g4-discontinue",
        request(LEN, 20, graded("hypertension", 4)),
        "discontinue",
        0,
    ),
    # verification.md 2.1 / 5.3: the asymptomatic G2 row is gone: no rule fires.
    *both(
        "09-sor-150/95-asymptomatic-continue-verification-2.1",
        request(SOR, 800, bp(150, 95)),
        "continue",
        800,
        needs_review=False,
    ),
    *both(
        "10-sor-165/102-headache-withhold-resume-600",
        request(SOR, 800, bp(165, 102, symptomatic=True, optimal_antihypertensive_therapy=False)),
        "withhold",
        0,
        600,
        rule="sorafenib.{rs}.hypertension.grade3",
        marker=False,
    ),
    # verification.md 3.3: controllable G3 -> withhold (not discontinue).
    *both(
        "11-cab-172/104-despite-2-drugs-withhold-resume-40",
        request(CAB, 60, bp(172, 104, optimal_antihypertensive_therapy=True)),
        "withhold",
        0,
        40,
    ),
    *both(
        "12-cab-hypertensive-crisis-discontinue",
        request(CAB, 60, graded("hypertension", 4)),
        "discontinue",
        0,
    ),
    # --- Proteinuria (policy.md 6) -------------------------------------------
    *both(
        "13-len-dipstick-2+-continue-order-24h",
        request(LEN, 24, {"term": "proteinuria", "dipstick": "2+"}),
        "continue",
        24,
        rule="lenvatinib.{rs}.proteinuria.screen",
        marker=False,
    ),
    *both(
        "14-len-24h-1.9g-continue",
        request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": 1.9}),
        "continue",
        24,
    ),
    *us(
        "15-len-24h-2.4g-withhold-resume-20",
        request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": 2.4}),
        "withhold",
        0,
        20,
        rule="lenvatinib.us_pi.proteinuria.24h_2g",
        marker=True,
    ),
    Scenario(
        "15-len-24h-2.4g-withhold-resume-20-eu_smpc",
        "eu_smpc",
        request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": 2.4}),
        "withhold",
        0,
        20,
        rule="lenvatinib.eu_smpc.proteinuria.24h_2g",
        marker=False,
    ),
    *both(
        "16-len-20mg-24h-2.0g-withhold-resume-14",
        request(LEN, 20, {"term": "proteinuria", "urine_protein_g_24h": 2.0}),
        "withhold",
        0,
        14,
    ),
    *us(
        "17-len-nephrotic-syndrome-discontinue",
        request(
            LEN,
            14,
            {"term": "proteinuria", "urine_protein_g_24h": 4.1},
            graded("nephrotic_syndrome", 3),
            graded("hypoalbuminemia", 2),
        ),
        "discontinue",
        0,
        rule="lenvatinib.us_pi.nephrotic_syndrome.any_grade",
        marker=True,
        grades={"proteinuria": 3, "nephrotic_syndrome": 3, "hypoalbuminemia": 2},
    ),
    Scenario(
        "17-len-nephrotic-syndrome-discontinue-eu_smpc",
        "eu_smpc",
        request(
            LEN,
            14,
            {"term": "proteinuria", "urine_protein_g_24h": 4.1},
            graded("nephrotic_syndrome", 3),
        ),
        "discontinue",
        0,
        rule="lenvatinib.eu_smpc.nephrotic_syndrome.any_grade",
        marker=False,
    ),
    # --- Diarrhea ----------------------------------------------------------
    *both(
        "18-len-diarrhea-+4-tolerable-continue",
        request(LEN, 24, {"term": "diarrhea", "stools_per_day": 6, "baseline_stools_per_day": 2}),
        "continue",
        24,
        grades={"diarrhea": 2},
    ),
    *us(
        "19-len-diarrhea-+7-withhold-resume-20",
        request(LEN, 24, {"term": "diarrhea", "stools_per_day": 8, "baseline_stools_per_day": 1}),
        "withhold",
        0,
        20,
        rule="lenvatinib.us_pi.other.grade3",
        marker=True,
    ),
    Scenario(
        "19-len-diarrhea-+7-withhold-resume-20-eu_smpc",
        "eu_smpc",
        request(LEN, 24, {"term": "diarrhea", "stools_per_day": 8, "baseline_stools_per_day": 1}),
        "withhold",
        0,
        20,
        rule="lenvatinib.eu_smpc.diarrhea.grade3",
        marker=False,
    ),
    *both(
        "20-len-diarrhea-g4-shock-discontinue",
        request(LEN, 24, graded("diarrhea", 4)),
        "discontinue",
        0,
    ),
    *both(
        "21-cab-40-diarrhea-+5-intolerable-withhold-resume-20",
        request(
            CAB,
            40,
            {
                "term": "diarrhea",
                "stools_per_day": 6,
                "baseline_stools_per_day": 1,
                "intolerable": True,
            },
        ),
        "withhold",
        0,
        20,
    ),
    # --- Lowest dose -------------------------------------------------------
    *both(
        "22-cab-20-first-g3-diarrhea-withhold-resume-20",
        request(CAB, 20, graded("diarrhea", 3)),
        "withhold",
        0,
        20,
    ),
    *both(
        "23-cab-20-recurrent-g3-diarrhea-discontinue",
        request(CAB, 20, graded("diarrhea", 3), holds_at_current_dose=1),
        "discontinue",
        0,
    ),
    *both(
        "24-len-10-g3-fatigue-discontinue-review-policy-4",
        request(LEN, 10, graded("fatigue", 3, persistent=True)),
        "discontinue",
        0,
        needs_review=True,
        rule="lenvatinib.{rs}.lowest_dose",
    ),
    # --- PPE / hand-foot skin reaction (sorafenib rows are unconfirmed) -------
    *both(
        "25-sor-ppe-g2-first-continue-topical",
        request(SOR, 800, graded("palmar_plantar_erythrodysesthesia_syndrome", 2)),
        "continue",
        800,
        rule="sorafenib.{rs}.ppe.grade2_first",
        marker=True,
    ),
    *both(
        "26-sor-600-ppe-g2-second-withhold-resume-400",
        request(
            SOR,
            600,
            graded("palmar_plantar_erythrodysesthesia_syndrome", 2),
            occurrences={"palmar_plantar_erythrodysesthesia_syndrome": 1},
        ),
        "withhold",
        0,
        400,
        rule="sorafenib.{rs}.ppe.grade2_second_third",
        marker=True,
    ),
    *both(
        "27-sor-400-ppe-g3-third-discontinue",
        request(
            SOR,
            400,
            graded("palmar_plantar_erythrodysesthesia_syndrome", 3),
            occurrences={"palmar_plantar_erythrodysesthesia_syndrome": 2},
        ),
        "discontinue",
        0,
        rule="sorafenib.{rs}.ppe.grade3_third",
        marker=True,
    ),
    *both(
        "27b-sor-400-ppe-g2-fourth-discontinue",
        request(
            SOR,
            400,
            graded("palmar_plantar_erythrodysesthesia_syndrome", 2),
            occurrences={"palmar_plantar_erythrodysesthesia_syndrome": 3},
        ),
        "discontinue",
        0,
        rule="sorafenib.{rs}.ppe.grade2_fourth",
        marker=True,
    ),
    *both(
        "28-cab-ppe-intolerable-g2-withhold-resume-40",
        request(CAB, 60, graded("palmar_plantar_erythrodysesthesia_syndrome", 2, intolerable=True)),
        "withhold",
        0,
        40,
    ),
    *both(
        "29-cab-intolerable-g2-fatigue-withhold-resume-40",
        request(CAB, 60, graded("fatigue", 2, intolerable=True)),
        "withhold",
        0,
        40,
        rule="cabozantinib.{rs}.general.grade2_intolerable",
        marker=False,
    ),
    # --- Liver -------------------------------------------------------------
    *us(
        "30-len-alt-6.5xuln-withhold-resume-20-or-discontinue",
        request(
            LEN,
            24,
            {"term": "alanine_aminotransferase_increased", "value": 260, "uln": 40, "baseline": 30},
        ),
        "withhold",
        0,
        20,
        needs_review=True,
        grades={"alanine_aminotransferase_increased": 3},
    ),
    *both(
        "31-len-alt-abnormal-baseline-g2-continue",
        request(
            LEN,
            20,
            {"term": "alanine_aminotransferase_increased", "value": 260, "uln": 40, "baseline": 80},
        ),
        "continue",
        20,
        grades={"alanine_aminotransferase_increased": 2},
    ),
    *both(
        "32-len-hepatic-failure-discontinue",
        request(LEN, 24, graded("hepatic_failure", 4)),
        "discontinue",
        0,
    ),
    # --- QTc, weight, creatinine ---------------------------------------------
    *us(
        "33-len-qtc-505-withhold-resume-20",
        request(
            LEN,
            24,
            {
                "term": "electrocardiogram_qt_corrected_interval_prolonged",
                "qtc_ms": 505,
                "baseline_qtc_ms": 430,
            },
            graded("hypokalemia", 1),
        ),
        "withhold",
        0,
        20,
        rule="lenvatinib.us_pi.qt_prolongation.qtc_above_500",
        marker=True,
    ),
    *both(
        "34a-len-qtc-480-g1-continue",
        request(
            LEN, 24, {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 480}
        ),
        "continue",
        24,
        grades={"electrocardiogram_qt_corrected_interval_prolonged": 1},
    ),
    *both(
        "34b-len-qtc-500-g2-continue",
        request(
            LEN, 24, {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": 500}
        ),
        "continue",
        24,
        grades={"electrocardiogram_qt_corrected_interval_prolonged": 2},
    ),
    *both(
        "36-len-weight-loss-10.7pct-g2-continue",
        request(LEN, 20, {"term": "weight_loss", "weight_kg": 62.5, "baseline_weight_kg": 70.0}),
        "continue",
        20,
        grades={"weight_loss": 2},
    ),
    *both(
        "37-len-creatinine-2.2x-baseline-g2-continue",
        request(
            LEN, 24, {"term": "creatinine_increased", "value": 2.0, "uln": 1.2, "baseline": 0.9}
        ),
        "continue",
        24,
        grades={"creatinine_increased": 2},
    ),
    # --- Bleeding and thrombosis -----------------------------------------------
    *us(
        "38-len-epistaxis-g3-withhold-resume-20-or-discontinue",
        request(LEN, 24, graded("epistaxis", 3)),
        "withhold",
        0,
        20,
        needs_review=True,
    ),
    Scenario(
        "38-len-epistaxis-g3-withhold-resume-20-eu_smpc",
        "eu_smpc",
        request(LEN, 24, graded("epistaxis", 3)),
        "withhold",
        0,
        20,
        needs_review=False,
    ),
    *both(
        "39-sor-upper-gi-hemorrhage-g3-discontinue",
        request(SOR, 800, graded("upper_gastrointestinal_hemorrhage", 3)),
        "discontinue",
        0,
    ),
    *both(
        "40-cab-bronchopulmonary-hemorrhage-g3-discontinue",
        request(CAB, 60, graded("bronchopulmonary_hemorrhage", 3)),
        "discontinue",
        0,
    ),
    # --- Simultaneous toxicities and recurrence --------------------------------
    *both(
        "41-len-g2-fatigue-and-alt-7xuln-withhold-one-level",
        request(
            LEN,
            24,
            graded("fatigue", 2),
            {"term": "alanine_aminotransferase_increased", "value": 280, "uln": 40, "baseline": 30},
        ),
        "withhold",
        0,
        20,
    ),
    *both(
        "42-len-htn-g2-and-tia-discontinue",
        request(LEN, 24, bp(150, 95), graded("transient_ischemic_attacks", 2)),
        "discontinue",
        0,
        rule="lenvatinib.{rs}.arterial_thromboembolic_event.any_grade",
        marker=False,
    ),
    *both(
        "43-len-20-after-htn-reduction-protein-2.6g-withhold-resume-14",
        request(LEN, 20, {"term": "proteinuria", "urine_protein_g_24h": 2.6}),
        "withhold",
        0,
        14,
    ),
]


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_worked_scenario(sc: Scenario) -> None:
    req = dict(sc.req, rule_set=sc.rule_set)
    out = evaluate(req)
    assert out["rule_set"] == sc.rule_set
    assert out["action"] == sc.action, out["reasons"]
    assert out["dose_mg_per_day"] == sc.dose
    assert out["resume_dose_mg_per_day"] == sc.resume_dose
    if sc.needs_review is not None:
        assert out["needs_review"] is sc.needs_review, out["reasons"]
    if sc.grades is not None:
        for term, grade in sc.grades.items():
            assert out["grades"][term] == grade
    if sc.rule is not None:
        rule_id = sc.rule.format(rs=sc.rule_set)
        matching = [r for r in out["reasons"] if r["rule"] == rule_id]
        assert matching, f"{rule_id} not among {[r['rule'] for r in out['reasons']]}"
        if sc.marker is not None:
            assert unconfirmed(matching[0]) is sc.marker


def test_scenario_7_says_which_rule_set_it_followed() -> None:
    req = request(LEN, 24, bp(152, 90, antihypertensive_stable_hours=72), **HELD_HTN)
    eu = evaluate(dict(req, rule_set="eu_smpc"))
    assert "SBP <= 150 and DBP <= 95" in eu["resume_when"]
    assert eu["reasons"][0]["rule"] == "lenvatinib.eu_smpc.hypertension.grade3"
    us_out = evaluate(dict(req, rule_set="us_pi"))
    assert us_out["reasons"][0]["rule"] == "lenvatinib.us_pi.hypertension.grade3"
    assert us_out["reasons"][0]["action"] == "resume"


def test_scenario_9_cites_no_2020_asymptomatic_row() -> None:
    out = evaluate(request(SOR, 800, bp(150, 95)))
    assert out["reasons"] == []


def test_contract_example_request_gives_a_withhold_at_20() -> None:
    out = evaluate(
        {
            "drug": "lenvatinib",
            "rule_set": "us_pi",
            "dose_mg_per_day": 24,
            "on_hold": False,
            "hold_reason_terms": [],
            "holds_at_current_dose": 0,
            "occurrences": {"palmar_plantar_erythrodysesthesia_syndrome": 1},
            "observations": [
                {
                    "term": "hypertension",
                    "readings": [[162, 88], [158, 90]],
                    "optimal_antihypertensive_therapy": True,
                    "antihypertensive_stable_hours": 72,
                },
                {"term": "diarrhea", "stools_per_day": 8, "baseline_stools_per_day": 1},
                {"term": "fatigue", "grade": 2, "intolerable": True},
                {"term": "weight_loss", "weight_kg": 62.5, "baseline_weight_kg": 70.0},
                {"term": "proteinuria", "urine_protein_g_24h": 2.4},
                {
                    "term": "alanine_aminotransferase_increased",
                    "value": 260,
                    "uln": 40,
                    "baseline": 30,
                },
                {
                    "term": "electrocardiogram_qt_corrected_interval_prolonged",
                    "qtc_ms": 505,
                    "baseline_qtc_ms": 430,
                },
            ],
        }
    )
    assert set(out) == {
        "terms",
        "grades",
        "provisional",
        "action",
        "dose_mg_per_day",
        "resume_dose_mg_per_day",
        "resume_when",
        "needs_review",
        "rule_set",
        "reasons",
    }
    assert out["action"] == "withhold"
    assert out["dose_mg_per_day"] == 0
    assert out["resume_dose_mg_per_day"] == 20
    assert out["grades"]["hypertension"] == 3
    assert out["resume_when"].startswith("hypertension <= grade 2; diarrhea <= grade 1 or baseline")
    first = out["reasons"][0]
    assert first == {
        "term": "hypertension",
        "grade": 3,
        "rule": "lenvatinib.us_pi.hypertension.grade3",
        "action": "withhold",
        "source": "LENVIMA US PI, section 2, Table 1",
        "text": "Grade 3 persisting despite optimal antihypertensive therapy",
    }
    for reason in out["reasons"]:
        assert set(reason) == {"term", "grade", "rule", "action", "source", "text"}
