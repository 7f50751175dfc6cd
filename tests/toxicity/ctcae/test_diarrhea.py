"""Diarrhea is graded on the increase in stools per day over baseline (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_diarrhea


@pytest.mark.parametrize(
    ("stools", "baseline", "expected"),
    [
        (1, 1, 0),  # no increase
        (0, 2, 0),  # fewer than baseline
        (2, 1, 1),  # +1
        (4, 1, 1),  # +3: CTCAE G1 "<4"
        (5, 1, 2),  # +4: CTCAE G2 "4 - 6"
        (6, 2, 2),  # +4, scenario 18
        (6, 1, 2),  # +5, scenario 21
        (7, 1, 2),  # +6
        (8, 1, 3),  # +7: CTCAE G3 ">=7", scenario 19
        (30, 1, 3),  # numbers never make G4
        (4.5, 1, 1),  # +3.5 is still "<4"
        (7.5, 1, 3),  # +6.5 lies between "4 - 6" and ">=7": conservative G3
    ],
)
def test_grade_follows_the_increase_over_baseline(stools, baseline, expected):
    assert grade_diarrhea(stools, baseline).grade == expected


def test_a_diarrhea_grade_is_never_provisional():
    assert grade_diarrhea(8, 1).provisional is False


@pytest.mark.parametrize(("stools", "baseline"), [(-1, 1), (3, -1)])
def test_negative_stool_counts_are_refused(stools, baseline):
    with pytest.raises(ValueError):
        grade_diarrhea(stools, baseline)
