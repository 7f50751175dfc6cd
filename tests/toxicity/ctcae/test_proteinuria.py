"""Proteinuria: 24-h urine protein first, dipstick second, UPCR only as a screen.

reference.md 1.2 and 1.4; policy.md point 6.
"""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_proteinuria, needs_24h_collection

ULN = 0.15  # g/24 h, a typical laboratory ULN used for the tests


@pytest.mark.parametrize(
    ("grams", "expected"),
    [
        (0.0, 0),
        (0.14, 0),  # below ULN
        (0.15, 1),  # >=ULN
        (0.99, 1),
        (1.0, 2),  # CTCAE G2 "1.0 - <3.5 g/24 hrs"
        (1.9, 2),  # scenario 14
        (2.0, 2),  # scenario 16: the label threshold is not a CTCAE grade
        (2.4, 2),  # scenario 15
        (3.49, 2),
        (3.5, 3),  # CTCAE G3 ">=3.5 g/24 hrs"
        (4.1, 3),  # scenario 17
        (50.0, 3),  # there is no G4
    ],
)
def test_24h_urine_protein_is_graded_against_the_uln_and_the_1_0_and_3_5_g_edges(grams, expected):
    result = grade_proteinuria(urine_protein_g_24h=grams, uln_g_24h=ULN)
    assert (result.grade, result.provisional) == (expected, False)


def test_a_24h_value_below_1_g_without_a_uln_is_a_provisional_grade_1():
    result = grade_proteinuria(urine_protein_g_24h=0.5)
    assert (result.grade, result.provisional) == (1, True)
    assert "no ULN given" in result.basis


def test_zero_grams_without_a_uln_is_grade_0():
    result = grade_proteinuria(urine_protein_g_24h=0.0)
    assert (result.grade, result.provisional) == (0, False)


@pytest.mark.parametrize("grams", [1.0, 3.5])
def test_a_uln_is_not_needed_from_1_g_upwards(grams):
    assert grade_proteinuria(urine_protein_g_24h=grams).provisional is False


@pytest.mark.parametrize(
    ("dipstick", "expected"),
    [("negative", 0), ("trace", 0), ("1+", 1), ("2+", 2), ("3+", 2), ("4+", 3)],
)
def test_each_dipstick_value_gives_its_ctcae_v5_grade_provisionally(dipstick, expected):
    result = grade_proteinuria(dipstick=dipstick)
    assert (result.grade, result.provisional) == (expected, True)


def test_a_24h_value_takes_precedence_over_the_dipstick():
    result = grade_proteinuria(urine_protein_g_24h=0.5, dipstick="4+", uln_g_24h=ULN)
    assert (result.grade, result.provisional) == (1, False)


def test_a_upcr_alone_gives_no_ctcae_grade():
    assert grade_proteinuria(upcr_g_per_g=3.0) is None


def test_a_24h_value_is_graded_even_when_a_upcr_is_also_given():
    assert grade_proteinuria(urine_protein_g_24h=2.4, upcr_g_per_g=3.0).grade == 2


@pytest.mark.parametrize(
    ("dipstick", "expected"),
    [
        ("negative", False),
        ("trace", False),
        ("1+", False),
        ("2+", True),
        ("3+", True),
        ("4+", True),
        (None, False),
    ],
)
def test_a_dipstick_of_2_plus_or_more_asks_for_a_24h_collection(dipstick, expected):
    assert needs_24h_collection(dipstick=dipstick) is expected


@pytest.mark.parametrize("upcr", [0.1, 0.5, 2.4, 5.0])
def test_any_upcr_asks_for_a_24h_collection(upcr):
    assert needs_24h_collection(upcr_g_per_g=upcr) is True


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"dipstick": "5+"},
        {"dipstick": "positive"},
        {"urine_protein_g_24h": -0.1},
        {"urine_protein_g_24h": 0.5, "uln_g_24h": 0.0},
        {"upcr_g_per_g": -1.0},
    ],
)
def test_impossible_proteinuria_inputs_are_refused(kwargs):
    with pytest.raises(ValueError):
        grade_proteinuria(**kwargs)


def test_an_unknown_dipstick_value_is_refused_when_asking_for_a_collection():
    with pytest.raises(ValueError):
        needs_24h_collection(dipstick="++")
