"""Creatinine: graded on the ULN and the baseline basis; the higher wins (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_creatinine


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.2, 0),  # = ULN
        (1.3, 1),
        (1.8, 1),  # exactly 1.5 x ULN
        (1.81, 2),
        (3.6, 2),  # exactly 3.0 x ULN
        (3.61, 3),
        (7.2, 3),  # exactly 6.0 x ULN
        (7.21, 4),
    ],
)
def test_creatinine_without_baseline_is_graded_on_multiples_of_uln(value, expected):
    assert grade_creatinine(value, uln=1.2).grade == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.75, 0),  # exactly 1.5 x baseline, below ULN
        (0.76, 2),  # >1.5 x baseline
        (1.5, 2),  # exactly 3.0 x baseline
        (1.51, 3),  # >3.0 x baseline
    ],
)
def test_creatinine_is_also_graded_on_multiples_of_baseline(value, expected):
    assert grade_creatinine(value, uln=2.0, baseline=0.5).grade == expected


def test_scenario_37_creatinine_2_0_with_uln_1_2_and_baseline_0_9_is_grade_2():
    assert grade_creatinine(2.0, uln=1.2, baseline=0.9).grade == 2


def test_the_uln_basis_wins_when_it_is_higher():
    assert grade_creatinine(8.0, uln=1.2, baseline=1.0).grade == 4  # 6.7 x ULN vs 8 x baseline


def test_a_creatinine_edge_hit_exactly_is_not_lost_to_floating_point_error():
    assert grade_creatinine(1.08, uln=0.18).grade == 3  # 6.0 x ULN in decimal


@pytest.mark.parametrize(
    ("value", "uln", "baseline"),
    [(1.0, 0.0, None), (1.0, 1.2, 0.0), (-1.0, 1.2, None), (1.0, 1.2, -0.5)],
)
def test_impossible_creatinine_inputs_are_refused(value, uln, baseline):
    with pytest.raises(ValueError):
        grade_creatinine(value, uln, baseline)
