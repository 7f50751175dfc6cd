"""The CTCAE v5.0 term registry holds reference.md section 1.2 word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toxicity.ctcae.terms import (
    ARTERIAL_THROMBOEMBOLIC_TERMS,
    CTCAE_VERSION,
    GENERIC_GRADE_DEFINITIONS,
    HEMORRHAGE_TERMS,
    LABEL_EVENTS,
    TERMS,
    TERMS_BY_VERSION,
    VENOUS_THROMBOEMBOLIC_TERMS,
    get_term,
)

# The clinical sources are kept with the code (docs/sources/), copied from the
# team's shared clinical folder, so this check runs wherever the suite runs.
REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "sources" / "reference.md"

# Literal copy of reference.md 1.2: key -> (MedDRA code or None, grades that exist).
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


def needs_reference(test):
    return test


def test_the_registry_holds_exactly_the_terms_of_reference_section_1_2():
    assert set(TERMS) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_term_has_descriptors_for_exactly_its_existing_grades(key):
    term = TERMS[key]
    assert term.grades == EXPECTED[key][1]
    assert all(isinstance(text, str) and text.strip() for text in term.descriptors.values())


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_term_records_the_meddra_code_reference_md_gives(key):
    assert TERMS[key].meddra_code == EXPECTED[key][0]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_term_is_keyed_by_its_own_key_and_is_ctcae_v5(key):
    assert (TERMS[key].key, TERMS[key].version) == (key, "5.0")


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_exactly_the_terms_with_numeric_criteria_are_computable(key):
    assert TERMS[key].computable is (key in COMPUTABLE)


@needs_reference
@pytest.mark.parametrize("heading", sorted(HEADING_TO_KEYS))
def test_descriptors_match_reference_md_word_for_word(heading):
    code, grades = _reference_section_1_2()[heading]
    for key in HEADING_TO_KEYS[heading]:
        assert dict(TERMS[key].descriptors) == grades


@needs_reference
def test_every_heading_of_reference_section_1_2_is_mapped():
    # Hepatic failure is written in prose in reference.md and checked separately.
    assert set(_reference_section_1_2()) - {"Hepatic failure"} == set(HEADING_TO_KEYS)


def test_hepatic_failure_carries_the_prose_descriptors_of_reference_md():
    assert dict(TERMS["hepatic_failure"].descriptors) == {
        3: (
            "Asterixis; mild encephalopathy; drug-induced liver injury (DILI); "
            "limiting self care ADL"
        ),
        4: "Life-threatening consequences; moderate to severe encephalopathy; coma",
        5: "Death",
    }


@pytest.mark.parametrize(
    ("key", "grade", "text"),
    [
        (
            "hypertension",
            1,
            "Adult: Systolic BP 120 - 139 mm Hg or diastolic BP 80 - 89 mm Hg",
        ),
        (
            "electrocardiogram_qt_corrected_interval_prolonged",
            3,
            "Average QTc \u2265 501 ms; >60 ms change from baseline",
        ),
        ("proteinuria", 2, "Adult: 2+ and 3+ proteinuria; urinary protein 1.0 - <3.5 g/24 hrs"),
        ("thyroid_stimulating_hormone_increased", 1, "TSH increased and no intervention initiated"),
    ],
)
def test_selected_descriptors_keep_their_exact_wording(key, grade, text):
    assert TERMS[key].descriptors[grade] == text


def test_descriptors_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        TERMS["hypertension"].descriptors[1] = "edited"  # type: ignore[index]


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
        ("stroke", "5.0", "label event"),
        ("hypertension", "6.0", "not loaded"),
    ],
)
def test_get_term_raises_a_clear_key_error(key, version, message):
    with pytest.raises(KeyError, match=message):
        get_term(key, version)


def test_label_events_are_not_ctcae_terms_here_and_ask_for_a_clinician_grade():
    assert not set(LABEL_EVENTS) & set(TERMS)
    for event in LABEL_EVENTS.values():
        assert "clinician grade 0-5" in event.note
        assert event.key and event.name and event.source


@pytest.mark.parametrize(
    "key",
    [
        "myocardial_infarction",
        "stroke",
        "transient_ischemic_attacks",
        "pharyngeal_hemorrhage",
        "laryngeal_hemorrhage",
        "tracheal_hemorrhage",
        "hypokalemia",
        "nephrotic_syndrome",
        "gastrointestinal_perforation",
        "fistula",
        "reversible_posterior_leukoencephalopathy_syndrome",
        "osteonecrosis_of_jaw",
    ],
)
def test_label_named_events_without_descriptors_are_registered(key):
    assert key in LABEL_EVENTS


def test_hemorrhage_terms_include_every_bleeding_term_with_epistaxis_and_hematuria():
    bleeding_terms = {k for k in TERMS if k.endswith("_hemorrhage")} | {"epistaxis", "hematuria"}
    assert bleeding_terms <= HEMORRHAGE_TERMS


@pytest.mark.parametrize(
    "group", [HEMORRHAGE_TERMS, ARTERIAL_THROMBOEMBOLIC_TERMS, VENOUS_THROMBOEMBOLIC_TERMS]
)
def test_every_grouped_key_is_a_term_or_a_label_event(group):
    assert group <= set(TERMS) | set(LABEL_EVENTS)


def test_arterial_events_are_graded_with_their_own_terms():
    assert {
        "arterial_thromboembolism",
        "myocardial_infarction",
        "stroke",
        "transient_ischemic_attacks",
    } <= ARTERIAL_THROMBOEMBOLIC_TERMS


def test_venous_thromboembolism_is_the_thromboembolic_event_term():
    assert set(VENOUS_THROMBOEMBOLIC_TERMS) == {"thromboembolic_event"}


def test_arterial_and_venous_groups_do_not_overlap():
    assert not ARTERIAL_THROMBOEMBOLIC_TERMS & VENOUS_THROMBOEMBOLIC_TERMS
