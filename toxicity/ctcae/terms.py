"""CTCAE v5.0 terms as data.

Each ``Term`` carries the grade descriptors WORD FOR WORD from
docs/sources/reference.md section 1.2 ([C5]: CTCAE v5.0, adult; read
from oncohub/CTCAE5 ``ctcaev5.js``). Grades that do not exist for a term are
absent from ``descriptors``. MedDRA codes are recorded exactly as reference.md
gives them; ``None`` where it gives none.

Events that the drug labels name but whose v5.0 descriptors are not in
reference.md (myocardial infarction, stroke, GI perforation, ...) are in
``LABEL_EVENTS``: the rule engine can refer to them, and a clinician enters their
grade (0-5).

The registry is keyed by version (``TERMS_BY_VERSION``) so that a CTCAE v6.0
dictionary can later sit beside v5.0.
"""

# Descriptors are kept on one line each, word for word, so they can be diffed and
# grepped against reference.md; hence long lines in this file only.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ARTERIAL_THROMBOEMBOLIC_TERMS",
    "CTCAE_VERSION",
    "GENERIC_GRADE_DEFINITIONS",
    "HEMORRHAGE_TERMS",
    "LABEL_EVENTS",
    "LabelEvent",
    "TERMS",
    "TERMS_BY_VERSION",
    "Term",
    "VENOUS_THROMBOEMBOLIC_TERMS",
    "get_term",
    "is_known_event",
]

CTCAE_VERSION = "5.0"


@dataclass(frozen=True, kw_only=True)
class Term:
    """One CTCAE term: its name, codes and the text of each existing grade."""

    key: str
    name: str
    meddra_code: str | None
    system_organ_class: str | None
    descriptors: Mapping[int, str]
    version: str = CTCAE_VERSION
    computable: bool
    note: str = ""

    def __hash__(self) -> int:
        return hash((self.version, self.key))

    @property
    def grades(self) -> tuple[int, ...]:
        """The grades that exist for this term, ascending (grade 0 is implicit)."""
        return tuple(sorted(self.descriptors))

    @property
    def max_grade(self) -> int:
        return max(self.descriptors)


@dataclass(frozen=True, kw_only=True)
class LabelEvent:
    """An event named by a drug label, graded 0-5 by a clinician (no v5.0 text here)."""

    key: str
    name: str
    note: str = "descriptors not in reference.md; clinician grade 0-5"
    source: str = ""


def _d(descriptors: dict[int, str]) -> Mapping[int, str]:
    return MappingProxyType(dict(descriptors))


# reference.md 1.1, "Generic grades" [S: studylib copy of the CTCAE v5.0 PDF]
GENERIC_GRADE_DEFINITIONS: Mapping[int, str] = _d(
    {
        1: (
            "Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; "
            "intervention not indicated."
        ),
        2: (
            "Moderate; minimal, local or noninvasive intervention indicated; limiting "
            "age-appropriate instrumental ADL."
        ),
        3: (
            "Severe or medically significant but not immediately life-threatening; "
            "hospitalization or prolongation of hospitalization indicated; disabling; "
            "limiting self care ADL."
        ),
        4: "Life-threatening consequences; urgent intervention indicated.",
        5: "Death related to AE.",
    }
)

# reference.md 1.2: Upper gastrointestinal hemorrhage; "same text: Lower GI,
# Gastric, Oral, Tumor hemorrhage". Only the Upper GI MedDRA code is given.
_GI_HEMORRHAGE_TEXT: dict[int, str] = {
    1: "Mild symptoms; intervention not indicated",
    2: "Moderate symptoms; intervention indicated",
    3: "Transfusion indicated; invasive intervention indicated; hospitalization",
    4: "Life-threatening consequences; urgent intervention indicated",
    5: "Death",
}
_SHARED_GI_NOTE = "Shares the Upper gastrointestinal hemorrhage text (reference.md 1.2)."

_V5_TERMS: tuple[Term, ...] = (
    Term(
        key="hypertension",
        name="Hypertension",
        meddra_code="10020772",
        system_organ_class="Vascular disorders",
        descriptors=_d(
            {
                1: "Adult: Systolic BP 120 - 139 mm Hg or diastolic BP 80 - 89 mm Hg",
                2: "Adult: Systolic BP 140 - 159 mm Hg or diastolic BP 90 - 99 mm Hg if previously WNL; change in baseline medical intervention indicated; recurrent or persistent (≥24 hrs); symptomatic increase by >20 mm Hg (diastolic) or to >140/90 mm Hg; monotherapy indicated initiated",
                3: "Adult: Systolic BP ≥160 mm Hg or diastolic BP ≥100 mm Hg; medical intervention indicated; more than one drug or more intensive therapy than previously used indicated",
                4: "Life-threatening consequences (e.g., malignant hypertension, transient or permanent neurologic deficit, hypertensive crisis); urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=True,
    ),
    Term(
        key="fatigue",
        name="Fatigue",
        meddra_code="10016256",
        system_organ_class="General disorders and administration site conditions",
        descriptors=_d(
            {
                1: "Fatigue relieved by rest",
                2: "Fatigue not relieved by rest; limiting instrumental ADL",
                3: "Fatigue not relieved by rest, limiting self care ADL",
            }
        ),
        computable=False,
    ),
    Term(
        key="diarrhea",
        name="Diarrhea",
        meddra_code="10012727",
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(
            {
                1: "Increase of <4 stools per day over baseline; mild increase in ostomy output compared to baseline",
                2: "Increase of 4 - 6 stools per day over baseline; moderate increase in ostomy output compared to baseline; limiting instrumental ADL",
                3: "Increase of ≥7 stools per day over baseline; hospitalization indicated; severe increase in ostomy output compared to baseline; limiting self care ADL",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=True,
    ),
    Term(
        key="nausea",
        name="Nausea",
        meddra_code="10028813",
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(
            {
                1: "Loss of appetite without alteration in eating habits",
                2: "Oral intake decreased without significant weight loss, dehydration or malnutrition",
                3: "Inadequate oral caloric or fluid intake; tube feeding, TPN, or hospitalization indicated",
            }
        ),
        computable=False,
    ),
    Term(
        key="vomiting",
        name="Vomiting",
        meddra_code="10047700",
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(
            {
                1: "Intervention not indicated",
                2: "Outpatient IV hydration; medical intervention indicated",
                3: "Tube feeding, TPN, or hospitalization indicated",
                4: "Life-threatening consequences",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="mucositis_oral",
        name="Mucositis oral",
        meddra_code="10028130",
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(
            {
                1: "Asymptomatic or mild symptoms; intervention not indicated",
                2: "Moderate pain or ulcer that does not interfere with oral intake; modified diet indicated",
                3: "Severe pain; interfering with oral intake",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="anorexia",
        name="Anorexia",
        meddra_code="10002646",
        system_organ_class="Metabolism and nutrition disorders",
        descriptors=_d(
            {
                1: "Loss of appetite without alteration in eating habits",
                2: "Oral intake altered without significant weight loss or malnutrition; oral nutritional supplements indicated",
                3: "Associated with significant weight loss or malnutrition (e.g., inadequate oral caloric and/or fluid intake); tube feeding or TPN indicated",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="weight_loss",
        name="Weight loss",
        meddra_code="10047900",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: "5 to <10% from baseline; intervention not indicated",
                2: "10 - <20% from baseline; nutritional support indicated",
                3: "≥20% from baseline; tube feeding or TPN indicated",
            }
        ),
        computable=True,
    ),
    Term(
        key="palmar_plantar_erythrodysesthesia_syndrome",
        name="Palmar-plantar erythrodysesthesia syndrome",
        meddra_code="10054524",
        system_organ_class="Skin and subcutaneous tissue disorders",
        descriptors=_d(
            {
                1: "Minimal skin changes or dermatitis (e.g., erythema, edema, or hyperkeratosis) without pain",
                2: "Skin changes (e.g., peeling, blisters, bleeding, fissures, edema, or hyperkeratosis) with pain; limiting instrumental ADL",
                3: "Severe skin changes (e.g., peeling, blisters, bleeding, fissures, edema, or hyperkeratosis) with pain; limiting self care ADL",
            }
        ),
        computable=False,
        note="Hand-foot skin reaction (HFSR, the sorafenib label term) maps to this term (reference.md 1.3).",
    ),
    Term(
        key="proteinuria",
        name="Proteinuria",
        meddra_code="10037032",
        system_organ_class="Renal and urinary disorders",
        descriptors=_d(
            {
                1: "1+ proteinuria; urinary protein ≥ULN - <1.0 g/24 hrs",
                2: "Adult: 2+ and 3+ proteinuria; urinary protein 1.0 - <3.5 g/24 hrs",
                3: "Adult: Urinary protein ≥3.5 g/24 hrs; 4+ proteinuria",
            }
        ),
        computable=True,
        note="24-hour urine collection takes precedence over dipstick",
    ),
    Term(
        key="alanine_aminotransferase_increased",
        name="Alanine aminotransferase increased",
        meddra_code="10001551",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
                2: ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
                3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
                4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
            }
        ),
        computable=True,
        note="Also consider Hepatobiliary disorders: Hepatic failure",
    ),
    Term(
        key="aspartate_aminotransferase_increased",
        name="Aspartate aminotransferase increased",
        meddra_code="10003481",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
                2: ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
                3: ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
                4: ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
            }
        ),
        computable=True,
        note="Also consider Hepatobiliary disorders: Hepatic failure",
    ),
    Term(
        key="blood_bilirubin_increased",
        name="Blood bilirubin increased",
        meddra_code="10005364",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: ">ULN - 1.5 x ULN if baseline was normal; > 1.0 - 1.5 x baseline if baseline was abnormal",
                2: ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if baseline was abnormal",
                3: ">3.0 - 10.0 x ULN if baseline was normal; >3.0 - 10.0 x baseline if baseline was abnormal",
                4: ">10.0 x ULN if baseline was normal; >10.0 x baseline if baseline was abnormal",
            }
        ),
        computable=True,
        note="Also consider Hepatobiliary disorders: Hepatic failure",
    ),
    Term(
        key="hepatic_failure",
        name="Hepatic failure",
        meddra_code=None,
        system_organ_class="Hepatobiliary disorders",
        descriptors=_d(
            {
                3: "Asterixis; mild encephalopathy; drug-induced liver injury (DILI); limiting self care ADL",
                4: "Life-threatening consequences; moderate to severe encephalopathy; coma",
                5: "Death",
            }
        ),
        computable=False,
        note="The definition ties DILI to Hy's Law (reference.md 1.2). Grades 1-2 are not given in reference.md.",
    ),
    Term(
        key="electrocardiogram_qt_corrected_interval_prolonged",
        name="Electrocardiogram QT corrected interval prolonged",
        meddra_code="10014383",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: "Average QTc 450 - 480 ms",
                2: "Average QTc 481 - 500 ms",
                3: "Average QTc ≥ 501 ms; >60 ms change from baseline",
                4: "Torsade de pointes; polymorphic ventricular tachycardia; signs/symptoms of serious arrhythmia",
            }
        ),
        computable=True,
    ),
    Term(
        key="hypocalcemia",
        name="Hypocalcemia",
        meddra_code="10020949",
        system_organ_class="Metabolism and nutrition disorders",
        descriptors=_d(
            {
                1: "Corrected serum calcium of <LLN - 8.0 mg/dL; <LLN - 2.0 mmol/L; Ionized calcium <LLN - 1.0 mmol/L",
                2: "Corrected serum calcium of <8.0 - 7.0 mg/dL; <2.0 - 1.75 mmol/L; Ionized calcium <1.0 - 0.9 mmol/L; symptomatic",
                3: "Corrected serum calcium of <7.0 - 6.0 mg/dL; <1.75 - 1.5 mmol/L; Ionized calcium <0.9 - 0.8 mmol/L; hospitalization indicated",
                4: "Corrected serum calcium of <6.0 mg/dL; <1.5 mmol/L; Ionized calcium <0.8 mmol/L; life-threatening consequences",
                5: "Death",
            }
        ),
        computable=True,
    ),
    Term(
        key="hypothyroidism",
        name="Hypothyroidism",
        meddra_code="10021114",
        system_organ_class="Endocrine disorders",
        descriptors=_d(
            {
                1: "Asymptomatic; clinical or diagnostic observations only; intervention not indicated",
                2: "Symptomatic; thyroid replacement indicated; limiting instrumental ADL",
                3: "Severe symptoms; limiting self care ADL; hospitalization indicated",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="creatinine_increased",
        name="Creatinine increased",
        meddra_code="10011368",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: ">ULN - 1.5 x ULN",
                2: ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN",
                3: ">3.0 x baseline; >3.0 - 6.0 x ULN",
                4: ">6.0 x ULN",
            }
        ),
        computable=True,
        note="Also consider Renal and urinary disorders: Acute kidney injury",
    ),
    Term(
        key="thromboembolic_event",
        name="Thromboembolic event",
        meddra_code="10043565",
        system_organ_class="Vascular disorders",
        descriptors=_d(
            {
                1: "Medical intervention not indicated (e.g., superficial thrombosis)",
                2: "Medical intervention indicated",
                3: "Urgent medical intervention indicated (e.g., pulmonary embolism or intracardiac thrombus)",
                4: "Life-threatening consequences with hemodynamic or neurologic instability",
                5: "Death",
            }
        ),
        computable=False,
        note="Consider Nervous system disorders: TIA or Stroke for CNS-related events. Use Vascular disorders: Arterial thromboembolism for arterial thrombi.",
    ),
    Term(
        key="arterial_thromboembolism",
        name="Arterial thromboembolism",
        meddra_code="10073529",
        system_organ_class="Vascular disorders",
        descriptors=_d(
            {
                3: "Urgent intervention indicated",
                4: "Life-threatening consequences; hemodynamic or neurologic instability; organ damage; loss of extremity(ies)",
                5: "Death",
            }
        ),
        computable=False,
        note="Consider Nervous system disorders: TIA or Stroke for CNS-related events or Cardiac disorders: Myocardial infarction",
    ),
    Term(
        key="hoarseness",
        name="Hoarseness",
        meddra_code="10020201",
        system_organ_class="Respiratory, thoracic and mediastinal disorders",
        descriptors=_d(
            {
                1: "Mild or intermittent voice change; fully understandable; self-resolves",
                2: "Moderate or persistent voice changes; may require occasional repetition but understandable on telephone; medical evaluation indicated",
                3: "Severe voice changes including predominantly whispered speech",
            }
        ),
        computable=False,
        note='Used for the label term "dysphonia" (not a v5.0 term; reference.md 1.3).',
    ),
    Term(
        key="voice_alteration",
        name="Voice alteration",
        meddra_code="10047681",
        system_organ_class="Respiratory, thoracic and mediastinal disorders",
        descriptors=_d(
            {
                1: "Mild or intermittent change from normal voice",
                2: "Moderate or persistent change from normal voice; still understandable",
                3: "Severe voice changes including predominantly whispered speech; may require frequent repetition or face-to-face contact for understandability; may require assistive technology",
            }
        ),
        computable=False,
        note='Alternative for the label term "dysphonia" (reference.md 1.3).',
    ),
    Term(
        key="epistaxis",
        name="Epistaxis",
        meddra_code="10015090",
        system_organ_class="Respiratory, thoracic and mediastinal disorders",
        descriptors=_d(
            {
                1: "Mild symptoms; intervention not indicated",
                2: "Moderate symptoms; medical intervention indicated (e.g., nasal packing, cauterization; topical vasoconstrictors)",
                3: "Transfusion; invasive intervention indicated (e.g., hemostasis of bleeding site)",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="bronchopulmonary_hemorrhage",
        name="Bronchopulmonary hemorrhage",
        meddra_code="10065746",
        system_organ_class="Respiratory, thoracic and mediastinal disorders",
        descriptors=_d(
            {
                1: "Mild symptoms; intervention not indicated",
                2: "Moderate symptoms; invasive intervention not indicated",
                3: "Transfusion indicated; invasive intervention indicated; hospitalization",
                4: "Life-threatening consequences; intubation or urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
        note="The usual choice for hemoptysis (reference.md 1.3).",
    ),
    Term(
        key="intracranial_hemorrhage",
        name="Intracranial hemorrhage",
        meddra_code="10022763",
        system_organ_class="Nervous system disorders",
        descriptors=_d(
            {
                1: "Asymptomatic; clinical or diagnostic observations only; intervention not indicated",
                2: "Moderate symptoms; intervention indicated",
                3: "Ventriculostomy, ICP monitoring, intraventricular thrombolysis, or invasive intervention indicated; hospitalization",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="hematuria",
        name="Hematuria",
        meddra_code="10019450",
        system_organ_class="Renal and urinary disorders",
        descriptors=_d(
            {
                1: "Asymptomatic; clinical or diagnostic observations only; intervention not indicated",
                2: "Symptomatic; urinary catheter or bladder irrigation indicated; limiting instrumental ADL",
                3: "Gross hematuria; transfusion, IV medications, or hospitalization indicated; elective invasive intervention indicated; limiting self care ADL",
                4: "Life-threatening consequences; urgent invasive intervention indicated",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="heart_failure",
        name="Heart failure",
        meddra_code="10019279",
        system_organ_class="Cardiac disorders",
        descriptors=_d(
            {
                1: "Asymptomatic with laboratory (e.g., BNP [B-Natriuretic Peptide ]) or cardiac imaging abnormalities",
                2: "Symptoms with moderate activity or exertion",
                3: "Symptoms at rest or with minimal activity or exertion; hospitalization; new onset of symptoms",
                4: "Life-threatening consequences; urgent intervention indicated (e.g., continuous IV therapy or mechanical hemodynamic support)",
                5: "Death",
            }
        ),
        computable=False,
    ),
    Term(
        key="ejection_fraction_decreased",
        name="Ejection fraction decreased",
        meddra_code="10050528",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                2: "Resting ejection fraction (EF) 50 - 40%; 10 - 19% drop from baseline",
                3: "Resting ejection fraction (EF) 39 - 20%; ≥20% drop from baseline",
                4: "Resting ejection fraction (EF) <20%",
            }
        ),
        computable=True,
    ),
    Term(
        key="thyroid_stimulating_hormone_increased",
        name="Thyroid stimulating hormone increased",
        meddra_code="10043770",
        system_organ_class="Investigations",
        descriptors=_d(
            {
                1: "TSH increased and no intervention initiated",
            }
        ),
        computable=False,
        note="If intervention initiated or symptomatic, report as Endocrine disorders: Hypothyroidism.",
    ),
    Term(
        key="upper_gastrointestinal_hemorrhage",
        name="Upper gastrointestinal hemorrhage",
        meddra_code="10055356",
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(_GI_HEMORRHAGE_TEXT),
        computable=False,
    ),
    Term(
        key="lower_gastrointestinal_hemorrhage",
        name="Lower gastrointestinal hemorrhage",
        meddra_code=None,
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(_GI_HEMORRHAGE_TEXT),
        computable=False,
        note=_SHARED_GI_NOTE,
    ),
    Term(
        key="gastric_hemorrhage",
        name="Gastric hemorrhage",
        meddra_code=None,
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(_GI_HEMORRHAGE_TEXT),
        computable=False,
        note=_SHARED_GI_NOTE,
    ),
    Term(
        key="oral_hemorrhage",
        name="Oral hemorrhage",
        meddra_code=None,
        system_organ_class="Gastrointestinal disorders",
        descriptors=_d(_GI_HEMORRHAGE_TEXT),
        computable=False,
        note=_SHARED_GI_NOTE,
    ),
    Term(
        key="tumor_hemorrhage",
        name="Tumor hemorrhage",
        meddra_code=None,
        # reference.md lists Tumor hemorrhage under the Upper GI heading
        # ("Gastrointestinal disorders") without stating its own system organ
        # class: left unset rather than guessed.
        system_organ_class=None,
        descriptors=_d(_GI_HEMORRHAGE_TEXT),
        computable=False,
        note=_SHARED_GI_NOTE + " System organ class not stated separately in reference.md.",
    ),
)

TERMS: dict[str, Term] = {t.key: t for t in _V5_TERMS}

TERMS_BY_VERSION: dict[str, dict[str, Term]] = {CTCAE_VERSION: TERMS}

_NOTE = "descriptors not in reference.md; clinician grade 0-5"

_LABEL_EVENTS: tuple[LabelEvent, ...] = (
    # reference.md 1.3: arterial events are graded with their own terms.
    LabelEvent(
        key="myocardial_infarction",
        name="Myocardial infarction",
        note=_NOTE,
        source="reference.md 1.3 (arterial events); LENVIMA/CABOMETYX/NEXAVAR rows",
    ),
    LabelEvent(
        key="stroke",
        name="Stroke",
        note=_NOTE,
        source="reference.md 1.3 (arterial events)",
    ),
    LabelEvent(
        key="transient_ischemic_attacks",
        name="Transient ischemic attacks",
        note=_NOTE,
        source="reference.md 1.3 (arterial events); scenario 42",
    ),
    LabelEvent(
        key="cerebral_infarction",
        name="Cerebral infarction",
        note=_NOTE + "; CABOMETYX label wording, not a term named in reference.md 1.2-1.3",
        source="verification.md 3.3 and 5.1 (CABOMETYX: G>=2 cerebral infarction)",
    ),
    LabelEvent(
        key="cardiac_ischemia",
        name="Cardiac ischemia",
        note=_NOTE + "; NEXAVAR label wording ('Cardiac ischemia and/or infarction')",
        source="reference.md 2.2 (NEXAVAR Table 2)",
    ),
    # reference.md 1.3: usual bleeding terms without descriptors here.
    LabelEvent(
        key="pharyngeal_hemorrhage",
        name="Pharyngeal hemorrhage",
        note=_NOTE,
        source="reference.md 1.3 (bleeding)",
    ),
    LabelEvent(
        key="laryngeal_hemorrhage",
        name="Laryngeal hemorrhage",
        note=_NOTE,
        source="reference.md 1.3 (bleeding)",
    ),
    LabelEvent(
        key="tracheal_hemorrhage",
        name="Tracheal hemorrhage",
        note=_NOTE,
        source="reference.md 1.3 (bleeding)",
    ),
    LabelEvent(
        key="hypokalemia",
        name="Hypokalemia",
        note=_NOTE + "; reference.md 1.4 gives only '<LLN-3.0 and <3.0-2.5 mmol/L'",
        source="reference.md 1.4; scenario 33",
    ),
    LabelEvent(
        key="hypomagnesemia",
        name="Hypomagnesemia",
        note=_NOTE,
        source="reference.md 1.4 (other lab terms)",
    ),
    LabelEvent(
        key="hypoalbuminemia",
        name="Hypoalbuminemia",
        note=_NOTE,
        source="reference.md scenario 17",
    ),
    LabelEvent(
        key="acute_kidney_injury",
        name="Acute kidney injury",
        note=_NOTE,
        source="reference.md 1.2 (Creatinine increased note); LENVIMA renal failure row",
    ),
    LabelEvent(
        key="nephrotic_syndrome",
        name="Nephrotic syndrome",
        note=_NOTE,
        source="reference.md 2.1, 2.3; verification.md 1.2, 3.4",
    ),
    LabelEvent(
        key="gastrointestinal_perforation",
        name="Gastrointestinal perforation",
        note=_NOTE,
        source="reference.md 2.1-2.3 (GI perforation rows)",
    ),
    LabelEvent(
        key="fistula",
        name="Fistula",
        note=_NOTE,
        source="reference.md 2.1, 2.3; verification.md 1.2, 4.3",
    ),
    LabelEvent(
        key="reversible_posterior_leukoencephalopathy_syndrome",
        name="Reversible posterior leukoencephalopathy syndrome",
        note=_NOTE,
        source="reference.md 2.1, 2.3 (RPLS rows)",
    ),
    LabelEvent(
        key="osteonecrosis_of_jaw",
        name="Osteonecrosis of jaw",
        note=_NOTE,
        source="reference.md 2.1, 2.3; verification.md 3.4 (ONJ)",
    ),
    LabelEvent(
        key="impaired_wound_healing",
        name="Impaired wound healing",
        note=_NOTE + "; label wording",
        source="reference.md 2.1 (warnings and precautions)",
    ),
)

LABEL_EVENTS: dict[str, LabelEvent] = {e.key: e for e in _LABEL_EVENTS}

# reference.md 1.3 "Bleeding": no "Hemorrhage NOS" in v5.0; a label's
# "hemorrhage" means whichever site term applies, plus Epistaxis and Hematuria.
HEMORRHAGE_TERMS: frozenset[str] = frozenset(
    {
        "epistaxis",
        "upper_gastrointestinal_hemorrhage",
        "lower_gastrointestinal_hemorrhage",
        "gastric_hemorrhage",
        "oral_hemorrhage",
        "tumor_hemorrhage",
        "bronchopulmonary_hemorrhage",
        "intracranial_hemorrhage",
        "hematuria",
        "pharyngeal_hemorrhage",
        "laryngeal_hemorrhage",
        "tracheal_hemorrhage",
    }
)

# reference.md 1.3 "Arterial events are graded with their own terms: Myocardial
# infarction, Stroke, Transient ischemic attacks, Arterial thromboembolism";
# plus the CABOMETYX label's "cerebral infarction".
ARTERIAL_THROMBOEMBOLIC_TERMS: frozenset[str] = frozenset(
    {
        "arterial_thromboembolism",
        "myocardial_infarction",
        "stroke",
        "transient_ischemic_attacks",
        "cerebral_infarction",
    }
)

# reference.md 1.2 Thromboembolic event (venous; arterial thrombi use
# Arterial thromboembolism).
VENOUS_THROMBOEMBOLIC_TERMS: frozenset[str] = frozenset({"thromboembolic_event"})


def get_term(key: str, version: str = CTCAE_VERSION) -> Term:
    """The CTCAE term ``key`` (lower snake case) of CTCAE ``version``.

    Raises ``KeyError`` with a message naming the problem: an unknown version,
    a label event that has no v5.0 text here, or an unknown term.
    """
    try:
        terms = TERMS_BY_VERSION[version]
    except KeyError:
        known = ", ".join(sorted(TERMS_BY_VERSION))
        raise KeyError(f"CTCAE version {version!r} is not loaded (known: {known})") from None
    try:
        return terms[key]
    except KeyError:
        if key in LABEL_EVENTS:
            raise KeyError(
                f"{key!r} is a label event without CTCAE v{version} descriptors here; "
                "see LABEL_EVENTS (clinician grade 0-5)"
            ) from None
        raise KeyError(f"unknown CTCAE v{version} term {key!r}") from None


def is_known_event(key: str) -> bool:
    """True for a CTCAE v5.0 term in ``TERMS`` or a label event in ``LABEL_EVENTS``."""
    return key in TERMS or key in LABEL_EVENTS
