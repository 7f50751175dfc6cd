"""Hypertension is graded on the mean of a visit's readings (reference.md 1.4; policy.md 5)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_hypertension, mean_bp


@pytest.mark.parametrize(
    ("sbp", "dbp", "expected"),
    [
        # reference.md 1.4 boundary checks
        (119, 79, 0),
        (120, 70, 1),
        (139, 89, 1),
        (140, 70, 2),
        (130, 90, 2),
        (159, 99, 2),
        (160, 70, 3),
        (150, 100, 3),
        # each threshold taken alone, systolic and diastolic
        (110, 80, 1),
        (110, 89, 1),
        (140, 90, 2),
        (110, 99, 2),
        (159, 70, 2),
        (110, 100, 3),
        (165, 102, 3),
        # worse of the two counts
        (119, 100, 3),
        (170, 60, 3),
    ],
)
def test_each_reading_is_graded_on_the_worse_of_systolic_and_diastolic(sbp, dbp, expected):
    assert grade_hypertension([(sbp, dbp), (sbp, dbp)]).grade == expected


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([(162, 88), (158, 90)], 3),  # mean 160/89: SBP exactly 160
        ([(160, 100), (159, 99)], 2),  # mean 159.5/99.5: half-open bands, below 160/100
        ([(140, 70), (139, 70)], 1),  # mean 139.5: below 140
        ([(159.7, 90), (160.3, 90)], 3),  # float sum lands on 160.0
        ([(158, 92), (158, 92), (158, 92)], 2),  # scenario 3
    ],
)
def test_the_visit_is_graded_on_the_mean_of_its_readings(readings, expected):
    assert grade_hypertension(readings).grade == expected


def test_a_mean_of_119_5_is_grade_0_because_g0_is_sbp_below_120():
    assert grade_hypertension([(120, 70), (119, 70)]).grade == 0


def test_mean_bp_averages_systolic_and_diastolic_separately():
    assert mean_bp([(162, 88), (158, 90)]) == (160.0, 89.0)


def test_a_single_reading_gives_a_provisional_grade():
    result = grade_hypertension([(150, 95)])
    assert (result.grade, result.provisional) == (2, True)


def test_two_readings_give_a_firm_grade():
    assert grade_hypertension([(150, 95), (148, 93)]).provisional is False


def test_the_basis_names_the_number_of_readings_and_the_means():
    assert grade_hypertension([(162, 88), (160, 90)]).basis == "mean of 2 readings 161/89 mm Hg"


def test_numbers_alone_never_make_grade_4():
    assert grade_hypertension([(300, 200), (290, 190)]).grade == 3


@pytest.mark.parametrize(
    "readings",
    [[], [(120, 130)], [(0, 0)], [(120, -5)]],
)
def test_impossible_readings_are_refused(readings):
    with pytest.raises(ValueError):
        grade_hypertension(readings)
