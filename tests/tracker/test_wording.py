"""Measurements in words: what the inbox and the record print for each observation."""

from __future__ import annotations

import pytest

from toxicity.ctcae.terms import TERMS
from toxicity.rules import evaluate
from tracker import wording
from tracker.wording import FLAG_WORDS, MEASUREMENT_WORDS, measurement_text


@pytest.mark.parametrize(
    ("term", "measurements", "text"),
    [
        ("weight_loss", {"weight_kg": 74.2}, "Weight 74.2 kg"),
        (
            "weight_loss",
            {"weight_kg": 66.0, "baseline_weight_kg": 70.0},
            "Weight 66 kg (-5.7 % from baseline 70 kg)",
        ),
        ("fatigue", {"intolerable": True}, "intolerable to the patient"),
        ("fatigue", {"intolerable": False}, ""),
        ("electrocardiogram_qt_corrected_interval_prolonged", {"qtc_ms": 460}, "QTc 460 ms"),
        (
            "hypertension",
            {"readings": [[166, 102], [162, 100]], "optimal_antihypertensive_therapy": True},
            "166/102, 162/100 mm Hg · mean 164/101 mm Hg, on optimal antihypertensive therapy",
        ),
        ("hypertension", {"readings": [[150, 95]]}, "150/95 mm Hg"),
        (
            "alanine_aminotransferase_increased",
            {"value": 260, "uln": 40, "baseline": 30},
            "Value 260 U/L, ULN 40 U/L, baseline 30 U/L",
        ),
        (
            "diarrhea",
            {"stools_per_day": 6, "baseline_stools_per_day": 2},
            "Stools per day 6, baseline 2",
        ),
        ("proteinuria", {"urine_protein_g_24h": 0.73}, "24-h urine protein 0.73 g"),
        (
            "hypocalcemia",
            {"calcium_mg_dl": 7.6, "albumin_g_dl": 3.0},
            "Calcium 7.6 mg/dL, Albumin 3 g/dL, corrected (formula unconfirmed) 8.4 mg/dL",
        ),
    ],
)
def test_measurements_read_as_words_with_units(term, measurements, text):
    assert measurement_text(term, measurements) == text


def test_every_measurement_and_flag_of_the_contract_has_words():
    known = set(MEASUREMENT_WORDS) | set(FLAG_WORDS) | {"readings"}
    assert evaluate._MEASUREMENT_FIELDS - known == set()
    assert set(evaluate._FLAGS) <= set(FLAG_WORDS)


def test_every_system_organ_class_of_the_dictionary_has_words():
    classes = {term.system_organ_class for term in TERMS.values()}
    assert classes == set(wording.SYSTEM_ORGAN_CLASSES)


def test_a_long_term_gets_its_short_heading_in_chinese_too():
    from django.utils import translation

    with translation.override("zh-hans"):
        heading = wording.term_heading(wording.term_name("aspartate_aminotransferase_increased"))
    assert heading == "AST"


def test_a_mean_diastolic_of_89_5_is_not_shown_as_90():
    text = measurement_text("hypertension", {"readings": [[138, 90], [138, 89]]})
    assert "mean 138/89.5 mm Hg" in text
