"""Clinician and computed grades: the higher counts, never silently lowered (policy.md 7)."""

from __future__ import annotations

import pytest

from toxicity.ctcae.grading import Grade, final_grade


@pytest.mark.parametrize(
    ("computed", "clinician", "expected_grade", "expected_provisional"),
    [
        (Grade(2, True, "x"), None, 2, True),  # no clinician grade: computed stands
        (None, 3, 3, False),  # clinician only
        (Grade(2, True, "x"), 3, 3, False),  # clinician raises: not provisional
        (Grade(2, False, "x"), 4, 4, False),
        (Grade(3, False, "x"), 5, 5, False),
        (Grade(3, False, "x"), 1, 3, False),  # clinician lower: computed stands
        (Grade(3, True, "x"), 1, 3, True),  # ... and keeps its provisional flag
        (Grade(2, True, "x"), 2, 2, False),  # clinician confirms: no longer provisional
        (Grade(0, False, "x"), 0, 0, False),
    ],
)
def test_the_higher_of_computed_and_clinician_grade_counts(
    computed, clinician, expected_grade, expected_provisional
):
    result = final_grade(computed, clinician)
    assert (result.grade, result.provisional) == (expected_grade, expected_provisional)


def test_a_lower_clinician_grade_is_recorded_in_the_basis_but_does_not_lower():
    result = final_grade(Grade(3, False, "6.5 x ULN"), 1)
    assert result.grade == 3
    assert "clinician grade 1" in result.basis


def test_without_a_clinician_grade_the_computed_grade_is_returned_unchanged():
    computed = Grade(2, False, "mean of 2 readings 150/95 mm Hg")
    assert final_grade(computed, None) is computed


@pytest.mark.parametrize("clinician", [-1, 6, 2.0, True, "3"])
def test_a_clinician_grade_outside_0_to_5_is_refused(clinician):
    with pytest.raises(ValueError):
        final_grade(Grade(1), clinician)


def test_nothing_to_combine_is_refused():
    with pytest.raises(ValueError):
        final_grade(None, None)


def test_a_grade_is_immutable():
    with pytest.raises(AttributeError):
        Grade(1).grade = 2  # type: ignore[misc]
