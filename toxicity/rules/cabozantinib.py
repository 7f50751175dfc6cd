"""CABOMETYX (cabozantinib tablets) dose-modification rules for differentiated thyroid cancer.

Adult dosing (60 -> 40 -> 20 mg). US PI rules (``US_PI``) from reference.md 2.3
with the corrections of verification.md 3.x and 5.1 (grade-specific permanent
discontinuation); the EU set (``EU_SMPC``) is a programmatic copy: the EU
general table (verification.md 4.4) gives the same actions for DTC as far as it
was read.

"Cannot be controlled" (grade 3 hypertension -> discontinue) is modelled with
the observation flags: grade 3 with ``optimal_antihypertensive_therapy`` AND
``persistent`` true means it persists despite optimal therapy, i.e. cannot be
controlled; any other grade 3 is "not adequately controlled" -> withhold.
"""

from __future__ import annotations

from patients.dosing import DOSE_LADDERS
from toxicity.ctcae.terms import (
    ARTERIAL_THROMBOEMBOLIC_TERMS,
    FISTULA_TERMS,
    GI_PERFORATION_TERMS,
    HEMORRHAGE_TERMS,
    VENOUS_THROMBOEMBOLIC_TERMS,
)
from toxicity.rules._common import (
    GRADE_0,
    GRADE_0_1_OR_BASELINE,
    GRADE_AT_MOST_1,
    copied_from_us_label,
    grade5_row,
    proteinuria_screen_row,
    row,
)
from toxicity.rules.model import Action, Condition, Recovery, RuleSet, derive_rule_set

__all__ = ["EU_SMPC", "US_PI"]

DRUG = "cabozantinib"
US = f"{DRUG}.us_pi"

# patients/dosing.py: adult 60 -> 40 -> 20 mg (verification.md 3.2). The
# pediatric < 40 kg ladder (40 / 20 / 20 mg every other day) is not modelled.
LADDER = DOSE_LADDERS[DRUG]

HTN = ("hypertension",)
DISCONTINUE_LIST = "CABOMETYX HCP dosing page (Exelixis, current): permanent discontinuation list"
GENERAL = "CABOMETYX US PI 09/2023, section 2 (general rule); Exelixis DTC dosing page"
ISI = "CABOMETYX Important Safety Information (Exelixis)"

HTN_CONTROLLED = Recovery("grade_at_most", "controlled (< 140/90 mmHg, grade <= 1)", grade=1)

_US_RULES = (
    # --- Permanent discontinuation (verification.md 3.3, 5.1) ---------------
    row(
        prefix=US,
        key="hemorrhage.grade3_4",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 3 or 4", min_grade=3),
        action=Action.DISCONTINUE,
        summary="Grade 3 or 4 hemorrhage: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="gastrointestinal_perforation.any_grade",
        term_label="gastrointestinal perforation",
        terms=GI_PERFORATION_TERMS,
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Gastrointestinal perforation: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="fistula.grade4",
        term_label="fistula (any site)",
        terms=FISTULA_TERMS,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 fistula: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="myocardial_infarction.any_grade",
        term_label="acute myocardial infarction",
        terms=("myocardial_infarction",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Acute myocardial infarction: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        # CTCAE v5.0 has no "cerebral infarction": its Stroke is the arterial
        # obstruction of the brain (the dictionary's definition).
        key="cerebral_infarction.grade2_plus",
        term_label="cerebral infarction (CTCAE Stroke)",
        terms=("stroke",),
        condition=Condition("grade 2 or higher", min_grade=2),
        action=Action.DISCONTINUE,
        summary="Cerebral infarction of grade 2 or higher: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="arterial_thromboembolic_event.grade3_4",
        term_label="arterial thromboembolic event",
        terms=ARTERIAL_THROMBOEMBOLIC_TERMS,
        condition=Condition("grade 3 or 4", min_grade=3),
        action=Action.DISCONTINUE,
        summary="Grade 3 or 4 arterial thromboembolic event: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="venous_thromboembolic_event.grade4",
        term_label="venous thromboembolic event",
        terms=VENOUS_THROMBOEMBOLIC_TERMS,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary=(
            "Grade 4 venous thromboembolic event: permanently discontinue (lower grades follow "
            "the general rule)"
        ),
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="hypertension.grade4",
        term_label="hypertension",
        terms=HTN,
        condition=Condition("grade 4 (hypertensive crisis)", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 hypertension or hypertensive crisis: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="hypertension.grade3_uncontrolled",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "grade 3 that cannot be controlled (persistent despite optimal antihypertensive "
            "therapy)",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy", "persistent"),
        ),
        action=Action.DISCONTINUE,
        summary="Grade 3 hypertension that cannot be controlled: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="nephrotic_syndrome.any_grade",
        term_label="nephrotic syndrome",
        terms=("nephrotic_syndrome",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Nephrotic syndrome: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="rpls.any_grade",
        term_label="reversible posterior leukoencephalopathy syndrome",
        terms=("reversible_posterior_leukoencephalopathy_syndrome",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="RPLS: permanently discontinue",
        source=DISCONTINUE_LIST,
        confirmed=True,
    ),
    # --- Withhold rows -------------------------------------------------------
    row(
        prefix=US,
        key="hypertension.grade3",
        term_label="hypertension",
        terms=HTN,
        condition=Condition("grade 3 (not adequately controlled)", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Hypertension not adequately controlled: withhold; resume at a dose reduced by 20 mg "
            "when controlled"
        ),
        source=ISI,
        confirmed=True,
        recovery=HTN_CONTROLLED,
    ),
    row(
        prefix=US,
        key="osteonecrosis_of_jaw.any_grade",
        term_label="osteonecrosis of the jaw",
        terms=("osteonecrosis_of_jaw",),
        condition=Condition("any grade", min_grade=1, max_grade=4),
        action=Action.WITHHOLD,
        summary=(
            "Osteonecrosis of the jaw: withhold until complete resolution; resume at a dose "
            "reduced by 20 mg"
        ),
        source="Exelixis HCP page (ONJ); " + GENERAL,
        citation="Exelixis HCP page, osteonecrosis of the jaw; " + GENERAL.split(" (")[0],
        confirmed=True,
        recovery=GRADE_0,
    ),
    row(
        prefix=US,
        key="diarrhea.grade2_intolerable",
        term_label="diarrhea",
        terms=("diarrhea",),
        condition=Condition(
            "intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)
        ),
        action=Action.WITHHOLD,
        summary=(
            "Intolerable grade 2 diarrhea: withhold until grade <= 1; resume at a dose reduced "
            "by 20 mg"
        ),
        source=ISI + " (current row not read: verification.md 3.4, covered by the general rule)",
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="diarrhea.grade3",
        term_label="diarrhea",
        terms=("diarrhea",),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 diarrhea: withhold until grade <= 1; resume at a dose reduced by 20 mg",
        source=ISI + " (current row not read: verification.md 3.4, covered by the general rule)",
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="ppe.grade2_intolerable",
        term_label="palmar-plantar erythrodysesthesia (PPE)",
        terms=("palmar_plantar_erythrodysesthesia_syndrome",),
        condition=Condition(
            "intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)
        ),
        action=Action.WITHHOLD,
        summary=(
            "Intolerable grade 2 PPE: withhold until improvement to grade 1; "
            "resume at a reduced dose"
        ),
        source="CABOMETYX US PI 2016, section 5.6",
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="ppe.grade3",
        term_label="palmar-plantar erythrodysesthesia (PPE)",
        terms=("palmar_plantar_erythrodysesthesia_syndrome",),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 PPE: withhold until improvement to grade 1; resume at a reduced dose",
        source="CABOMETYX US PI 2016, section 5.6",
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    proteinuria_screen_row(US),
    # --- General rule (verification.md 3.1: CONFIRMED) ------------------------
    row(
        prefix=US,
        key="general.grade2_intolerable",
        term_label="any adverse reaction",
        terms=(),
        condition=Condition(
            "intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)
        ),
        action=Action.WITHHOLD,
        summary=(
            "Intolerable grade 2 adverse reaction: withhold until return to baseline or grade 1; "
            "restart at a dose reduced by 20 mg"
        ),
        source=GENERAL,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
    ),
    row(
        prefix=US,
        key="general.grade3_4",
        term_label="any adverse reaction",
        terms=(),
        condition=Condition("grade 3 or 4", min_grade=3, max_grade=4),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 or 4 adverse reaction: withhold until return to baseline or grade 1; "
            "restart at a dose reduced by 20 mg"
        ),
        source=GENERAL,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
    ),
    grade5_row(US),
)

US_PI = RuleSet(
    drug=DRUG,
    rule_set="us_pi",
    label="CABOMETYX US PI",
    ladder=LADDER,
    starting_dose=60,
    lowest_dose="same_dose_once",
    lowest_dose_text=(
        "If previously receiving the lowest dose (20 mg), resume at the same dose; if the "
        "lowest dose is not tolerated (a further hold at 20 mg), discontinue"
    ),
    lowest_dose_source="Exelixis DTC dosing page (cabometyxhcp.com/dtc/dosing)",
    lowest_dose_citation="CABOMETYX DTC dosing (Exelixis): lowest dose not tolerated",
    rules=_US_RULES,
    notes=(
        "Adult ladder only; the pediatric < 40 kg ladder (40 / 20 / 20 mg every other day) "
        "is not modelled (verification.md 3.2, 5.2: to verify).",
        "Hypertension 'cannot be controlled' = grade 3 with optimal_antihypertensive_therapy "
        "and persistent both true; any other grade 3 is 'not adequately controlled'.",
        "Venous thromboembolism discontinues only at grade 4; grade 3 follows the general "
        "rule (verification.md 5.1).",
    ),
)

EU_SMPC = derive_rule_set(
    US_PI,
    rule_set="eu_smpc",
    label="CABOMETYX EU SmPC",
    rewrite=copied_from_us_label,
    notes=(
        US_PI.notes
        + (
            "EU rule set: a copy of the US rules. The EU general table (verification.md 4.4: "
            "intolerable grade 2 or grade 3 -> interrupt until grade <= 1, re-initiate reduced) "
            "gives the same actions; its grade 4 row and the EU DTC posology were not read in "
            "full, so every copied label row is unconfirmed and cites the US source it was "
            "copied from.",
        )
    ),
)
