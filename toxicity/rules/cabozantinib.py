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

from toxicity.ctcae.terms import (
    ARTERIAL_THROMBOEMBOLIC_TERMS,
    HEMORRHAGE_TERMS,
    VENOUS_THROMBOEMBOLIC_TERMS,
)
from toxicity.rules._common import (
    GRADE_0,
    GRADE_0_1_OR_BASELINE,
    GRADE_AT_MOST_1,
    grade5_row,
    proteinuria_screen_row,
    row,
)
from toxicity.rules.model import Condition, Recovery, RuleSet, derive_rule_set

__all__ = ["EU_SMPC", "US_PI"]

DRUG = "cabozantinib"
US = f"{DRUG}.us_pi"

# verification.md 3.2 (newer Exelixis DTC page): "Adult; pediatric >=40 kg":
# 60 mg daily, -1 40 mg, -2 20 mg. The pediatric < 40 kg ladder (40 / 20 /
# 20 mg every other day) is not modelled here.
LADDER = (60, 40, 20)

HTN = ("hypertension",)
DISCONTINUE_LIST = "CABOMETYX HCP dosing page (Exelixis, current): permanent discontinuation list"
GENERAL = "CABOMETYX US PI 09/2023, section 2 (general rule); Exelixis DTC dosing page"
ISI = "CABOMETYX Important Safety Information (Exelixis)"

HTN_CONTROLLED = Recovery("grade_at_most", "controlled (< 140/90 mmHg, grade <= 1)", grade=1)

_US_RULES = (
    # --- Permanent discontinuation (verification.md 3.3, 5.1) ---------------
    row(
        US,
        "hemorrhage.grade3_4",
        "hemorrhage (any CTCAE hemorrhage term)",
        HEMORRHAGE_TERMS,
        Condition("grade 3 or 4", min_grade=3),
        "discontinue",
        "Grade 3 or 4 hemorrhage: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "gastrointestinal_perforation.any_grade",
        "gastrointestinal perforation",
        ("gastrointestinal_perforation",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Gastrointestinal perforation: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "fistula.grade4",
        "fistula",
        ("fistula",),
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 fistula: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "myocardial_infarction.any_grade",
        "acute myocardial infarction",
        ("myocardial_infarction",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Acute myocardial infarction: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "cerebral_infarction.grade2_plus",
        "cerebral infarction",
        ("cerebral_infarction",),
        Condition("grade 2 or higher", min_grade=2),
        "discontinue",
        "Cerebral infarction of grade 2 or higher: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "arterial_thromboembolic_event.grade3_4",
        "arterial thromboembolic event",
        ARTERIAL_THROMBOEMBOLIC_TERMS,
        Condition("grade 3 or 4", min_grade=3),
        "discontinue",
        "Grade 3 or 4 arterial thromboembolic event: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "venous_thromboembolic_event.grade4",
        "venous thromboembolic event",
        VENOUS_THROMBOEMBOLIC_TERMS,
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 venous thromboembolic event: permanently discontinue (lower grades follow "
        "the general rule)",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "hypertension.grade4",
        "hypertension",
        HTN,
        Condition("grade 4 (hypertensive crisis)", min_grade=4),
        "discontinue",
        "Grade 4 hypertension or hypertensive crisis: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "hypertension.grade3_uncontrolled",
        "hypertension",
        HTN,
        Condition(
            "grade 3 that cannot be controlled (persistent despite optimal antihypertensive "
            "therapy)",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy", "persistent"),
        ),
        "discontinue",
        "Grade 3 hypertension that cannot be controlled: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
        needs_review=True,
    ),
    row(
        US,
        "nephrotic_syndrome.any_grade",
        "nephrotic syndrome",
        ("nephrotic_syndrome",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Nephrotic syndrome: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    row(
        US,
        "rpls.any_grade",
        "reversible posterior leukoencephalopathy syndrome",
        ("reversible_posterior_leukoencephalopathy_syndrome",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "RPLS: permanently discontinue",
        DISCONTINUE_LIST,
        confirmed=True,
    ),
    # --- Withhold rows -------------------------------------------------------
    row(
        US,
        "hypertension.grade3",
        "hypertension",
        HTN,
        Condition("grade 3 (not adequately controlled)", min_grade=3, max_grade=3),
        "withhold",
        "Hypertension not adequately controlled: withhold; resume at a dose reduced by 20 mg "
        "when controlled",
        ISI,
        confirmed=True,
        recovery=HTN_CONTROLLED,
    ),
    row(
        US,
        "osteonecrosis_of_jaw.any_grade",
        "osteonecrosis of the jaw",
        ("osteonecrosis_of_jaw",),
        Condition("any grade", min_grade=1, max_grade=4),
        "withhold",
        "Osteonecrosis of the jaw: withhold until complete resolution; resume at a dose "
        "reduced by 20 mg",
        "Exelixis HCP page (ONJ); " + GENERAL,
        confirmed=True,
        recovery=GRADE_0,
    ),
    row(
        US,
        "diarrhea.grade2_intolerable",
        "diarrhea",
        ("diarrhea",),
        Condition("intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)),
        "withhold",
        "Intolerable grade 2 diarrhea: withhold until grade <= 1; resume at a dose reduced "
        "by 20 mg",
        ISI,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        US,
        "diarrhea.grade3",
        "diarrhea",
        ("diarrhea",),
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 diarrhea: withhold until grade <= 1; resume at a dose reduced by 20 mg",
        ISI,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        US,
        "ppe.grade2_intolerable",
        "palmar-plantar erythrodysesthesia (PPE)",
        ("palmar_plantar_erythrodysesthesia_syndrome",),
        Condition("intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)),
        "withhold",
        "Intolerable grade 2 PPE: withhold until improvement to grade 1; resume at a reduced dose",
        "CABOMETYX US PI 2016, section 5.6",
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        US,
        "ppe.grade3",
        "palmar-plantar erythrodysesthesia (PPE)",
        ("palmar_plantar_erythrodysesthesia_syndrome",),
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 PPE: withhold until improvement to grade 1; resume at a reduced dose",
        "CABOMETYX US PI 2016, section 5.6",
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    proteinuria_screen_row(US),
    # --- General rule (verification.md 3.1: CONFIRMED) ------------------------
    row(
        US,
        "general.grade2_intolerable",
        "any adverse reaction",
        (),
        Condition("intolerable grade 2", min_grade=2, max_grade=2, all_flags=("intolerable",)),
        "withhold",
        "Intolerable grade 2 adverse reaction: withhold until return to baseline or grade 1; "
        "restart at a dose reduced by 20 mg",
        GENERAL,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
    ),
    row(
        US,
        "general.grade3_4",
        "any adverse reaction",
        (),
        Condition("grade 3 or 4", min_grade=3, max_grade=4),
        "withhold",
        "Grade 3 or 4 adverse reaction: withhold until return to baseline or grade 1; "
        "restart at a dose reduced by 20 mg",
        GENERAL,
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
    notes=US_PI.notes
    + (
        "EU rule set: a copy of the US rules. The EU general table (verification.md 4.4: "
        "intolerable grade 2 or grade 3 -> interrupt until grade <= 1, re-initiate reduced) "
        "gives the same actions; its grade 4 row and the EU DTC posology were not read in "
        "full.",
    ),
)
