"""ALT, AST and bilirubin: multiples of ULN, or of an abnormal baseline (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_bilirubin, grade_transaminase


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (40, 0),  # = ULN
        (41, 1),  # >ULN
        (120, 1),  # exactly 3.0 x ULN
        (121, 2),
        (200, 2),  # exactly 5.0 x ULN
        (201, 3),
        (260, 3),  # 6.5 x ULN, scenario 30
        (280, 3),  # 7 x ULN, scenario 41
        (800, 3),  # exactly 20.0 x ULN
        (801, 4),
    ],
)
def test_transaminase_with_normal_baseline_is_graded_on_multiples_of_uln(value, expected):
    assert grade_transaminase(value, uln=40, baseline=30).grade == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (80, 0),  # = baseline
        (119, 0),  # below 1.5 x baseline: no new AE
        (120, 1),  # exactly 1.5 x baseline
        (240, 1),  # exactly 3.0 x baseline
        (241, 2),
        (260, 2),  # 3.25 x baseline, scenario 31 (not G3)
        (400, 2),  # exactly 5.0 x baseline
        (401, 3),
        (1600, 3),  # exactly 20.0 x baseline
        (1601, 4),
    ],
)
def test_transaminase_with_abnormal_baseline_is_graded_on_multiples_of_baseline(value, expected):
    assert grade_transaminase(value, uln=40, baseline=80).grade == expected


def test_a_baseline_equal_to_uln_counts_as_normal():
    assert grade_transaminase(121, uln=40, baseline=40).grade == 2


@pytest.mark.parametrize(
    ("value", "uln", "expected"),
    [
        (1.05, 0.35, 1),  # 3.0 x in decimal, 3.0000000000000004 in binary
        (2.35, 0.47, 2),  # 5.0 x
        (9.4, 0.47, 3),  # 20.0 x
    ],
)
def test_a_transaminase_edge_hit_exactly_is_not_lost_to_floating_point_error(value, uln, expected):
    assert grade_transaminase(value, uln=uln, baseline=uln / 2).grade == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.2, 0),  # = ULN
        (1.21, 1),
        (1.8, 1),  # exactly 1.5 x ULN
        (1.81, 2),
        (3.6, 2),  # exactly 3.0 x ULN
        (3.61, 3),
        (12.0, 3),  # exactly 10.0 x ULN
        (12.1, 4),
    ],
)
def test_bilirubin_with_normal_baseline_is_graded_on_multiples_of_uln(value, expected):
    assert grade_bilirubin(value, uln=1.2, baseline=0.8).grade == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.0, 0),  # = baseline
        (2.1, 1),  # >1.0 x baseline
        (3.0, 1),  # exactly 1.5 x baseline
        (3.1, 2),
        (6.0, 2),  # exactly 3.0 x baseline
        (6.1, 3),
        (20.0, 3),  # exactly 10.0 x baseline
        (20.1, 4),
    ],
)
def test_bilirubin_with_abnormal_baseline_is_graded_on_multiples_of_baseline(value, expected):
    assert grade_bilirubin(value, uln=1.2, baseline=2.0).grade == expected


@pytest.mark.parametrize(
    ("value", "uln", "expected"),
    [(0.27, 0.18, 1), (4.7, 0.47, 3)],  # exactly 1.5 x and 10.0 x in decimal
)
def test_a_bilirubin_edge_hit_exactly_is_not_lost_to_floating_point_error(value, uln, expected):
    assert grade_bilirubin(value, uln=uln, baseline=uln / 2).grade == expected


@pytest.mark.parametrize("grade_fn", [grade_transaminase, grade_bilirubin])
@pytest.mark.parametrize(
    ("value", "uln", "baseline"),
    [(50, 0, 30), (50, -40, 30), (50, 40, 0), (50, 40, -1), (-1, 40, 30), (50, 40, None)],
)
def test_impossible_liver_inputs_are_refused(grade_fn, value, uln, baseline):
    with pytest.raises(ValueError):
        grade_fn(value, uln, baseline)
