"""Bad input to the RECIST records is refused with a message naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from disease.recist import Modality, NonTargetStatus, RecistInputError, Study, TargetLesion
from tests.disease.factories import lesion


def target(**changes):
    fields = {
        "label": "T1",
        "organ": "lung",
        "is_lymph_node": False,
        "diameter_mm": Decimal("12"),
        "modality": Modality.CT,
    }
    return TargetLesion(**(fields | changes))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("diameter_mm", Decimal("-1"), "cannot be negative"),
        ("diameter_mm", Decimal("NaN"), "finite"),
        ("diameter_mm", Decimal("Infinity"), "finite"),
        ("diameter_mm", "twelve", "is a number"),
        ("diameter_mm", True, "is a number"),
        ("label", " ", "needs a label"),
        ("organ", "", "needs its organ"),
        ("is_lymph_node", "no", "lymph node"),
        ("modality", "ultrasound", "not CT, MRI or chest X-ray"),
    ],
)
def test_a_bad_target_field_is_refused_by_name(field, value, words):
    with pytest.raises(RecistInputError) as refused:
        target(**{field: value})
    assert words in refused.value.errors[field]


def test_a_float_diameter_keeps_the_digits_it_was_typed_with():
    assert target(diameter_mm=9.9).diameter_mm == Decimal("9.9")


def test_the_error_is_a_value_error():
    with pytest.raises(ValueError, match="diameter_mm"):
        target(diameter_mm=Decimal("-1"))


@pytest.mark.parametrize("count", [-1, True, 1.5, "1"])
def test_the_number_of_new_lesions_is_a_whole_number(count):
    with pytest.raises(RecistInputError) as refused:
        Study(dt.date(2025, 1, 1), (lesion(),), NonTargetStatus.ABSENT, count)
    assert "whole number" in refused.value.errors["new_lesions"]


def test_an_unknown_non_target_status_is_refused():
    with pytest.raises(RecistInputError) as refused:
        Study(dt.date(2025, 1, 1), (lesion(),), "better", 0)
    assert "non_target" in refused.value.errors


def test_a_study_date_is_a_calendar_date():
    with pytest.raises(RecistInputError) as refused:
        Study(dt.datetime(2025, 1, 1, 9, 0), (lesion(),), NonTargetStatus.ABSENT, 0)
    assert "calendar date" in refused.value.errors["date"]


def test_one_label_twice_in_a_study_is_refused():
    with pytest.raises(RecistInputError) as refused:
        Study(dt.date(2025, 1, 1), (lesion("T1"), lesion("T1")), NonTargetStatus.ABSENT, 0)
    assert "T1" in refused.value.errors["targets"]
