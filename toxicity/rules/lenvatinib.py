"""LENVIMA (lenvatinib) dose-modification rules for differentiated thyroid cancer.

US PI rules first (``US_PI``), then the EU SmPC set (``EU_SMPC``) derived from
it with the EU differences. Sources: reference.md 2.0-2.1, verification.md 1.x
and 4.x (its section 5 wins), policy.md. Rows that reference.md tags [U] (or
that verification.md lists as STILL UNCONFIRMED) carry ``confirmed=False``.
"""

from __future__ import annotations

from toxicity.ctcae.terms import ARTERIAL_THROMBOEMBOLIC_TERMS, HEMORRHAGE_TERMS
from toxicity.rules._common import (
    GRADE_0,
    GRADE_0_1_OR_BASELINE,
    GRADE_AT_MOST_1,
    GRADE_AT_MOST_2,
    proteinuria_screen_row,
    row,
)
from toxicity.rules.model import Condition, Recovery, RuleSet, derive_rule_set

__all__ = ["EU_SMPC", "US_PI"]

DRUG = "lenvatinib"
US = f"{DRUG}.us_pi"
EU = f"{DRUG}.eu_smpc"

# reference.md 2.1 "Dose levels (DTC)": 24 -> 20 -> 14 -> 10 mg once daily
# [S: Medscape, Skyscape; L-2018 names Table 2]; EU SmPC the same levels
# (verification.md 1.3: CONFIRMED (secondary, US) and CONFIRMED-EU).
LADDER = (24, 20, 14, 10)

HTN = ("hypertension",)
CARDIAC = ("heart_failure", "ejection_fraction_decreased")
HEPATIC = (
    "alanine_aminotransferase_increased",
    "aspartate_aminotransferase_increased",
    "blood_bilirubin_increased",
)
RENAL = ("creatinine_increased", "acute_kidney_injury")
QT = ("electrocardiogram_qt_corrected_interval_prolonged",)
GI_SUPPORTIVE = ("diarrhea", "nausea", "vomiting")

# Terms whose own rows define their management, so the "other adverse
# reactions" grade 2/3 rows do not apply to them: hypertension (grade 2 is
# tolerated: resume criterion "<= Grade 2"), proteinuria (24-h rows only,
# policy.md 6), QTc (its own ms threshold) and the any-grade label events.
# Hepatic, renal, cardiac and hemorrhage terms stay covered at grade 2
# (reference.md scenario 31: "apply the other-AR rule only if persistent or
# intolerable").
OTHER_AR_EXCLUDED = (
    frozenset(
        HTN
        + QT
        + (
            "proteinuria",
            "nephrotic_syndrome",
            "gastrointestinal_perforation",
            "fistula",
            "reversible_posterior_leukoencephalopathy_syndrome",
            "hepatic_failure",
        )
    )
    | ARTERIAL_THROMBOEMBOLIC_TERMS
)

# Sources as the documents name them.
US_TABLE1 = "LENVIMA US PI, section 2, Table 1"
US_2015 = "LENVIMA US PI 02/2015, section 2.2"
US_2016_GI = "LENVIMA US PI 05/2016, section 5.8"
US_2016_QT = "LENVIMA US PI 05/2016, section 5.9"
US_2016_GI_MANAGEMENT = "LENVIMA US PI 05/2016, section 5.7"
US_ISI = "LENVIMA Important Safety Information (Eisai, current)"
EU_TABLE3 = "LENVIMA EU SmPC, section 4.2, Table 3"
EU_HTN = "LENVIMA EU SmPC, section 4.4, hypertension management table"
EU_42 = "LENVIMA EU SmPC, section 4.2"

WITHHOLD_REVIEW_TEXT = (
    "withhold until grade 0-1 or baseline; then resume at a reduced dose or discontinue "
    "depending on severity and persistence"
)

# policy.md 6 / verification.md 1.2: resume only at < 2.0 g/24 h (the value is
# PolicySettings.proteinuria_resume_below_g_24h).
PROTEIN_RECOVERY = Recovery("urine_protein_below", "24-h urine protein < 2.0 g", value=2.0)
# verification.md 1.2 "Engine rule: resume at <480 ms or baseline".
QTC_RECOVERY = Recovery("qtc_below_or_baseline", "QTc < 480 ms or baseline", value=480.0)
# verification.md 4.1 / policy.md 1: EU resume after a hypertension hold.
EU_BP_RECOVERY = Recovery(
    "bp_at_most_on_stable_therapy",
    "SBP <= 150 and DBP <= 95 mmHg on a stable antihypertensive dose for >= 48 h",
    sbp=150.0,
    dbp=95.0,
    hours=48.0,
)

_US_RULES = (
    # --- Hypertension -------------------------------------------------------
    # verification.md 1.2: CONFIRMED (2018 table).
    row(
        US,
        "hypertension.grade3",
        "hypertension",
        HTN,
        Condition(
            "grade 3 persisting despite optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy",),
        ),
        "withhold",
        "Grade 3 persisting despite optimal antihypertensive therapy",
        US_TABLE1,
        confirmed=True,
        recovery=GRADE_AT_MOST_2,
    ),
    # policy.md 5: a first grade 3 without optimal therapy is not a hold.
    row(
        US,
        "hypertension.grade3_without_optimal_therapy",
        "hypertension",
        HTN,
        Condition(
            "grade 3 without optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            not_flags=("optimal_antihypertensive_therapy",),
        ),
        "continue",
        "Grade 3 without optimal antihypertensive therapy yet: continue, start or intensify "
        "antihypertensives and recheck",
        "policy.md 5 (the label withholds only for Grade 3 persisting despite optimal "
        "antihypertensive therapy)",
        confirmed=True,
        needs_review=True,
    ),
    row(
        US,
        "hypertension.grade4",
        "hypertension",
        HTN,
        Condition("grade 4 (life-threatening)", min_grade=4),
        "discontinue",
        "Grade 4 (life-threatening) hypertension: permanently discontinue",
        US_TABLE1,
        confirmed=True,
    ),
    # --- Cardiac dysfunction, hemorrhage (verification.md 1.2: CONFIRMED-OLDER) -
    row(
        US,
        "cardiac_dysfunction.grade3",
        "cardiac dysfunction",
        CARDIAC,
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 cardiac dysfunction: " + WITHHOLD_REVIEW_TEXT,
        US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        US,
        "cardiac_dysfunction.grade4",
        "cardiac dysfunction",
        CARDIAC,
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 cardiac dysfunction: discontinue",
        US_2015,
        confirmed=True,
    ),
    row(
        US,
        "hemorrhage.grade3",
        "hemorrhage (any CTCAE hemorrhage term)",
        HEMORRHAGE_TERMS,
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 hemorrhage: " + WITHHOLD_REVIEW_TEXT,
        US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        US,
        "hemorrhage.grade4",
        "hemorrhage (any CTCAE hemorrhage term)",
        HEMORRHAGE_TERMS,
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 hemorrhage: discontinue",
        US_2015,
        confirmed=True,
    ),
    # verification.md 1.2: arterial thromboembolic event CONFIRMED (current ISI).
    row(
        US,
        "arterial_thromboembolic_event.any_grade",
        "arterial thromboembolic event",
        ARTERIAL_THROMBOEMBOLIC_TERMS,
        Condition("any grade", min_grade=1),
        "discontinue",
        "Arterial thromboembolic event (any grade): permanently discontinue; the safety of "
        "resuming has not been established",
        US_ISI,
        confirmed=True,
    ),
    # --- Hepatotoxicity, renal (verification.md 1.2: CONFIRMED-OLDER) --------
    row(
        US,
        "hepatotoxicity.grade3_4",
        "hepatotoxicity (ALT, AST, bilirubin)",
        HEPATIC,
        Condition("grade 3 or 4", min_grade=3, max_grade=4),
        "withhold",
        "Grade 3 or 4 hepatotoxicity: " + WITHHOLD_REVIEW_TEXT,
        US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        US,
        "hepatic_failure.any_grade",
        "hepatic failure",
        ("hepatic_failure",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Hepatic failure: discontinue",
        US_2015,
        confirmed=True,
    ),
    row(
        US,
        "renal.grade3_4",
        "renal failure or impairment",
        RENAL,
        Condition("grade 3 or 4", min_grade=3, max_grade=4),
        "withhold",
        "Grade 3 or 4 renal failure or impairment: " + WITHHOLD_REVIEW_TEXT,
        US_2015 + "; LENVIMA US PI 05/2016, section 5.7",
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    # --- Proteinuria --------------------------------------------------------
    # verification.md 1.2: threshold CONFIRMED-EU; US row never read.
    row(
        US,
        "proteinuria.24h_2g",
        "proteinuria",
        ("proteinuria",),
        Condition(
            "24-h urine protein >= 2.0 g",
            min_grade=0,
            measure="urine_protein_g_24h",
            op=">=",
            threshold=2.0,
            grade_if_unmeasured=False,
        ),
        "withhold",
        "24-h urine protein >= 2 g: withhold until < 2 g/24 h, then resume at a reduced dose",
        US_TABLE1 + " (US row not read; threshold and resume criterion as in " + EU_TABLE3 + ")",
        confirmed=False,
        recovery=PROTEIN_RECOVERY,
    ),
    proteinuria_screen_row(US),
    row(
        US,
        "nephrotic_syndrome.any_grade",
        "nephrotic syndrome",
        ("nephrotic_syndrome",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Nephrotic syndrome: permanently discontinue",
        US_TABLE1 + " (US row not read)",
        confirmed=False,
    ),
    # --- GI perforation, fistula (verification.md 1.2: CONFIRMED-OLDER US) ---
    row(
        US,
        "gastrointestinal_perforation.any_grade",
        "gastrointestinal perforation",
        ("gastrointestinal_perforation",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Gastrointestinal perforation: discontinue",
        US_2016_GI,
        confirmed=True,
    ),
    row(
        US,
        "fistula.grade4",
        "fistula",
        ("fistula",),
        Condition("grade 4 (life-threatening)", min_grade=4),
        "discontinue",
        "Life-threatening fistula: discontinue",
        US_2016_GI,
        confirmed=True,
    ),
    row(
        US,
        "fistula.grade3",
        "fistula",
        ("fistula",),
        Condition("grade 3", min_grade=3, max_grade=3),
        "discontinue",
        "Grade 3 fistula: discontinue",
        US_TABLE1 + " (grade 3-4 wording not read)",
        confirmed=False,
    ),
    # --- QT prolongation (verification.md 1.2: US current STILL UNCONFIRMED) --
    row(
        US,
        "qt_prolongation.qtc_above_500",
        "QT prolongation",
        QT,
        Condition(
            "QTc > 500 ms (grade 3 when no QTc value is given)",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op=">",
            threshold=500.0,
        ),
        "withhold",
        "QTc > 500 ms: withhold and correct electrolytes; resume at a reduced dose when QTc "
        "< 480 ms or baseline",
        US_TABLE1 + " (current US criteria not read; as in " + EU_TABLE3 + ")",
        confirmed=False,
        recovery=QTC_RECOVERY,
    ),
    row(
        US,
        "qt_prolongation.monitor",
        "QT prolongation",
        QT,
        Condition("grade 1-2 (QTc <= 500 ms)", min_grade=1, max_grade=2),
        "continue",
        "QTc prolonged but not above 500 ms: continue; monitor and correct electrolytes; ECG "
        "follow-up",
        US_2016_QT,
        confirmed=True,
    ),
    row(
        US,
        "qt_prolongation.rise_above_60ms",
        "QT prolongation",
        QT,
        Condition(
            "grade 3 from a > 60 ms rise over baseline with QTc <= 500 ms",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op="<=",
            threshold=500.0,
            grade_if_unmeasured=False,
        ),
        "continue",
        "QTc rise > 60 ms from baseline without QTc > 500 ms: continue, correct electrolytes "
        "and repeat the ECG; clinician to review (the US criterion may include a > 60 ms rise)",
        US_TABLE1 + " (current US criteria not read)",
        confirmed=False,
        needs_review=True,
    ),
    # --- RPLS (verification.md 1.2: CONFIRMED-OLDER US: withhold until resolved)
    row(
        US,
        "rpls.any_grade",
        "reversible posterior leukoencephalopathy syndrome",
        ("reversible_posterior_leukoencephalopathy_syndrome",),
        Condition("any grade", min_grade=1, max_grade=4),
        "withhold",
        "RPLS: withhold until fully resolved; resuming at a reduced dose or discontinuing is "
        "the clinician's decision",
        "LENVIMA US PI 02/2015, Highlights (5.10)",
        confirmed=True,
        recovery=GRADE_0,
        needs_review=True,
    ),
    # --- Supportive care first (reference.md 2.0 point 6) ---------------------
    row(
        US,
        "gi_symptoms.supportive_care",
        "diarrhea, nausea, vomiting",
        GI_SUPPORTIVE,
        Condition(
            "grade 1-2, neither persistent nor intolerable",
            min_grade=1,
            max_grade=2,
            not_flags=("persistent", "intolerable"),
        ),
        "continue",
        "Continue; start active management (antidiarrheals, antiemetics, hydration); modify "
        "the dose only if persistent or intolerable",
        US_2016_GI_MANAGEMENT,
        confirmed=True,
    ),
    # --- Other adverse reactions (verification.md 1.2: US wording STILL
    # UNCONFIRMED; [S] Skyscape) ----------------------------------------------
    row(
        US,
        "other.grade2",
        "other adverse reactions",
        (),
        Condition(
            "persistent or intolerable grade 2",
            min_grade=2,
            max_grade=2,
            any_flags=("persistent", "intolerable"),
        ),
        "withhold",
        "Persistent or intolerable grade 2 adverse reaction: withhold until grade 0-1 or "
        "baseline; resume at a reduced dose",
        US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    row(
        US,
        "other.grade3",
        "other adverse reactions",
        (),
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 adverse reaction: withhold until grade 0-1 or baseline; resume at a reduced dose",
        US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    row(
        US,
        "other.grade4",
        "other adverse reactions",
        (),
        Condition("grade 4 or 5", min_grade=4),
        "discontinue",
        "Grade 4 adverse reaction: permanently discontinue (a grade 4 laboratory abnormality "
        "judged non-life-threatening may be managed as grade 3: clinician to decide)",
        US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        needs_review=True,
        fallback=True,
    ),
)

US_PI = RuleSet(
    drug=DRUG,
    rule_set="us_pi",
    label="LENVIMA US PI",
    ladder=LADDER,
    starting_dose=24,
    lowest_dose="policy",
    lowest_dose_text=(
        "No level below 10 mg in the label: a toxicity that needs a further reduction leads "
        "to discontinuation, flagged for the oncologist's review (policy.md 4)"
    ),
    lowest_dose_source="policy.md 4; reference.md 2.0 point 4",
    rules=_US_RULES,
    notes=(
        "Severity grades in the label table are CTCAE v4.0 [unconfirmed]; the app grades "
        "with CTCAE v5.0 (reference.md 0).",
        "Second and third occurrences refer to the same or a different adverse reaction; "
        "each hold leads to one reduction of one level (policy.md 2-3).",
    ),
)


# ---------------------------------------------------------------------------
# EU SmPC: derived from the US set; the differences of verification.md 4.x and
# 5.7-5.8 replace the US rows.
# ---------------------------------------------------------------------------

_EU_REPLACE = {
    "hypertension.grade3": row(
        EU,
        "hypertension.grade3",
        "hypertension",
        HTN,
        Condition(
            "SBP >= 160 or DBP >= 100 despite optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy",),
        ),
        "withhold",
        "SBP >= 160 or DBP >= 100 mmHg despite optimal antihypertensive therapy",
        EU_HTN,
        confirmed=True,
        recovery=EU_BP_RECOVERY,
    ),
    "hypertension.grade3_without_optimal_therapy": row(
        EU,
        "hypertension.grade3_without_optimal_therapy",
        "hypertension",
        HTN,
        Condition(
            "grade 3 without optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            not_flags=("optimal_antihypertensive_therapy",),
        ),
        "continue",
        "Grade 3 without optimal antihypertensive therapy yet: continue, start or intensify "
        "antihypertensives and recheck",
        "policy.md 5 (the EU table withholds only despite optimal antihypertensive therapy)",
        confirmed=True,
        needs_review=True,
    ),
    "hypertension.grade4": (
        row(
            EU,
            "hypertension.grade2",
            "hypertension",
            HTN,
            Condition("SBP 140 to < 160 or DBP 90 to < 100 (grade 2)", min_grade=2, max_grade=2),
            "continue",
            "SBP 140-159 or DBP 90-99 mmHg: continue; initiate, increase or add "
            "antihypertensive therapy",
            EU_HTN,
            confirmed=True,
        ),
        row(
            EU,
            "hypertension.grade4",
            "hypertension",
            HTN,
            Condition(
                "life-threatening (malignant hypertension, neurological deficit, hypertensive "
                "crisis)",
                min_grade=4,
            ),
            "discontinue",
            "Life-threatening hypertension: urgent intervention; discontinue",
            EU_HTN,
            confirmed=True,
        ),
    ),
    "cardiac_dysfunction.grade3": row(
        EU,
        "cardiac_dysfunction.grade3",
        "cardiac dysfunction",
        CARDIAC,
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 cardiac dysfunction: interrupt until grade 0-1 or baseline; resume at a "
        "reduced dose",
        EU_TABLE3,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
    ),
    "cardiac_dysfunction.grade4": row(
        EU,
        "cardiac_dysfunction.grade4",
        "cardiac dysfunction",
        CARDIAC,
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 cardiac dysfunction: discontinue",
        EU_TABLE3,
        confirmed=True,
    ),
    "hemorrhage.grade3": row(
        EU,
        "hemorrhage.grade3",
        "hemorrhage (any CTCAE hemorrhage term)",
        HEMORRHAGE_TERMS,
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 hemorrhage: interrupt until grade 0-1; resume at a reduced dose",
        EU_TABLE3,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    "hemorrhage.grade4": row(
        EU,
        "hemorrhage.grade4",
        "hemorrhage (any CTCAE hemorrhage term)",
        HEMORRHAGE_TERMS,
        Condition("grade 4", min_grade=4),
        "discontinue",
        "Grade 4 hemorrhage: discontinue",
        EU_TABLE3,
        confirmed=True,
    ),
    "arterial_thromboembolic_event.any_grade": row(
        EU,
        "arterial_thromboembolic_event.any_grade",
        "arterial thromboembolic event",
        ARTERIAL_THROMBOEMBOLIC_TERMS,
        Condition("any grade", min_grade=1),
        "discontinue",
        "Arterial thromboembolic event (any grade): discontinue",
        EU_TABLE3,
        confirmed=True,
    ),
    "hepatotoxicity.grade3_4": (
        row(
            EU,
            "hepatotoxicity.grade3",
            "hepatotoxicity (ALT, AST, bilirubin)",
            HEPATIC,
            Condition("grade 3", min_grade=3, max_grade=3),
            "withhold",
            "Grade 3 hepatotoxicity: interrupt until grade 0-1 or baseline; resume at a "
            "reduced dose",
            EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            EU,
            "hepatotoxicity.grade4",
            "hepatotoxicity (ALT, AST, bilirubin)",
            HEPATIC,
            Condition("grade 4", min_grade=4),
            "discontinue",
            "Grade 4 hepatotoxicity: discontinue (a grade 4 laboratory abnormality judged "
            "non-life-threatening may be managed as grade 3: clinician to decide)",
            EU_TABLE3,
            confirmed=True,
            needs_review=True,
        ),
    ),
    "hepatic_failure.any_grade": row(
        EU,
        "hepatic_failure.any_grade",
        "hepatic failure",
        ("hepatic_failure",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Hepatic failure: discontinue (US rule applied: no EU row seen)",
        US_2015,
        confirmed=True,
    ),
    "renal.grade3_4": (
        row(
            EU,
            "renal.grade3",
            "renal failure or impairment",
            RENAL,
            Condition("grade 3", min_grade=3, max_grade=3),
            "withhold",
            "Grade 3 renal failure or impairment: interrupt until grade 0-1 or baseline; "
            "resume at a reduced dose",
            EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            EU,
            "renal.grade4",
            "renal failure or impairment",
            RENAL,
            Condition("grade 4", min_grade=4),
            "discontinue",
            "Grade 4 renal failure or impairment: discontinue (a grade 4 laboratory "
            "abnormality judged non-life-threatening may be managed as grade 3: clinician to "
            "decide)",
            EU_TABLE3,
            confirmed=True,
            needs_review=True,
        ),
    ),
    "proteinuria.24h_2g": row(
        EU,
        "proteinuria.24h_2g",
        "proteinuria",
        ("proteinuria",),
        Condition(
            "24-h urine protein >= 2.0 g",
            min_grade=0,
            measure="urine_protein_g_24h",
            op=">=",
            threshold=2.0,
            grade_if_unmeasured=False,
        ),
        "withhold",
        "24-h urine protein >= 2 g: interrupt until < 2 g/24 h, then resume at a reduced dose",
        EU_TABLE3,
        confirmed=True,
        recovery=PROTEIN_RECOVERY,
    ),
    "nephrotic_syndrome.any_grade": row(
        EU,
        "nephrotic_syndrome.any_grade",
        "nephrotic syndrome",
        ("nephrotic_syndrome",),
        Condition("any grade", min_grade=1),
        "discontinue",
        "Nephrotic syndrome: discontinue; do not restart",
        EU_TABLE3,
        confirmed=True,
    ),
    # verification.md 5.7: the EU label interrupts (does not discontinue) G3 GI
    # perforation or fistula.
    "gastrointestinal_perforation.any_grade": (
        row(
            EU,
            "gi_perforation_fistula.grade3",
            "gastrointestinal perforation or fistula",
            ("gastrointestinal_perforation", "fistula"),
            Condition("grade 3", min_grade=3, max_grade=3),
            "withhold",
            "Grade 3 GI perforation or fistula: interrupt until grade 0-1 or baseline; resume "
            "at a reduced dose",
            EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            EU,
            "gi_perforation_fistula.grade4",
            "gastrointestinal perforation or fistula",
            ("gastrointestinal_perforation", "fistula"),
            Condition("grade 4", min_grade=4),
            "discontinue",
            "Grade 4 GI perforation or fistula (or non-GI fistula): discontinue",
            EU_TABLE3,
            confirmed=True,
        ),
    ),
    "qt_prolongation.qtc_above_500": row(
        EU,
        "qt_prolongation.qtc_above_500",
        "QT prolongation",
        QT,
        Condition(
            "QTc > 500 ms (grade 3 when no QTc value is given)",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op=">",
            threshold=500.0,
        ),
        "withhold",
        "QTc > 500 ms: interrupt and correct electrolytes; resume at a reduced dose when QTc "
        "< 480 ms or baseline",
        EU_TABLE3,
        confirmed=True,
        recovery=QTC_RECOVERY,
    ),
    "qt_prolongation.rise_above_60ms": row(
        EU,
        "qt_prolongation.rise_above_60ms",
        "QT prolongation",
        QT,
        Condition(
            "grade 3 from a > 60 ms rise over baseline with QTc <= 500 ms",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op="<=",
            threshold=500.0,
            grade_if_unmeasured=False,
        ),
        "continue",
        "QTc rise > 60 ms from baseline without QTc > 500 ms (the EU threshold): continue, "
        "correct electrolytes and repeat the ECG; clinician to review",
        EU_TABLE3,
        confirmed=True,
        needs_review=True,
    ),
    "rpls.any_grade": row(
        EU,
        "rpls.any_grade",
        "reversible posterior leukoencephalopathy syndrome",
        ("reversible_posterior_leukoencephalopathy_syndrome",),
        Condition("any grade", min_grade=1, max_grade=4),
        "withhold",
        "PRES/RPLS: interrupt; consider resuming at a reduced dose once grade 0-1",
        EU_TABLE3,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
        needs_review=True,
    ),
    "gi_symptoms.supportive_care": row(
        EU,
        "gi_symptoms.supportive_care",
        "diarrhea, nausea, vomiting",
        GI_SUPPORTIVE,
        Condition(
            "grade 1-2, neither persistent nor intolerable",
            min_grade=1,
            max_grade=2,
            not_flags=("persistent", "intolerable"),
        ),
        "continue",
        "Continue; start medical management of nausea, vomiting or diarrhea before any "
        "interruption or dose reduction",
        EU_42 + " (Skyscape monograph)",
        confirmed=True,
    ),
    "other.grade2": row(
        EU,
        "other.grade2",
        "other adverse reactions",
        (),
        Condition(
            "persistent or intolerable grade 2",
            min_grade=2,
            max_grade=2,
            any_flags=("persistent", "intolerable"),
        ),
        "withhold",
        "Intolerable grade 2 adverse reaction: interrupt until grade 0-1 or baseline; resume "
        "at a reduced dose",
        EU_42,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    "other.grade3": row(
        EU,
        "other.grade3",
        "other adverse reactions",
        (),
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Severe (grade 3) adverse reaction: interrupt until grade 0-1 or baseline; resume at "
        "a reduced dose",
        EU_42,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    "other.grade4": row(
        EU,
        "other.grade4",
        "other adverse reactions",
        (),
        Condition("grade 4 or 5", min_grade=4),
        "discontinue",
        "Life-threatening (grade 4) reaction: discontinue, except laboratory abnormalities "
        "judged non-life-threatening, which are managed as grade 3 (clinician to decide)",
        EU_TABLE3 + " footnote; Eisai PH PI (SmPC-based), dosage and administration",
        confirmed=True,
        needs_review=True,
        fallback=True,
    ),
}

# verification.md 5.7: the EU label has explicit diarrhea rows.
_EU_ADD = (
    row(
        EU,
        "diarrhea.grade3",
        "diarrhea",
        ("diarrhea",),
        Condition("grade 3", min_grade=3, max_grade=3),
        "withhold",
        "Grade 3 diarrhea: interrupt until grade 0-1 or baseline; resume at a reduced dose",
        EU_TABLE3,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
    ),
    row(
        EU,
        "diarrhea.grade4",
        "diarrhea",
        ("diarrhea",),
        Condition("grade 4 (despite treatment)", min_grade=4),
        "discontinue",
        "Grade 4 diarrhea despite treatment: discontinue",
        EU_TABLE3,
        confirmed=True,
    ),
)

EU_SMPC = derive_rule_set(
    US_PI,
    rule_set="eu_smpc",
    label="LENVIMA EU SmPC",
    replace_rules=_EU_REPLACE,
    add_rules=_EU_ADD,
    drop_rules=("fistula.grade4", "fistula.grade3"),
    notes=(
        "Derived from the US PI rule set; EU rows from the SmPC Table 3 and the "
        "hypertension table (verification.md 4.1, 4.3, 5.7, 5.8). The EU hypertension band "
        "has strict upper bounds (< 160 / < 100).",
        "The SmPC says further reductions below 10 mg are considered individually "
        "(verification.md 4.2); the project discontinues with review (policy.md 4).",
    ),
)
