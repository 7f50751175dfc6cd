"""NEXAVAR (sorafenib) dose-modification rules for differentiated thyroid cancer.

US PI rules (``US_PI``) per the CURRENT Table 2 (verification.md 2.1: the
asymptomatic grade 2 hypertension row of the 2020 label is gone), the
occurrence-based dermatologic table of the older labels with the DTC dose
levels (its DTC cells are unconfirmed: verification.md 2.2), and an EU set
(``EU_SMPC``) that is a programmatic copy: no EU difference is documented
(reference.md 2.2, "EU SmPC").
"""

from __future__ import annotations

from patients.dosing import DOSE_LADDERS
from toxicity.ctcae.terms import CARDIAC_ISCHEMIA_TERMS, GI_PERFORATION_TERMS, HEMORRHAGE_TERMS
from toxicity.rules._common import (
    GRADE_AT_MOST_1,
    copied_from_us_label,
    proteinuria_screen_row,
    row,
)
from toxicity.rules.model import Action, Condition, Recovery, RuleSet, derive_rule_set

__all__ = ["EU_SMPC", "US_PI"]

DRUG = "sorafenib"
US = f"{DRUG}.us_pi"

# patients/dosing.py: 800 (400 BID) -> 600 (400 + 200) -> 400 (200 BID) -> 200 mg.
LADDER = DOSE_LADDERS[DRUG]

HTN = ("hypertension",)
PPE = ("palmar_plantar_erythrodysesthesia_syndrome",)
QT = ("electrocardiogram_qt_corrected_interval_prolonged",)
TRANSAMINASES = ("alanine_aminotransferase_increased", "aspartate_aminotransferase_increased")

US_TABLE2 = "NEXAVAR US PI, Table 2"
PPE_SOURCE = (
    "NEXAVAR US PI (2005-2013), dermatologic toxicity table, with the DTC dose levels "
    "(DTC cells of the current Table 3 not read)"
)
OTHER_SOURCE = US_TABLE2 + ", other adverse reactions (row not read)"

# verification.md 2.1: "Interrupt until symptoms resolve and diastolic blood
# pressure less than 90 mm Hg, then resume at reduced dose by 1 dose level."
HTN_RECOVERY = Recovery(
    "dbp_below_symptoms_resolved", "symptoms resolved and DBP < 90 mmHg", dbp=90.0
)
HTN_TEXT = (
    "interrupt until symptoms resolve and diastolic BP < 90 mmHg, then resume one dose level "
    "lower (reduce another level if needed)"
)

# Rows with their own management: the "other adverse reactions" grade 2/3
# rows do not apply to them.
OTHER_AR_EXCLUDED = frozenset(HTN + PPE + QT) | GI_PERFORATION_TERMS | CARDIAC_ISCHEMIA_TERMS

_US_RULES = (
    # --- Table 2 rows CONFIRMED by verification.md 2.1 -----------------------
    row(
        prefix=US,
        key="cardiac_ischemia.grade2_plus",
        term_label="cardiac ischemia and/or infarction",
        terms=CARDIAC_ISCHEMIA_TERMS,
        condition=Condition("grade 2 or higher", min_grade=2),
        action=Action.DISCONTINUE,
        summary="Cardiac ischemia and/or infarction, grade 2 or higher: permanently discontinue",
        source=US_TABLE2,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="heart_failure.grade3",
        term_label="congestive heart failure",
        terms=("heart_failure",),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 congestive heart failure: interrupt until grade <= 1; "
            "resume one dose level lower"
        ),
        source=US_TABLE2,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="heart_failure.grade4",
        term_label="congestive heart failure",
        terms=("heart_failure",),
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 congestive heart failure: permanently discontinue",
        source=US_TABLE2,
        confirmed=True,
    ),
    # "Grade 2 and above requiring medical intervention": whether a grade 2
    # bleed required medical intervention is the clinician's call.
    row(
        prefix=US,
        key="hemorrhage.grade2",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 2 requiring medical intervention", min_grade=2, max_grade=2),
        action=Action.DISCONTINUE,
        summary=(
            "Grade 2 hemorrhage requiring medical intervention: permanently discontinue "
            "(clinician to confirm that medical intervention was required)"
        ),
        source=US_TABLE2,
        confirmed=True,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="hemorrhage.grade3_plus",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 3 or higher", min_grade=3),
        action=Action.DISCONTINUE,
        summary="Hemorrhage of grade 3 or higher: permanently discontinue",
        source=US_TABLE2,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="hypertension.grade2_symptomatic_or_persistent",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "grade 2 symptomatic or persistent",
            min_grade=2,
            max_grade=2,
            any_flags=("symptomatic", "persistent"),
        ),
        action=Action.WITHHOLD,
        summary="Grade 2 hypertension, symptomatic or persistent: " + HTN_TEXT,
        source=US_TABLE2,
        confirmed=True,
        recovery=HTN_RECOVERY,
    ),
    row(
        prefix=US,
        key="hypertension.grade3",
        term_label="hypertension",
        terms=HTN,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 hypertension: " + HTN_TEXT,
        source=US_TABLE2,
        confirmed=True,
        recovery=HTN_RECOVERY,
    ),
    row(
        prefix=US,
        key="hypertension.grade4",
        term_label="hypertension",
        terms=HTN,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 hypertension: permanently discontinue",
        source=US_TABLE2,
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
        source=US_TABLE2,
        confirmed=True,
    ),
    # --- Rows the current table has but no copy shows in full ---------------
    # verification.md 2.1 / 5.5: the severity cell is grade-based; do not encode
    # ms cut-offs as US label text.
    row(
        prefix=US,
        key="qt_prolongation.grade3",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 QT prolongation: interrupt and correct electrolytes; resume one dose level "
            "lower or discontinue (clinician)"
        ),
        source=US_TABLE2 + ", QT prolongation (row truncated in every copy read)",
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
        needs_review=True,
    ),
    # verification.md 2.1 / 5.4: "significantly increased transaminases without
    # alternative explanation" -> discontinue; no numbers in the label. Grade >= 3
    # as "significantly increased" is this rule set's reading.
    row(
        prefix=US,
        key="drug_induced_liver_injury.grade3_plus",
        term_label="drug-induced liver injury (ALT, AST)",
        terms=TRANSAMINASES,
        condition=Condition(
            "grade 3 or higher (significantly increased transaminases)", min_grade=3
        ),
        action=Action.DISCONTINUE,
        summary=(
            "Significantly increased transaminases without an alternative explanation (viral "
            "hepatitis, progressing malignancy): permanently discontinue (clinician to exclude "
            "other causes)"
        ),
        source="FDA safety labeling change for NEXAVAR, Aug 2012 (Table 2 cell not read)",
        confirmed=False,
        needs_review=True,
    ),
    # --- Dermatologic toxicity (occurrence-based; reference.md 2.2) ----------
    row(
        prefix=US,
        key="ppe.grade1",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition("grade 1, any occurrence", min_grade=1, max_grade=1),
        action=Action.CONTINUE,
        summary="Grade 1 hand-foot skin reaction: continue; consider topical therapy",
        source=PPE_SOURCE,
        confirmed=False,
    ),
    row(
        prefix=US,
        key="ppe.grade2_first",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition(
            "grade 2, 1st occurrence",
            min_grade=2,
            max_grade=2,
            max_occurrence=1,
            not_flags=("persistent",),
        ),
        action=Action.CONTINUE,
        summary=(
            "Grade 2 hand-foot skin reaction, 1st occurrence: continue with topical therapy and "
            "recheck within 7 days; if no improvement, interrupt until grade 0-1 and resume one "
            "dose level lower"
        ),
        source=PPE_SOURCE,
        confirmed=False,
    ),
    row(
        prefix=US,
        key="ppe.grade2_no_improvement",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition(
            "grade 2, 1st occurrence, no improvement within 7 days (flag `persistent`)",
            min_grade=2,
            max_grade=2,
            max_occurrence=1,
            all_flags=("persistent",),
        ),
        action=Action.WITHHOLD,
        summary=(
            "Grade 2 hand-foot skin reaction without improvement within 7 days: interrupt until "
            "grade 0-1; resume one dose level lower"
        ),
        source=PPE_SOURCE,
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="ppe.grade2_second_third",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition(
            "grade 2, 2nd or 3rd occurrence",
            min_grade=2,
            max_grade=2,
            min_occurrence=2,
            max_occurrence=3,
        ),
        action=Action.WITHHOLD,
        summary=(
            "Grade 2 hand-foot skin reaction, 2nd or 3rd occurrence: interrupt until grade 0-1; "
            "resume one dose level lower"
        ),
        source=PPE_SOURCE,
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="ppe.grade2_fourth",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition("grade 2, 4th occurrence", min_grade=2, max_grade=2, min_occurrence=4),
        action=Action.DISCONTINUE,
        summary="Grade 2 hand-foot skin reaction, 4th occurrence: discontinue",
        source=PPE_SOURCE,
        confirmed=False,
    ),
    row(
        prefix=US,
        key="ppe.grade3_first_second",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition(
            "grade 3, 1st or 2nd occurrence", min_grade=3, max_grade=3, max_occurrence=2
        ),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 hand-foot skin reaction, 1st or 2nd occurrence: interrupt until grade 0-1; "
            "resume one dose level lower"
        ),
        source=PPE_SOURCE,
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
    ),
    row(
        prefix=US,
        key="ppe.grade3_third",
        term_label="hand-foot skin reaction (PPE)",
        terms=PPE,
        condition=Condition("grade 3, 3rd occurrence", min_grade=3, max_grade=3, min_occurrence=3),
        action=Action.DISCONTINUE,
        summary="Grade 3 hand-foot skin reaction, 3rd occurrence: discontinue",
        source=PPE_SOURCE,
        confirmed=False,
    ),
    proteinuria_screen_row(US),
    # --- Other adverse reactions: row not read (verification.md 2.1) ---------
    row(
        prefix=US,
        key="other.grade2",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition(
            "persistent or intolerable grade 2",
            min_grade=2,
            max_grade=2,
            any_flags=("persistent", "intolerable"),
        ),
        action=Action.WITHHOLD,
        summary=(
            "Persistent or intolerable grade 2 adverse reaction: interrupt until grade <= 1; "
            "resume one dose level lower (clinician to confirm)"
        ),
        source=OTHER_SOURCE,
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
        needs_review=True,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    row(
        prefix=US,
        key="other.grade3",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 adverse reaction: interrupt until grade <= 1; resume one dose level lower "
            "(clinician to confirm)"
        ),
        source=OTHER_SOURCE,
        confirmed=False,
        recovery=GRADE_AT_MOST_1,
        needs_review=True,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    row(
        prefix=US,
        key="other.grade4",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition("grade 4 or 5", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 adverse reaction: discontinue (clinician to confirm)",
        source=OTHER_SOURCE,
        confirmed=False,
        needs_review=True,
        fallback=True,
    ),
)

US_PI = RuleSet(
    drug=DRUG,
    rule_set="us_pi",
    label="NEXAVAR US PI",
    ladder=LADDER,
    starting_dose=800,
    lowest_dose="policy",
    lowest_dose_text=(
        "200 mg once daily is the third and last DTC reduction: a toxicity that needs a "
        "further reduction leads to discontinuation, flagged for the oncologist's review "
        "(policy.md 4)"
    ),
    lowest_dose_source="policy.md 4; reference.md 2.0 point 4",
    lowest_dose_citation=(
        "project policy: 200 mg/day is the last DTC reduction in the label, so "
        "a further reduction means discontinuing, for the oncologist to review"
    ),
    rules=_US_RULES,
    notes=(
        "Doses are mg/day: 800 = 400 mg twice daily; 600 = 400 mg + 200 mg about 12 h "
        "apart; 400 = 200 mg twice daily; 200 = 200 mg once daily.",
        "No asymptomatic grade 2 hypertension row: the current table has none "
        "(verification.md 2.1, 5.3); treat it with antihypertensives as clinical practice.",
        "Occurrences (hand-foot table) count the earlier dose-modifying occurrences of the "
        "term given in the request's `occurrences`; this one is that count + 1.",
    ),
)

EU_SMPC = derive_rule_set(
    US_PI,
    rule_set="eu_smpc",
    label="NEXAVAR EU SmPC",
    rewrite=copied_from_us_label,
    notes=(
        US_PI.notes
        + (
            "EU rule set: a copy of the US rules. No EU SmPC text was read (reference.md 2.2: "
            "same start and DTC reduction scheme, unconfirmed for the SmPC), so every copied "
            "label row is unconfirmed and cites the US source it was copied from.",
        )
    ),
)
