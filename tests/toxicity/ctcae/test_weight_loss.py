"""Weight loss is graded on % loss from the pre-treatment weight (reference.md 1.4)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import grade_weight_loss


@pytest.mark.parametrize(
    ("weight", "baseline", "expected"),
    [
        (70.0, 70.0, 0),
        (75.0, 70.0, 0),  # weight gain
        (66.51, 70.0, 0),  # 4.99 %
        (66.5, 70.0, 1),  # exactly 5.0 %
        (63.01, 70.0, 1),  # 9.99 %
        (63.0, 70.0, 2),  # exactly 10.0 %
        (62.5, 70.0, 2),  # 10.7 %, scenario 36
        (56.01, 70.0, 2),  # 19.99 %
        (56.0, 70.0, 3),  # exactly 20.0 %
        (35.0, 70.0, 3),  # numbers stop at G3
    ],
)
def test_grade_follows_percent_loss_from_baseline(weight, baseline, expected):
    assert grade_weight_loss(weight, baseline).grade == expected


@pytest.mark.parametrize(
    ("weight", "baseline", "expected"),
    [
        # Exactly on an edge in decimal, a hair below it in binary floating point.
        (38.38, 40.4, 1),  # 5.0 %
        (36.09, 40.1, 2),  # 10.0 %
        (36.36, 40.4, 2),  # 10.0 %
        (32.24, 40.3, 3),  # 20.0 %
    ],
)
def test_an_edge_hit_exactly_is_not_lost_to_floating_point_error(weight, baseline, expected):
    assert grade_weight_loss(weight, baseline).grade == expected


@pytest.mark.parametrize(("weight", "baseline"), [(60.0, 0.0), (60.0, -1.0), (0.0, 70.0)])
def test_impossible_weights_are_refused(weight, baseline):
    with pytest.raises(ValueError):
        grade_weight_loss(weight, baseline)
