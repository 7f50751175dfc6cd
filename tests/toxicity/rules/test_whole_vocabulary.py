"""The engine on the whole CTCAE v5.0 dictionary, and the label rows behind it.

Each test cites the source row it is built from (docs/sources/reference.md,
verification.md, policy.md).
"""

from __future__ import annotations

import pytest

from tests.toxicity.rules.helpers import bp, graded, request
from toxicity.ctcae.terms import (
    FISTULA_TERMS,
    GI_FISTULA_TERMS,
    GI_PERFORATION_TERMS,
    NON_GI_FISTULA_TERMS,
    TERMS,
)
from toxicity.rules import RULE_SETS, get_rule_set
from toxicity.rules.evaluate import InvalidRequest, evaluate, loads_request
from toxicity.rules.model import UNCONFIRMED_MARKER

LEN, SOR, CAB = "lenvatinib", "sorafenib", "cabozantinib"


def rules_by_id(drug: str, rule_set: str) -> dict:
    return {r.rule_id: r for r in get_rule_set(drug, rule_set).rules}


def reason_for(out: dict, rule_id: str) -> dict:
    (reason,) = [r for r in out["reasons"] if r["rule"] == rule_id]
    return reason


# --- 1. Every term recordable, every grade checked ---------------------------


@pytest.mark.parametrize("key", sorted(RULE_SETS), ids="/".join)
def test_every_one_of_the_837_terms_is_evaluated_at_every_grade_it_defines(key):
    drug, rule_set = key
    dose = RULE_SETS[key].starting_dose
    seen = 0
    for term, info in TERMS.items():
        for grade in (0, *info.grades):
            out = evaluate(request(drug, dose, graded(term, grade), rule_set=rule_set))
            assert out["grades"] == {term: grade}
            assert out["action"] in ("continue", "reduce", "withhold", "discontinue")
            seen += 1
    assert len(TERMS) == 837 and seen > 837


@pytest.mark.parametrize(
    ("term", "grade", "defined"),
    [
        ("transient_ischemic_attacks", 4, "1, 2"),
        ("nephrotic_syndrome", 1, "3-5"),
        ("myocardial_infarction", 1, "2-5"),
        ("gallbladder_perforation", 3, "4, 5"),
    ],
)
def test_a_grade_the_term_does_not_define_is_refused_naming_the_term_and_its_grades(
    term, grade, defined
):
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, graded(term, grade)))
    message = exc.value.errors["observations[0].grade"]
    assert term in message and TERMS[term].name in message
    assert f"defined grades {defined}" in message


@pytest.mark.parametrize(
    "term",
    [
        "colonic_perforation",
        "gastric_perforation",
        "gastrointestinal_fistula",
        "wound_complication",
        "wound_dehiscence",
        "stroke",
    ],
)
def test_real_ctcae_terms_once_refused_are_accepted(term):
    out = evaluate(request(LEN, 24, graded(term, 2)))
    assert out["grades"] == {term: 2}


@pytest.mark.parametrize(
    "term",
    ["gastrointestinal_perforation", "fistula", "impaired_wound_healing", "cerebral_infarction"],
)
def test_label_words_that_are_not_ctcae_terms_are_refused(term):
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, graded(term, 3)))
    assert "unknown term" in exc.value.errors["observations[0].term"]


def test_the_response_names_each_graded_term_with_its_ctcae_name_and_meddra_code():
    out = evaluate(request(CAB, 60, graded("stroke", 1), bp(130, 85)))
    assert out["terms"] == {
        "stroke": {"name": "Stroke", "meddra_code": "10042244"},
        "hypertension": {"name": "Hypertension", "meddra_code": "10020772"},
    }


# --- Label rows name the CTCAE terms they cover --------------------------------


@pytest.mark.parametrize("term", sorted(GI_PERFORATION_TERMS))
@pytest.mark.parametrize("drug", [LEN, SOR, CAB])
def test_every_site_specific_gi_perforation_discontinues_under_the_us_labels(drug, term):
    # reference.md 2.1-2.3: "GI perforation | Any grade | Discontinue" (each US label).
    dose = get_rule_set(drug, "us_pi").starting_dose
    grade = TERMS[term].grades[0]
    assert evaluate(request(drug, dose, graded(term, grade)))["action"] == "discontinue"


@pytest.mark.parametrize("term", sorted(FISTULA_TERMS))
@pytest.mark.parametrize("drug", [LEN, CAB])
def test_a_grade_4_fistula_of_any_site_discontinues(drug, term):
    # LENVIMA US PI 2016 5.8 "life-threatening fistula"; CABOMETYX "Grade 4 fistula".
    dose = get_rule_set(drug, "us_pi").starting_dose
    assert evaluate(request(drug, dose, graded(term, 4)))["action"] == "discontinue"


@pytest.mark.parametrize("term", sorted(GI_FISTULA_TERMS - {"biliary_fistula"}))
def test_eu_lenvatinib_interrupts_a_grade_3_gi_fistula(term):
    # verification.md 4.3: "GI perforation/fistula: G3 -> interrupt until G0-1/baseline".
    out = evaluate(request(LEN, 24, graded(term, 3), rule_set="eu_smpc"))
    assert (out["action"], out["resume_dose_mg_per_day"]) == ("withhold", 20)


@pytest.mark.parametrize("term", sorted(NON_GI_FISTULA_TERMS))
def test_eu_lenvatinib_discontinues_a_grade_4_non_gi_fistula(term):
    # verification.md 4.3: "Non-GI fistula G4 -> discontinue".
    out = evaluate(request(LEN, 24, graded(term, 4), rule_set="eu_smpc"))
    assert out["action"] == "discontinue"
    assert out["reasons"][0]["rule"] == "lenvatinib.eu_smpc.non_gi_fistula.grade4"


# --- 2. Engine defects, each from its source row -------------------------------


@pytest.mark.parametrize("rule_set", ["us_pi", "eu_smpc"])
@pytest.mark.parametrize(
    ("grade", "action"), [(2, "discontinue"), (3, "discontinue"), (1, "continue")]
)
def test_cabozantinib_stroke_of_grade_2_or_more_discontinues(rule_set, grade, action):
    # verification.md 3.3 / 5.1: "Grade 2 or higher cerebral infarction" -> permanently
    # discontinue; CTCAE v5.0 Stroke is the arterial obstruction of the brain.
    out = evaluate(request(CAB, 60, graded("stroke", grade), rule_set=rule_set))
    assert out["action"] == action
    if grade >= 2:
        assert any(r["rule"].endswith("cerebral_infarction.grade2_plus") for r in out["reasons"])


@pytest.mark.parametrize("term", ["hypokalemia", "hyponatremia", "platelet_count_decreased"])
def test_lenvatinib_us_withholds_a_grade_4_laboratory_abnormality_and_resumes_one_level_down(term):
    # reference.md 2.1 Table 1: "Other ARs | ... G4 lab abnormality | Withhold until G0-1
    # or baseline; resume at reduced dose".
    out = evaluate(request(LEN, 24, graded(term, 4)))
    assert (out["action"], out["resume_dose_mg_per_day"]) == ("withhold", 20)
    reason = reason_for(out, "lenvatinib.us_pi.other_laboratory.grade4")
    assert reason["text"].endswith(UNCONFIRMED_MARKER)


def test_lenvatinib_us_still_discontinues_a_grade_4_reaction_that_is_not_a_lab_value():
    # reference.md 2.1 Table 1: "Other ARs | G4 AR | Permanently discontinue".
    out = evaluate(request(LEN, 24, graded("vomiting", 4)))
    assert out["action"] == "discontinue"


def test_lenvatinib_eu_discontinues_a_grade_4_lab_abnormality_unless_judged_not_life_threatening():
    # verification.md 1.2 / 4.3: EU discontinues G4 except non-life-threatening lab values,
    # managed as G3: the clinician judges, so the decision is flagged for review.
    out = evaluate(request(LEN, 24, graded("hypokalemia", 4), rule_set="eu_smpc"))
    assert (out["action"], out["needs_review"]) == ("discontinue", True)


@pytest.mark.parametrize(
    ("flags", "action"),
    [({"persistent": True}, "continue"), ({"intolerable": True}, "withhold"), ({}, "continue")],
)
def test_lenvatinib_eu_interrupts_only_an_intolerable_grade_2(flags, action):
    # reference.md 2.1 (SmPC): "Severe or intolerable ARs: interrupt until G0-1 or baseline".
    out = evaluate(request(LEN, 24, graded("fatigue", 2, **flags), rule_set="eu_smpc"))
    assert out["action"] == action


def test_lenvatinib_us_still_withholds_a_persistent_grade_2():
    # reference.md 2.1 Table 1: "Persistent or intolerable G2".
    out = evaluate(request(LEN, 24, graded("fatigue", 2, persistent=True)))
    assert out["action"] == "withhold"


def test_an_on_hold_reason_from_an_unconfirmed_row_carries_the_marker():
    # lenvatinib US other-AR rows are unconfirmed (verification.md 1.2).
    held = {"on_hold": True, "hold_reason_terms": ["fatigue"]}
    out = evaluate(request(LEN, 24, graded("fatigue", 2), **held))
    assert out["action"] == "withhold"
    reason = reason_for(out, "lenvatinib.us_pi.other.grade2")
    assert reason["text"].startswith("On hold")
    assert reason["text"].endswith(UNCONFIRMED_MARKER)


def test_a_recovered_reason_from_an_unconfirmed_row_carries_the_marker():
    held = {"on_hold": True, "hold_reason_terms": ["proteinuria"]}
    out = evaluate(request(LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": 1.2}, **held))
    assert (out["action"], out["dose_mg_per_day"]) == ("resume", 20)
    reason = reason_for(out, "lenvatinib.us_pi.proteinuria.24h_2g")
    assert reason["text"].startswith("Recovered")
    assert reason["text"].endswith(UNCONFIRMED_MARKER)


def test_a_recovered_reason_from_a_confirmed_row_has_no_marker():
    held = {"on_hold": True, "hold_reason_terms": ["proteinuria"]}
    out = evaluate(
        request(
            LEN, 24, {"term": "proteinuria", "urine_protein_g_24h": 1.2}, rule_set="eu_smpc", **held
        )
    )
    assert (
        UNCONFIRMED_MARKER not in reason_for(out, "lenvatinib.eu_smpc.proteinuria.24h_2g")["text"]
    )


def test_a_bad_systolic_value_is_reported_on_sbp():
    obs = {"term": "hypertension", "sbp": 400, "dbp": 90}
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, obs))
    assert list(exc.value.errors) == ["observations[0].sbp"]
    assert "systolic 400" in exc.value.errors["observations[0].sbp"]


def test_every_bad_field_of_a_request_is_reported():
    obs = {"term": "hypertension", "sbp": 400, "dbp": 5}
    lab = {"term": "creatinine_increased"}  # neither value nor uln
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, obs, {**lab, "baseline": 1.0}))
    assert {
        "observations[0].sbp",
        "observations[0].dbp",
        "observations[1].value",
        "observations[1].uln",
    } <= set(exc.value.errors)


def test_both_values_of_a_bad_reading_pair_are_reported():
    obs = {"term": "hypertension", "readings": [[400, 5]]}
    with pytest.raises(InvalidRequest) as exc:
        evaluate(request(LEN, 24, obs))
    message = exc.value.errors["observations[0].readings[0]"]
    assert "systolic 400" in message and "diastolic 5" in message


def test_duplicate_keys_in_a_json_request_are_refused():
    with pytest.raises(InvalidRequest) as exc:
        loads_request('{"drug": "lenvatinib", "dose_mg_per_day": 24, "drug": "sorafenib"}')
    assert exc.value.errors == {"request": "duplicate key 'drug' in a JSON object"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ('{"dose_mg_per_day": ' + "9" * 5000 + "}", "not valid JSON"),
        ("{'drug': 1}", "not valid JSON"),
    ],
)
def test_json_that_cannot_be_read_safely_is_refused_with_a_message(text, fragment):
    with pytest.raises(InvalidRequest) as exc:
        loads_request(text)
    assert fragment in exc.value.errors["request"]


# --- 3. Rule data that tells the truth ------------------------------------------


@pytest.mark.parametrize("rule_set", ["us_pi", "eu_smpc"])
@pytest.mark.parametrize("key", ["diarrhea.grade2_intolerable", "diarrhea.grade3"])
def test_cabozantinib_diarrhea_rows_are_unconfirmed(rule_set, key):
    # verification.md 3.4: "Diarrhea: STILL UNCONFIRMED (current row)".
    rule = rules_by_id(CAB, rule_set)[f"cabozantinib.{rule_set}.{key}"]
    assert rule.confirmed is False


def test_the_lenvatinib_eu_qtc_rise_row_is_unconfirmed():
    # verification.md 1.2 / 4.3: the EU row is "QT > 500 ms" only; "> 60 ms" is unread US text.
    rule = rules_by_id(LEN, "eu_smpc")["lenvatinib.eu_smpc.qt_prolongation.rise_above_60ms"]
    assert rule.confirmed is False


_INTERNAL = (".md", "not read", "Skyscape", "monograph", "verification", "reference", "policy ")


@pytest.mark.parametrize("key", sorted(RULE_SETS), ids="/".join)
def test_what_clinicians_see_cites_no_project_file_or_developer_note(key):
    rs = RULE_SETS[key]
    for text in [rs.lowest_dose_citation, *(r.citation for r in rs.rules)]:
        assert text.strip()
        for word in _INTERNAL:
            assert word not in text, (word, text)


def test_a_project_policy_reason_is_cited_in_words():
    out = evaluate(request(LEN, 24, bp(165, 95, optimal_antihypertensive_therapy=False)))
    source = reason_for(out, "lenvatinib.us_pi.hypertension.grade3_without_optimal_therapy")[
        "source"
    ]
    assert source.startswith("project policy: ")


def test_the_lowest_dose_reason_cites_project_policy_in_words():
    out = evaluate(request(LEN, 10, graded("fatigue", 3)))
    assert out["action"] == "discontinue"
    source = reason_for(out, "lenvatinib.us_pi.lowest_dose")["source"]
    assert source.startswith("project policy: ") and ".md" not in source
