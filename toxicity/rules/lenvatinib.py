"""LENVIMA (lenvatinib) dose-modification rules for differentiated thyroid cancer.

US PI rules first (``US_PI``), then the EU SmPC set (``EU_SMPC``) derived from
it with the EU differences. Sources: reference.md 2.0-2.1, verification.md 1.x
and 4.x (its section 5 wins), policy.md. Rows that reference.md tags [U] (or
that verification.md lists as STILL UNCONFIRMED) carry ``confirmed=False``.
"""

from __future__ import annotations

from patients.dosing import DOSE_LADDERS
from toxicity.ctcae.terms import (
    ARTERIAL_THROMBOEMBOLIC_TERMS,
    FISTULA_TERMS,
    GI_FISTULA_TERMS,
    GI_PERFORATION_TERMS,
    HEMORRHAGE_TERMS,
    LABORATORY_TERMS,
    NON_GI_FISTULA_TERMS,
)
from toxicity.rules._common import (
    GRADE_0,
    GRADE_0_1_OR_BASELINE,
    GRADE_AT_MOST_1,
    GRADE_AT_MOST_2,
    grade5_row,
    proteinuria_screen_row,
    row,
)
from toxicity.rules.model import Action, Condition, Recovery, Rule, RuleSet, derive_rule_set

__all__ = ["EU_SMPC", "US_PI"]

DRUG = "lenvatinib"
US = f"{DRUG}.us_pi"
EU = f"{DRUG}.eu_smpc"

# patients/dosing.py: 24 -> 20 -> 14 -> 10 mg once daily, US and EU alike.
LADDER = DOSE_LADDERS[DRUG]

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
            "reversible_posterior_leukoencephalopathy_syndrome",
            "hepatic_failure",
        )
    )
    | ARTERIAL_THROMBOEMBOLIC_TERMS
    | GI_PERFORATION_TERMS
    | FISTULA_TERMS
)

# Laboratory terms without a row of their own: a grade 4 value is withheld, not
# discontinued (US Table 1 "Other ARs ... Grade 4 laboratory abnormality").
# ALT/AST/bilirubin (hepatotoxicity) and creatinine (renal) have their own rows.
OTHER_LAB_TERMS = LABORATORY_TERMS - frozenset(
    (
        "alanine_aminotransferase_increased",
        "aspartate_aminotransferase_increased",
        "blood_bilirubin_increased",
        "creatinine_increased",
    )
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
        prefix=US,
        key="hypertension.grade3",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "grade 3 persisting despite optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy",),
        ),
        action=Action.WITHHOLD,
        summary="Grade 3 persisting despite optimal antihypertensive therapy",
        source=US_TABLE1,
        confirmed=True,
        recovery=GRADE_AT_MOST_2,
    ),
    # policy.md 5: a first grade 3 without optimal therapy is not a hold.
    row(
        prefix=US,
        key="hypertension.grade3_without_optimal_therapy",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "grade 3 without optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            not_flags=("optimal_antihypertensive_therapy",),
        ),
        action=Action.CONTINUE,
        summary=(
            "Grade 3 without optimal antihypertensive therapy yet: continue, start or intensify "
            "antihypertensives and recheck"
        ),
        source=(
            "policy.md 5 (the label withholds only for Grade 3 persisting despite optimal "
            "antihypertensive therapy)"
        ),
        citation=(
            "project policy: grade 3 hypertension is withheld only when it persists despite "
            "optimal antihypertensive therapy"
        ),
        confirmed=True,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="hypertension.grade4",
        term_label="hypertension",
        terms=HTN,
        condition=Condition("grade 4 (life-threatening)", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 (life-threatening) hypertension: permanently discontinue",
        source=US_TABLE1,
        confirmed=True,
    ),
    # --- Cardiac dysfunction, hemorrhage (verification.md 1.2: CONFIRMED-OLDER) -
    row(
        prefix=US,
        key="cardiac_dysfunction.grade3",
        term_label="cardiac dysfunction",
        terms=CARDIAC,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 cardiac dysfunction: " + WITHHOLD_REVIEW_TEXT,
        source=US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="cardiac_dysfunction.grade4",
        term_label="cardiac dysfunction",
        terms=CARDIAC,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 cardiac dysfunction: discontinue",
        source=US_2015,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="hemorrhage.grade3",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 hemorrhage: " + WITHHOLD_REVIEW_TEXT,
        source=US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="hemorrhage.grade4",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 hemorrhage: discontinue",
        source=US_2015,
        confirmed=True,
    ),
    # verification.md 1.2: arterial thromboembolic event CONFIRMED (current ISI).
    row(
        prefix=US,
        key="arterial_thromboembolic_event.any_grade",
        term_label="arterial thromboembolic event",
        terms=ARTERIAL_THROMBOEMBOLIC_TERMS,
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary=(
            "Arterial thromboembolic event (any grade): permanently discontinue; the safety of "
            "resuming has not been established"
        ),
        source=US_ISI,
        confirmed=True,
    ),
    # --- Hepatotoxicity, renal (verification.md 1.2: CONFIRMED-OLDER) --------
    row(
        prefix=US,
        key="hepatotoxicity.grade3_4",
        term_label="hepatotoxicity (ALT, AST, bilirubin)",
        terms=HEPATIC,
        condition=Condition("grade 3 or 4", min_grade=3, max_grade=4),
        action=Action.WITHHOLD,
        summary="Grade 3 or 4 hepatotoxicity: " + WITHHOLD_REVIEW_TEXT,
        source=US_2015,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    row(
        prefix=US,
        key="hepatic_failure.any_grade",
        term_label="hepatic failure",
        terms=("hepatic_failure",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Hepatic failure: discontinue",
        source=US_2015,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="renal.grade3_4",
        term_label="renal failure or impairment",
        terms=RENAL,
        condition=Condition("grade 3 or 4", min_grade=3, max_grade=4),
        action=Action.WITHHOLD,
        summary="Grade 3 or 4 renal failure or impairment: " + WITHHOLD_REVIEW_TEXT,
        source=US_2015 + "; LENVIMA US PI 05/2016, section 5.7",
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        needs_review=True,
    ),
    # --- Proteinuria --------------------------------------------------------
    # verification.md 1.2: threshold CONFIRMED-EU; US row never read.
    row(
        prefix=US,
        key="proteinuria.24h_2g",
        term_label="proteinuria",
        terms=("proteinuria",),
        condition=Condition(
            "24-h urine protein >= 2.0 g",
            min_grade=0,
            measure="urine_protein_g_24h",
            op=">=",
            threshold=2.0,
            grade_if_unmeasured=False,
        ),
        action=Action.WITHHOLD,
        summary=(
            "24-h urine protein >= 2 g: withhold until < 2 g/24 h, then resume at a reduced dose"
        ),
        source=(
            US_TABLE1 + " (US row not read; threshold and resume criterion as in " + EU_TABLE3 + ")"
        ),
        confirmed=False,
        recovery=PROTEIN_RECOVERY,
    ),
    proteinuria_screen_row(US),
    row(
        prefix=US,
        key="nephrotic_syndrome.any_grade",
        term_label="nephrotic syndrome",
        terms=("nephrotic_syndrome",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Nephrotic syndrome: permanently discontinue",
        source=US_TABLE1 + " (US row not read)",
        confirmed=False,
    ),
    # --- GI perforation, fistula (verification.md 1.2: CONFIRMED-OLDER US) ---
    row(
        prefix=US,
        key="gastrointestinal_perforation.any_grade",
        term_label="gastrointestinal perforation",
        terms=GI_PERFORATION_TERMS,
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Gastrointestinal perforation: discontinue",
        source=US_2016_GI,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="fistula.grade4",
        term_label="fistula (any site)",
        terms=FISTULA_TERMS,
        condition=Condition("grade 4 (life-threatening)", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Life-threatening fistula: discontinue",
        source=US_2016_GI,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="fistula.grade3",
        term_label="fistula (any site)",
        terms=FISTULA_TERMS,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.DISCONTINUE,
        summary="Grade 3 fistula: discontinue",
        source=US_TABLE1 + " (grade 3-4 wording not read)",
        confirmed=False,
    ),
    # --- QT prolongation (verification.md 1.2: US current STILL UNCONFIRMED) --
    row(
        prefix=US,
        key="qt_prolongation.qtc_above_500",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition(
            "QTc > 500 ms (grade 3 when no QTc value is given)",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op=">",
            threshold=500.0,
        ),
        action=Action.WITHHOLD,
        summary=(
            "QTc > 500 ms: withhold and correct electrolytes; resume at a reduced dose when QTc "
            "< 480 ms or baseline"
        ),
        source=US_TABLE1 + " (current US criteria not read; as in " + EU_TABLE3 + ")",
        confirmed=False,
        recovery=QTC_RECOVERY,
    ),
    row(
        prefix=US,
        key="qt_prolongation.monitor",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition("grade 1-2 (QTc <= 500 ms)", min_grade=1, max_grade=2),
        action=Action.CONTINUE,
        summary=(
            "QTc prolonged but not above 500 ms: continue; monitor and correct electrolytes; ECG "
            "follow-up"
        ),
        source=US_2016_QT,
        confirmed=True,
    ),
    row(
        prefix=US,
        key="qt_prolongation.rise_above_60ms",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition(
            "grade 3 from a > 60 ms rise over baseline with QTc <= 500 ms",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op="<=",
            threshold=500.0,
            grade_if_unmeasured=False,
        ),
        action=Action.CONTINUE,
        summary=(
            "QTc rise > 60 ms from baseline without QTc > 500 ms: continue, correct electrolytes "
            "and repeat the ECG; clinician to review (the US criterion may include a > 60 ms rise)"
        ),
        source=US_TABLE1 + " (current US criteria not read)",
        confirmed=False,
        needs_review=True,
    ),
    # --- RPLS (verification.md 1.2: CONFIRMED-OLDER US: withhold until resolved)
    row(
        prefix=US,
        key="rpls.any_grade",
        term_label="reversible posterior leukoencephalopathy syndrome",
        terms=("reversible_posterior_leukoencephalopathy_syndrome",),
        condition=Condition("any grade", min_grade=1, max_grade=4),
        action=Action.WITHHOLD,
        summary=(
            "RPLS: withhold until fully resolved; resuming at a reduced dose or discontinuing is "
            "the clinician's decision"
        ),
        source="LENVIMA US PI 02/2015, Highlights (5.10)",
        confirmed=True,
        recovery=GRADE_0,
        needs_review=True,
    ),
    # --- Supportive care first (reference.md 2.0 point 6) ---------------------
    row(
        prefix=US,
        key="gi_symptoms.supportive_care",
        term_label="diarrhea, nausea, vomiting",
        terms=GI_SUPPORTIVE,
        condition=Condition(
            "grade 1-2, neither persistent nor intolerable",
            min_grade=1,
            max_grade=2,
            not_flags=("persistent", "intolerable"),
        ),
        action=Action.CONTINUE,
        summary=(
            "Continue; start active management (antidiarrheals, antiemetics, hydration); modify "
            "the dose only if persistent or intolerable"
        ),
        source=US_2016_GI_MANAGEMENT,
        confirmed=True,
    ),
    # --- Other adverse reactions (verification.md 1.2: US wording STILL
    # UNCONFIRMED; [S] Skyscape) ----------------------------------------------
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
            "Persistent or intolerable grade 2 adverse reaction: withhold until grade 0-1 or "
            "baseline; resume at a reduced dose"
        ),
        source=US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        recovery=GRADE_0_1_OR_BASELINE,
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
            "Grade 3 adverse reaction: withhold until grade 0-1 or baseline; "
            "resume at a reduced dose"
        ),
        source=US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    # reference.md 2.1 Table 1 "Other ARs | Persistent or intolerable G2 or G3; G4
    # lab abnormality | Withhold until G0-1 or baseline; resume at reduced dose".
    row(
        prefix=US,
        key="other_laboratory.grade4",
        term_label="laboratory abnormality without a row of its own",
        terms=OTHER_LAB_TERMS,
        condition=Condition("grade 4 laboratory abnormality", min_grade=4, max_grade=4),
        action=Action.WITHHOLD,
        summary=(
            "Grade 4 laboratory abnormality: withhold until grade 0-1 or baseline; resume at a "
            "reduced dose"
        ),
        source=(
            US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph "
            "via reference.md 2.1)"
        ),
        confirmed=False,
        recovery=GRADE_0_1_OR_BASELINE,
    ),
    row(
        prefix=US,
        key="other.grade4",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition("grade 4 or 5 (not a laboratory abnormality)", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 adverse reaction: permanently discontinue",
        source=US_TABLE1 + ", other adverse reactions (US wording not read; Skyscape monograph)",
        confirmed=False,
        fallback=True,
        excluded_terms=OTHER_LAB_TERMS,
    ),
    grade5_row(US),
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
    lowest_dose_citation=(
        "project policy: no dose level below 10 mg in the label, so a further "
        "reduction means discontinuing, for the oncologist to review"
    ),
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

_EU_REPLACE: dict[str, Rule | tuple[Rule, ...]] = {
    "hypertension.grade3": row(
        prefix=EU,
        key="hypertension.grade3",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "SBP >= 160 or DBP >= 100 despite optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            all_flags=("optimal_antihypertensive_therapy",),
        ),
        action=Action.WITHHOLD,
        summary="SBP >= 160 or DBP >= 100 mmHg despite optimal antihypertensive therapy",
        source=EU_HTN,
        confirmed=True,
        recovery=EU_BP_RECOVERY,
    ),
    "hypertension.grade3_without_optimal_therapy": row(
        prefix=EU,
        key="hypertension.grade3_without_optimal_therapy",
        term_label="hypertension",
        terms=HTN,
        condition=Condition(
            "grade 3 without optimal antihypertensive therapy",
            min_grade=3,
            max_grade=3,
            not_flags=("optimal_antihypertensive_therapy",),
        ),
        action=Action.CONTINUE,
        summary=(
            "Grade 3 without optimal antihypertensive therapy yet: continue, start or intensify "
            "antihypertensives and recheck"
        ),
        source="policy.md 5 (the EU table withholds only despite optimal antihypertensive therapy)",
        citation=(
            "project policy: grade 3 hypertension is withheld only when it persists despite "
            "optimal antihypertensive therapy"
        ),
        confirmed=True,
        needs_review=True,
    ),
    "hypertension.grade4": (
        row(
            prefix=EU,
            key="hypertension.grade2",
            term_label="hypertension",
            terms=HTN,
            condition=Condition(
                "SBP 140 to < 160 or DBP 90 to < 100 (grade 2)", min_grade=2, max_grade=2
            ),
            action=Action.CONTINUE,
            summary=(
                "SBP 140-159 or DBP 90-99 mmHg: continue; initiate, increase or add "
                "antihypertensive therapy"
            ),
            source=EU_HTN,
            confirmed=True,
        ),
        row(
            prefix=EU,
            key="hypertension.grade4",
            term_label="hypertension",
            terms=HTN,
            condition=Condition(
                "life-threatening (malignant hypertension, neurological deficit, hypertensive "
                "crisis)",
                min_grade=4,
            ),
            action=Action.DISCONTINUE,
            summary="Life-threatening hypertension: urgent intervention; discontinue",
            source=EU_HTN,
            confirmed=True,
        ),
    ),
    "cardiac_dysfunction.grade3": row(
        prefix=EU,
        key="cardiac_dysfunction.grade3",
        term_label="cardiac dysfunction",
        terms=CARDIAC,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Grade 3 cardiac dysfunction: interrupt until grade 0-1 or baseline; resume at a "
            "reduced dose"
        ),
        source=EU_TABLE3,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
    ),
    "cardiac_dysfunction.grade4": row(
        prefix=EU,
        key="cardiac_dysfunction.grade4",
        term_label="cardiac dysfunction",
        terms=CARDIAC,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 cardiac dysfunction: discontinue",
        source=EU_TABLE3,
        confirmed=True,
    ),
    "hemorrhage.grade3": row(
        prefix=EU,
        key="hemorrhage.grade3",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 hemorrhage: interrupt until grade 0-1; resume at a reduced dose",
        source=EU_TABLE3,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
    ),
    "hemorrhage.grade4": row(
        prefix=EU,
        key="hemorrhage.grade4",
        term_label="hemorrhage (any CTCAE hemorrhage term)",
        terms=HEMORRHAGE_TERMS,
        condition=Condition("grade 4", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 hemorrhage: discontinue",
        source=EU_TABLE3,
        confirmed=True,
    ),
    "arterial_thromboembolic_event.any_grade": row(
        prefix=EU,
        key="arterial_thromboembolic_event.any_grade",
        term_label="arterial thromboembolic event",
        terms=ARTERIAL_THROMBOEMBOLIC_TERMS,
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Arterial thromboembolic event (any grade): discontinue",
        source=EU_TABLE3,
        confirmed=True,
    ),
    "hepatotoxicity.grade3_4": (
        row(
            prefix=EU,
            key="hepatotoxicity.grade3",
            term_label="hepatotoxicity (ALT, AST, bilirubin)",
            terms=HEPATIC,
            condition=Condition("grade 3", min_grade=3, max_grade=3),
            action=Action.WITHHOLD,
            summary=(
                "Grade 3 hepatotoxicity: interrupt until grade 0-1 or baseline; resume at a "
                "reduced dose"
            ),
            source=EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            prefix=EU,
            key="hepatotoxicity.grade4",
            term_label="hepatotoxicity (ALT, AST, bilirubin)",
            terms=HEPATIC,
            condition=Condition("grade 4", min_grade=4),
            action=Action.DISCONTINUE,
            summary=(
                "Grade 4 hepatotoxicity: discontinue (a grade 4 laboratory abnormality judged "
                "non-life-threatening may be managed as grade 3: clinician to decide)"
            ),
            source=EU_TABLE3,
            confirmed=True,
            needs_review=True,
        ),
    ),
    "hepatic_failure.any_grade": row(
        prefix=EU,
        key="hepatic_failure.any_grade",
        term_label="hepatic failure",
        terms=("hepatic_failure",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Hepatic failure: discontinue (US rule applied: no EU row seen)",
        source=US_2015,
        confirmed=True,
    ),
    "renal.grade3_4": (
        row(
            prefix=EU,
            key="renal.grade3",
            term_label="renal failure or impairment",
            terms=RENAL,
            condition=Condition("grade 3", min_grade=3, max_grade=3),
            action=Action.WITHHOLD,
            summary=(
                "Grade 3 renal failure or impairment: interrupt until grade 0-1 or baseline; "
                "resume at a reduced dose"
            ),
            source=EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            prefix=EU,
            key="renal.grade4",
            term_label="renal failure or impairment",
            terms=RENAL,
            condition=Condition("grade 4", min_grade=4),
            action=Action.DISCONTINUE,
            summary=(
                "Grade 4 renal failure or impairment: discontinue (a grade 4 laboratory "
                "abnormality judged non-life-threatening may be managed as grade 3: clinician to "
                "decide)"
            ),
            source=EU_TABLE3,
            confirmed=True,
            needs_review=True,
        ),
    ),
    "proteinuria.24h_2g": row(
        prefix=EU,
        key="proteinuria.24h_2g",
        term_label="proteinuria",
        terms=("proteinuria",),
        condition=Condition(
            "24-h urine protein >= 2.0 g",
            min_grade=0,
            measure="urine_protein_g_24h",
            op=">=",
            threshold=2.0,
            grade_if_unmeasured=False,
        ),
        action=Action.WITHHOLD,
        summary=(
            "24-h urine protein >= 2 g: interrupt until < 2 g/24 h, then resume at a reduced dose"
        ),
        source=EU_TABLE3,
        confirmed=True,
        recovery=PROTEIN_RECOVERY,
    ),
    "nephrotic_syndrome.any_grade": row(
        prefix=EU,
        key="nephrotic_syndrome.any_grade",
        term_label="nephrotic syndrome",
        terms=("nephrotic_syndrome",),
        condition=Condition("any grade", min_grade=1),
        action=Action.DISCONTINUE,
        summary="Nephrotic syndrome: discontinue; do not restart",
        source=EU_TABLE3,
        confirmed=True,
    ),
    # verification.md 5.7: the EU label interrupts (does not discontinue) G3 GI
    # perforation or fistula.
    "gastrointestinal_perforation.any_grade": (
        row(
            prefix=EU,
            key="gi_perforation_fistula.grade3",
            term_label="gastrointestinal perforation or fistula",
            terms=GI_PERFORATION_TERMS | GI_FISTULA_TERMS,
            condition=Condition("grade 3", min_grade=3, max_grade=3),
            action=Action.WITHHOLD,
            summary=(
                "Grade 3 GI perforation or fistula: interrupt until grade 0-1 or baseline; resume "
                "at a reduced dose"
            ),
            source=EU_TABLE3,
            confirmed=True,
            recovery=GRADE_0_1_OR_BASELINE,
        ),
        row(
            prefix=EU,
            key="gi_perforation_fistula.grade4",
            term_label="gastrointestinal perforation or fistula",
            terms=GI_PERFORATION_TERMS | GI_FISTULA_TERMS,
            condition=Condition("grade 4", min_grade=4),
            action=Action.DISCONTINUE,
            summary="Grade 4 GI perforation or fistula: discontinue",
            source=EU_TABLE3,
            confirmed=True,
        ),
        row(
            prefix=EU,
            key="non_gi_fistula.grade4",
            term_label="non-GI fistula",
            terms=NON_GI_FISTULA_TERMS,
            condition=Condition("grade 4", min_grade=4),
            action=Action.DISCONTINUE,
            summary="Grade 4 non-GI fistula: discontinue",
            source=EU_TABLE3,
            confirmed=True,
        ),
    ),
    "qt_prolongation.qtc_above_500": row(
        prefix=EU,
        key="qt_prolongation.qtc_above_500",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition(
            "QTc > 500 ms (grade 3 when no QTc value is given)",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op=">",
            threshold=500.0,
        ),
        action=Action.WITHHOLD,
        summary=(
            "QTc > 500 ms: interrupt and correct electrolytes; resume at a reduced dose when QTc "
            "< 480 ms or baseline"
        ),
        source=EU_TABLE3,
        confirmed=True,
        recovery=QTC_RECOVERY,
    ),
    "qt_prolongation.rise_above_60ms": row(
        prefix=EU,
        key="qt_prolongation.rise_above_60ms",
        term_label="QT prolongation",
        terms=QT,
        condition=Condition(
            "grade 3 from a > 60 ms rise over baseline with QTc <= 500 ms",
            min_grade=3,
            max_grade=3,
            measure="qtc_ms",
            op="<=",
            threshold=500.0,
            grade_if_unmeasured=False,
        ),
        action=Action.CONTINUE,
        summary=(
            "QTc rise > 60 ms from baseline without QTc > 500 ms (the EU threshold): continue, "
            "correct electrolytes and repeat the ECG; clinician to review"
        ),
        source=(
            US_TABLE1
            + " (copied from the US row, current US criteria not read; "
            + EU_TABLE3
            + " has only QT > 500 ms: verification.md 1.2, 4.3)"
        ),
        confirmed=False,
        needs_review=True,
    ),
    "rpls.any_grade": row(
        prefix=EU,
        key="rpls.any_grade",
        term_label="reversible posterior leukoencephalopathy syndrome",
        terms=("reversible_posterior_leukoencephalopathy_syndrome",),
        condition=Condition("any grade", min_grade=1, max_grade=4),
        action=Action.WITHHOLD,
        summary="PRES/RPLS: interrupt; consider resuming at a reduced dose once grade 0-1",
        source=EU_TABLE3,
        confirmed=True,
        recovery=GRADE_AT_MOST_1,
        needs_review=True,
    ),
    "gi_symptoms.supportive_care": row(
        prefix=EU,
        key="gi_symptoms.supportive_care",
        term_label="diarrhea, nausea, vomiting",
        terms=GI_SUPPORTIVE,
        condition=Condition(
            "grade 1-2, neither persistent nor intolerable",
            min_grade=1,
            max_grade=2,
            not_flags=("persistent", "intolerable"),
        ),
        action=Action.CONTINUE,
        summary=(
            "Continue; start medical management of nausea, vomiting or diarrhea before any "
            "interruption or dose reduction"
        ),
        source=EU_42 + " (Skyscape monograph)",
        confirmed=True,
    ),
    "other.grade2": row(
        prefix=EU,
        key="other.grade2",
        term_label="other adverse reactions",
        terms=(),
        # reference.md 2.1 (SmPC): "Severe or intolerable ARs: interrupt": a
        # persistent but tolerable grade 2 continues.
        condition=Condition(
            "intolerable grade 2",
            min_grade=2,
            max_grade=2,
            all_flags=("intolerable",),
        ),
        action=Action.WITHHOLD,
        summary=(
            "Intolerable grade 2 adverse reaction: interrupt until grade 0-1 or baseline; resume "
            "at a reduced dose"
        ),
        source=EU_42,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    "other.grade3": row(
        prefix=EU,
        key="other.grade3",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary=(
            "Severe (grade 3) adverse reaction: interrupt until grade 0-1 or baseline; resume at "
            "a reduced dose"
        ),
        source=EU_42,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
        fallback=True,
        excluded_terms=OTHER_AR_EXCLUDED,
    ),
    "other.grade4": row(
        prefix=EU,
        key="other.grade4",
        term_label="other adverse reactions",
        terms=(),
        condition=Condition("grade 4 or 5", min_grade=4),
        action=Action.DISCONTINUE,
        summary=(
            "Life-threatening (grade 4) reaction: discontinue, except laboratory abnormalities "
            "judged non-life-threatening, which are managed as grade 3 (clinician to decide)"
        ),
        source=EU_TABLE3 + " footnote; Eisai PH PI (SmPC-based), dosage and administration",
        confirmed=True,
        needs_review=True,
        fallback=True,
    ),
}

# verification.md 5.7: the EU label has explicit diarrhea rows.
_EU_ADD = (
    row(
        prefix=EU,
        key="diarrhea.grade3",
        term_label="diarrhea",
        terms=("diarrhea",),
        condition=Condition("grade 3", min_grade=3, max_grade=3),
        action=Action.WITHHOLD,
        summary="Grade 3 diarrhea: interrupt until grade 0-1 or baseline; resume at a reduced dose",
        source=EU_TABLE3,
        confirmed=True,
        recovery=GRADE_0_1_OR_BASELINE,
    ),
    row(
        prefix=EU,
        key="diarrhea.grade4",
        term_label="diarrhea",
        terms=("diarrhea",),
        condition=Condition("grade 4 (despite treatment)", min_grade=4),
        action=Action.DISCONTINUE,
        summary="Grade 4 diarrhea despite treatment: discontinue",
        source=EU_TABLE3,
        confirmed=True,
    ),
)

EU_SMPC = derive_rule_set(
    US_PI,
    rule_set="eu_smpc",
    label="LENVIMA EU SmPC",
    replace_rules=_EU_REPLACE,
    add_rules=_EU_ADD,
    drop_rules=("fistula.grade4", "fistula.grade3", "other_laboratory.grade4"),
    notes=(
        "Derived from the US PI rule set; EU rows from the SmPC Table 3 and the "
        "hypertension table (verification.md 4.1, 4.3, 5.7, 5.8). The EU hypertension band "
        "has strict upper bounds (< 160 / < 100).",
        "The SmPC says further reductions below 10 mg are considered individually "
        "(verification.md 4.2); the project discontinues with review (policy.md 4).",
    ),
)
