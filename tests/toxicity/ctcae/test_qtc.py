"""QTc: average of replicate ECGs, plus the change from baseline (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_qtc


@pytest.mark.parametrize(
    ("qtc", "expected"),
    [
        (430, 0),
        (449, 0),
        (449.9, 0),  # G0 is "<450"
        (450, 1),
        (480, 1),  # scenario 34
        (480.5, 2),  # between "450 - 480" and "481 - 500": conservative G2
        (481, 2),
        (500, 2),  # scenario 34
        (500.5, 3),  # between "481 - 500" and ">=501": conservative G3
        (501, 3),
        (505, 3),
        (700, 3),  # numbers never make G4
    ],
)
def test_average_qtc_is_graded_on_the_ctcae_bands(qtc, expected):
    assert grade_qtc(qtc).grade == expected


@pytest.mark.parametrize(
    ("qtc", "baseline", "expected"),
    [
        (490, 430, 2),  # +60 ms: not ">60"
        (491, 430, 3),  # +61 ms
        (470, 410, 1),  # +60 ms stays on the absolute band
        (471, 410, 3),  # +61 ms makes G3 even at 471 ms
        (505, 430, 3),  # scenario 33
        (440, 460, 0),  # a fall is not a prolongation
    ],
)
def test_an_increase_of_more_than_60_ms_from_baseline_is_grade_3(qtc, baseline, expected):
    assert grade_qtc(qtc, baseline_qtc_ms=baseline).grade == expected


def test_a_qtc_grade_is_never_provisional():
    assert grade_qtc(481).provisional is False


@pytest.mark.parametrize(("qtc", "baseline"), [(0, None), (-450, None), (450, 0)])
def test_impossible_qtc_values_are_refused(qtc, baseline):
    with pytest.raises(ValueError):
        grade_qtc(qtc, baseline)
