"""Hypocalcemia: albumin-corrected calcium in mg/dL, or ionized calcium (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import corrected_calcium_mg_dl, grade_hypocalcemia


@pytest.mark.parametrize(
    ("calcium", "albumin", "expected"),
    [
        (6.6, 3.0, 7.4),  # scenario 35
        (8.0, 4.0, 8.0),  # albumin 4.0: no correction
        (8.0, 5.0, 7.2),
        (7.2, 3.0, 8.0),
    ],
)
def test_corrected_calcium_adds_0_8_per_g_dl_of_albumin_below_4(calcium, albumin, expected):
    assert corrected_calcium_mg_dl(calcium, albumin) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("calcium", "expected"),
    [
        (8.5, 0),  # = LLN
        (8.4, 1),  # <LLN
        (8.0, 1),  # CTCAE G1 "<LLN - 8.0 mg/dL"
        (7.99, 2),  # CTCAE G2 "<8.0 - 7.0 mg/dL"
        (7.0, 2),
        (6.99, 3),  # CTCAE G3 "<7.0 - 6.0 mg/dL"
        (6.0, 3),
        (5.99, 4),  # CTCAE G4 "<6.0 mg/dL"
    ],
)
def test_corrected_calcium_is_graded_on_the_mg_dl_edges(calcium, expected):
    result = grade_hypocalcemia(calcium_mg_dl=calcium, albumin_g_dl=4.0, lln=8.5)
    assert (result.grade, result.provisional) == (expected, False)


def test_scenario_35_calcium_6_6_with_albumin_3_0_is_grade_2():
    assert grade_hypocalcemia(calcium_mg_dl=6.6, albumin_g_dl=3.0).grade == 2


def test_a_corrected_value_exactly_on_an_edge_keeps_the_lower_grade():
    assert grade_hypocalcemia(calcium_mg_dl=6.2, albumin_g_dl=3.0, lln=8.5).grade == 2  # 7.0


@pytest.mark.parametrize("calcium", [8.0, 9.0])
def test_without_an_lln_a_value_of_8_0_or_more_is_a_provisional_grade_0(calcium):
    result = grade_hypocalcemia(calcium_mg_dl=calcium, albumin_g_dl=4.0)
    assert (result.grade, result.provisional) == (0, True)
    assert "no LLN given" in result.basis


def test_without_an_lln_a_value_below_8_0_is_still_graded_firmly():
    result = grade_hypocalcemia(calcium_mg_dl=7.99, albumin_g_dl=4.0)
    assert (result.grade, result.provisional) == (2, False)


@pytest.mark.parametrize(
    ("ionized", "expected"),
    [
        (1.12, 0),  # = LLN
        (1.11, 1),
        (1.0, 1),  # CTCAE G1 "Ionized calcium <LLN - 1.0 mmol/L"
        (0.99, 2),
        (0.9, 2),  # CTCAE G2 "<1.0 - 0.9 mmol/L"
        (0.89, 3),
        (0.8, 3),  # CTCAE G3 "<0.9 - 0.8 mmol/L"
        (0.79, 4),  # CTCAE G4 "<0.8 mmol/L"
    ],
)
def test_ionized_calcium_is_graded_on_the_mmol_l_edges(ionized, expected):
    assert grade_hypocalcemia(ionized_calcium_mmol_l=ionized, lln=1.12).grade == expected


def test_without_an_lln_ionized_calcium_of_1_0_is_a_provisional_grade_0():
    result = grade_hypocalcemia(ionized_calcium_mmol_l=1.0)
    assert (result.grade, result.provisional) == (0, True)


def test_with_both_measurements_the_worse_grade_counts():
    result = grade_hypocalcemia(calcium_mg_dl=7.5, albumin_g_dl=4.0, ionized_calcium_mmol_l=0.85)
    assert result.grade == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"calcium_mg_dl": 7.5},  # corrected calcium needs albumin
        {"calcium_mg_dl": 7.5, "albumin_g_dl": 0.0},
        {"calcium_mg_dl": 0.0, "albumin_g_dl": 4.0},
        {"ionized_calcium_mmol_l": 0.0},
        {"ionized_calcium_mmol_l": 1.0, "lln": 0.0},
        {"calcium_mg_dl": 7.5, "albumin_g_dl": 4.0, "ionized_calcium_mmol_l": 1.0, "lln": 8.5},
    ],
)
def test_impossible_or_ambiguous_calcium_inputs_are_refused(kwargs):
    with pytest.raises(ValueError):
        grade_hypocalcemia(**kwargs)
