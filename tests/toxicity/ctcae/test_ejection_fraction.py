"""Ejection fraction decreased: resting EF, or the drop from baseline (reference.md 1.2, 1.4).

Project convention: the drop is measured in absolute percentage points.
"""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_ejection_fraction


@pytest.mark.parametrize(
    ("ef", "expected"),
    [
        (60, 0),
        (50.5, 0),  # above 50 %: no G1 exists for this term
        (50, 2),  # CTCAE G2 "50 - 40%"
        (40, 2),
        (39.5, 3),  # between "50 - 40%" and "39 - 20%": conservative G3
        (39, 3),  # CTCAE G3 "39 - 20%"
        (20, 3),
        (19.9, 4),  # CTCAE G4 "<20%"
        (10, 4),
    ],
)
def test_resting_ef_is_graded_on_the_ctcae_bands(ef, expected):
    assert grade_ejection_fraction(ef).grade == expected


@pytest.mark.parametrize(
    ("ef", "expected"),
    [
        (71, 0),  # 9-point drop
        (70, 2),  # 10-point drop: CTCAE G2 "10 - 19% drop"
        (61, 2),  # 19-point drop
        (60.5, 3),  # 19.5 points: between "10 - 19%" and ">=20%": conservative G3
        (60, 3),  # 20-point drop: CTCAE G3 ">=20% drop"
        (85, 0),  # a rise
    ],
)
def test_a_drop_from_baseline_in_percentage_points_is_graded(ef, expected):
    assert grade_ejection_fraction(ef, baseline_ef_percent=80).grade == expected


def test_the_worse_of_the_value_and_the_drop_counts():
    assert grade_ejection_fraction(38, baseline_ef_percent=45).grade == 3  # value G3, drop 7


@pytest.mark.parametrize(("ef", "baseline"), [(0, None), (101, None), (50, 0), (50, 120)])
def test_impossible_ef_values_are_refused(ef, baseline):
    with pytest.raises(ValueError):
        grade_ejection_fraction(ef, baseline)
