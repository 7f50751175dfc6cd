"""The CTCAE v5.0 dictionary: all 837 terms from the shared data file, checked
against the descriptors reference.md section 1.2 quotes word for word."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from toxicity.ctcae.terms import (
    ARTERIAL_THROMBOEMBOLIC_TERMS,
    CTCAE_VERSION,
    DICTIONARY_FILE,
    FISTULA_TERMS,
    GENERIC_GRADE_DEFINITIONS,
    GI_FISTULA_TERMS,
    GI_PERFORATION_TERMS,
    HEMORRHAGE_TERMS,
    LABORATORY_TERMS,
    NON_GI_FISTULA_TERMS,
    TERMS,
    TERMS_BY_VERSION,
    VENOUS_THROMBOEMBOLIC_TERMS,
    WOUND_HEALING_TERMS,
    get_term,
    term_key,
)

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "docs" / "sources" / "reference.md"
# reference.md 1.2: key -> (MedDRA code or None where reference.md gives none, grades).
EXPECTED = {
    "hypertension": ("10020772", (1, 2, 3, 4, 5)),
    "fatigue": ("10016256", (1, 2, 3)),
    "diarrhea": ("10012727", (1, 2, 3, 4, 5)),
    "nausea": ("10028813", (1, 2, 3)),
    "vomiting": ("10047700", (1, 2, 3, 4, 5)),
    "mucositis_oral": ("10028130", (1, 2, 3, 4, 5)),
    "anorexia": ("10002646", (1, 2, 3, 4, 5)),
    "weight_loss": ("10047900", (1, 2, 3)),
    "palmar_plantar_erythrodysesthesia_syndrome": ("10054524", (1, 2, 3)),
    "proteinuria": ("10037032", (1, 2, 3)),
    "alanine_aminotransferase_increased": ("10001551", (1, 2, 3, 4)),
    "aspartate_aminotransferase_increased": ("10003481", (1, 2, 3, 4)),
    "blood_bilirubin_increased": ("10005364", (1, 2, 3, 4)),
    "hepatic_failure": (None, (3, 4, 5)),
    "electrocardiogram_qt_corrected_interval_prolonged": ("10014383", (1, 2, 3, 4)),
    "hypocalcemia": ("10020949", (1, 2, 3, 4, 5)),
    "hypothyroidism": ("10021114", (1, 2, 3, 4, 5)),
    "creatinine_increased": ("10011368", (1, 2, 3, 4)),
    "thromboembolic_event": ("10043565", (1, 2, 3, 4, 5)),
    "arterial_thromboembolism": ("10073529", (3, 4, 5)),
    "hoarseness": ("10020201", (1, 2, 3)),
    "voice_alteration": ("10047681", (1, 2, 3)),
    "epistaxis": ("10015090", (1, 2, 3, 4, 5)),
    "upper_gastrointestinal_hemorrhage": ("10055356", (1, 2, 3, 4, 5)),
    "lower_gastrointestinal_hemorrhage": (None, (1, 2, 3, 4, 5)),
    "gastric_hemorrhage": (None, (1, 2, 3, 4, 5)),
    "oral_hemorrhage": (None, (1, 2, 3, 4, 5)),
    "tumor_hemorrhage": (None, (1, 2, 3, 4, 5)),
    "bronchopulmonary_hemorrhage": ("10065746", (1, 2, 3, 4, 5)),
    "intracranial_hemorrhage": ("10022763", (1, 2, 3, 4, 5)),
    "hematuria": ("10019450", (1, 2, 3, 4, 5)),
    "heart_failure": ("10019279", (1, 2, 3, 4, 5)),
    "ejection_fraction_decreased": ("10050528", (2, 3, 4)),
    "thyroid_stimulating_hormone_increased": ("10043770", (1,)),
}

COMPUTABLE = {
    "hypertension",
    "diarrhea",
    "weight_loss",
    "proteinuria",
    "alanine_aminotransferase_increased",
    "aspartate_aminotransferase_increased",
    "blood_bilirubin_increased",
    "creatinine_increased",
    "electrocardiogram_qt_corrected_interval_prolonged",
    "hypocalcemia",
    "ejection_fraction_decreased",
}

# reference.md 1.2 heading -> registry key(s)
HEADING_TO_KEYS = {
    "Hypertension": ["hypertension"],
    "Fatigue": ["fatigue"],
    "Diarrhea": ["diarrhea"],
    "Nausea": ["nausea"],
    "Vomiting": ["vomiting"],
    "Mucositis oral": ["mucositis_oral"],
    "Anorexia": ["anorexia"],
    "Weight loss": ["weight_loss"],
    "Palmar-plantar erythrodysesthesia syndrome": ["palmar_plantar_erythrodysesthesia_syndrome"],
    "Proteinuria": ["proteinuria"],
    "ALT increased": ["alanine_aminotransferase_increased"],
    "AST increased": ["aspartate_aminotransferase_increased"],
    "Blood bilirubin increased": ["blood_bilirubin_increased"],
    "Electrocardiogram QT corrected interval prolonged": [
        "electrocardiogram_qt_corrected_interval_prolonged"
    ],
    "Hypocalcemia": ["hypocalcemia"],
    "Hypothyroidism": ["hypothyroidism"],
    "Creatinine increased": ["creatinine_increased"],
    "Thromboembolic event": ["thromboembolic_event"],
    "Arterial thromboembolism": ["arterial_thromboembolism"],
    'Hoarseness (used for "dysphonia")': ["hoarseness"],
    'Voice alteration (alternative for "dysphonia")': ["voice_alteration"],
    "Epistaxis": ["epistaxis"],
    "Upper gastrointestinal hemorrhage (same text: Lower GI, Gastric, Oral, Tumor hemorrhage)": [
        "upper_gastrointestinal_hemorrhage",
        "lower_gastrointestinal_hemorrhage",
        "gastric_hemorrhage",
        "oral_hemorrhage",
        "tumor_hemorrhage",
    ],
    "Bronchopulmonary hemorrhage": ["bronchopulmonary_hemorrhage"],
    "Intracranial hemorrhage": ["intracranial_hemorrhage"],
    "Hematuria": ["hematuria"],
    "Heart failure": ["heart_failure"],
    "Ejection fraction decreased": ["ejection_fraction_decreased"],
    "Thyroid stimulating hormone increased": ["thyroid_stimulating_hormone_increased"],
}


def _reference_section_1_2() -> dict[str, tuple[str | None, dict[int, str]]]:
    """Parse reference.md 1.2 into heading -> (MedDRA code, {grade: descriptor})."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("### 1.2 Term definitions")[1].split("### 1.3")[0]
    parsed = {}
    for block in re.split(r"\n(?=\*\*)", section):
        head = re.match(r"\*\*(.+?)\*\* \((.+?)\)", block)
        if not head:
            continue
        code = re.search(r"MedDRA (\d+)", head.group(2))
        grades = {int(m.group(1)): m.group(2) for m in re.finditer(r"^- G(\d): (.*)$", block, re.M)}
        parsed[head.group(1)] = (code.group(1) if code else None, grades)
    return parsed


def _reference_section_1_2() -> dict[str, tuple[str | None, dict[int, str]]]:
    """Parse reference.md 1.2 into heading -> (MedDRA code, {grade: descriptor})."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("### 1.2 Term definitions")[1].split("### 1.3")[0]
    parsed = {}
    for block in re.split(r"\n(?=\*\*)", section):
        head = re.match(r"\*\*(.+?)\*\* \((.+?)\)", block)
        if not head:
            continue
        code = re.search(r"MedDRA (\d+)", head.group(2))
        grades = {int(m.group(1)): m.group(2) for m in re.finditer(r"^- G(\d): (.*)$", block, re.M)}
        parsed[head.group(1)] = (code.group(1) if code else None, grades)
    return parsed


def _adult(text: str) -> str:
    """The adult part of a dictionary cell, with ">=" read as "≥" (data/README.md)."""
    first = text.split("\n\n")[0].strip().rstrip(";").strip()
    first = re.sub(r"^Adult and Pediatric: ", "", first)
    return first.replace(">=", "\u2265").replace("<=", "\u2264").rstrip(";")


def _ref(text: str) -> str:
    return text.replace(">=", "\u2265").replace("<=", "\u2264")


def test_the_dictionary_holds_all_837_terms_of_the_data_file():
    with DICTIONARY_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(TERMS) == 837
    assert {term_key(r["term"]) for r in rows} == set(TERMS)


def test_the_data_file_in_the_repository_is_the_shared_one_with_its_provenance():
    readme = DICTIONARY_FILE.parent / "README.md"
    assert "Provenance" in readme.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        (
            "Electrocardiogram QT corrected interval prolonged",
            QT := ("electrocardiogram_qt_corrected_interval_prolonged"),
        ),
        (
            "Palmar-plantar erythrodysesthesia syndrome",
            "palmar_plantar_erythrodysesthesia_syndrome",
        ),
        (
            "Blood and lymphatic system disorders - Other, specify",
            "blood_and_lymphatic_system_disorders_other_specify",
        ),
        ("Chest pain - cardiac", "chest_pain_cardiac"),
    ],
)
def test_terms_are_keyed_by_their_lower_snake_case_name(name, key):
    assert term_key(name) == key
    assert TERMS[key].name == name


@pytest.mark.parametrize(
    ("key", "grades"),
    [
        ("transient_ischemic_attacks", (1, 2)),
        ("nephrotic_syndrome", (3, 4, 5)),
        ("myocardial_infarction", (2, 3, 4, 5)),
        ("stroke", (1, 2, 3, 4, 5)),
        ("colonic_perforation", (2, 3, 4, 5)),
        ("gallbladder_perforation", (4, 5)),
        ("ejection_fraction_decreased", (2, 3, 4)),
    ],
)
def test_a_grade_whose_cell_holds_a_dash_does_not_exist(key, grades):
    assert TERMS[key].grades == grades


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_term_of_reference_1_2_has_the_grades_it_gives(key):
    assert TERMS[key].grades == EXPECTED[key][1]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_term_agrees_with_the_meddra_code_reference_md_gives(key):
    code = EXPECTED[key][0]
    assert TERMS[key].meddra_code.isdigit()
    if code is not None:
        assert TERMS[key].meddra_code == code


def test_the_dictionary_fills_the_codes_reference_md_leaves_blank():
    assert TERMS["hepatic_failure"].meddra_code == "10019663"


@pytest.mark.parametrize("key", sorted(TERMS))
def test_each_term_is_keyed_by_its_own_key_and_is_ctcae_v5(key):
    assert (TERMS[key].key, TERMS[key].version) == (key, "5.0")
    assert TERMS[key].system_organ_class


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_exactly_the_terms_with_numeric_criteria_are_computable(key):
    assert TERMS[key].computable is (key in COMPUTABLE)


@pytest.mark.parametrize("heading", sorted(HEADING_TO_KEYS))
def test_descriptors_agree_with_reference_md_word_for_word(heading):
    # data/README.md: equal once ">=" is read as "≥" and only the adult part of a
    # cell is compared; Hypertension grade 4 differs only by its prefix.
    _code, grades = _reference_section_1_2()[heading]
    for key in HEADING_TO_KEYS[heading]:
        term = TERMS[key]
        assert {g: _adult(t) for g, t in term.descriptors.items()} == {
            g: _ref(t).rstrip(";") for g, t in grades.items()
        }


def test_every_heading_of_reference_section_1_2_is_mapped():
    # Hepatic failure is written in prose in reference.md and checked separately.
    assert set(_reference_section_1_2()) - {"Hepatic failure"} == set(HEADING_TO_KEYS)


def test_hepatic_failure_carries_the_descriptors_reference_md_quotes_in_prose():
    assert {g: _adult(t) for g, t in TERMS["hepatic_failure"].descriptors.items()} == {
        3: (
            "Asterixis; mild encephalopathy; drug-induced liver injury (DILI); "
            "limiting self care ADL"
        ),
        4: "Life-threatening consequences; moderate to severe encephalopathy; coma",
        5: "Death",
    }


def test_descriptors_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        TERMS["hypertension"].descriptors[1] = "edited"  # type: ignore[index]
    with pytest.raises(TypeError):
        TERMS["new"] = TERMS["hypertension"]  # type: ignore[index]


def test_the_generic_grade_definitions_cover_grades_1_to_5():
    assert sorted(GENERIC_GRADE_DEFINITIONS) == [1, 2, 3, 4, 5]
    assert GENERIC_GRADE_DEFINITIONS[5] == "Death related to AE."


def test_get_term_returns_the_v5_term():
    assert get_term("hypertension") is TERMS["hypertension"]
    assert get_term("hypertension", "5.0") is TERMS["hypertension"]


def test_the_registry_is_keyed_by_version():
    assert CTCAE_VERSION == "5.0"
    assert TERMS_BY_VERSION == {"5.0": TERMS}


@pytest.mark.parametrize(
    ("key", "version", "message"),
    [
        ("no_such_term", "5.0", "unknown CTCAE v5.0 term"),
        ("gastrointestinal_perforation", "5.0", "unknown CTCAE v5.0 term"),
        ("hypertension", "6.0", "not loaded"),
    ],
)
def test_get_term_raises_a_clear_key_error(key, version, message):
    with pytest.raises(KeyError, match=message):
        get_term(key, version)


@pytest.mark.parametrize(
    "key",
    [
        "gastrointestinal_perforation",
        "fistula",
        "impaired_wound_healing",
        "cerebral_infarction",
        "cardiac_ischemia",
    ],
)
def test_label_words_that_are_not_ctcae_terms_are_not_in_the_dictionary(key):
    assert key not in TERMS


def test_hemorrhage_terms_are_every_hemorrhage_term_with_epistaxis_and_hematuria():
    bleeding = {k for k, t in TERMS.items() if t.name.endswith("hemorrhage")}
    assert bleeding | {"epistaxis", "hematuria"} == HEMORRHAGE_TERMS
    assert {"pharyngeal_hemorrhage", "laryngeal_hemorrhage", "tracheal_hemorrhage"} <= bleeding


def test_gi_perforation_is_every_site_specific_gi_perforation_term():
    assert {
        "colonic_perforation",
        "duodenal_perforation",
        "esophageal_perforation",
        "gastric_perforation",
        "ileal_perforation",
        "jejunal_perforation",
        "rectal_perforation",
        "small_intestinal_perforation",
    } == GI_PERFORATION_TERMS


def test_fistulas_split_into_gi_and_non_gi_and_cover_every_fistula_term():
    assert "gastrointestinal_fistula" in GI_FISTULA_TERMS
    assert {"bronchial_fistula", "urinary_fistula"} <= NON_GI_FISTULA_TERMS
    assert GI_FISTULA_TERMS | NON_GI_FISTULA_TERMS == FISTULA_TERMS
    assert {k for k, t in TERMS.items() if t.name.endswith("fistula")} == FISTULA_TERMS


def test_wound_healing_is_wound_complication_and_dehiscence():
    assert {"wound_complication", "wound_dehiscence"} == WOUND_HEALING_TERMS


@pytest.mark.parametrize(
    "key", ["hypokalemia", "hypocalcemia", "anemia", "platelet_count_decreased"]
)
def test_laboratory_terms_include_the_assays(key):
    assert key in LABORATORY_TERMS


@pytest.mark.parametrize(
    "key",
    [
        "hypertension",
        "electrocardiogram_qt_corrected_interval_prolonged",
        "fatigue",
        "ejection_fraction_decreased",
        "carbon_monoxide_diffusing_capacity_decreased",
    ],
)
def test_laboratory_terms_leave_out_what_is_not_an_assay(key):
    assert key not in LABORATORY_TERMS


@pytest.mark.parametrize(
    "group",
    [
        HEMORRHAGE_TERMS,
        ARTERIAL_THROMBOEMBOLIC_TERMS,
        VENOUS_THROMBOEMBOLIC_TERMS,
        FISTULA_TERMS,
        GI_PERFORATION_TERMS,
        WOUND_HEALING_TERMS,
        LABORATORY_TERMS,
    ],
)
def test_every_grouped_key_is_a_ctcae_term(group):
    assert group <= set(TERMS)


def test_arterial_events_are_graded_with_their_own_terms():
    assert {
        "arterial_thromboembolism",
        "myocardial_infarction",
        "stroke",
        "transient_ischemic_attacks",
    } == ARTERIAL_THROMBOEMBOLIC_TERMS


def test_venous_thromboembolism_is_the_thromboembolic_event_term():
    assert set(VENOUS_THROMBOEMBOLIC_TERMS) == {"thromboembolic_event"}


def test_arterial_and_venous_groups_do_not_overlap():
    assert not ARTERIAL_THROMBOEMBOLIC_TERMS & VENOUS_THROMBOEMBOLIC_TERMS
