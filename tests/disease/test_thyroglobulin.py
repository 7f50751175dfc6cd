"""Tg doubling time (docs/sources/reference.md 3.3; docs/sources/disease.md,
"Thyroglobulin"): least squares over ln(Tg), from the values that qualify."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from disease.thyroglobulin import (
    MIN_VALUES,
    AntiTgAntibody,
    TgDtCategory,
    TgDtStatus,
    TgInputError,
    TgMeasurement,
    category_for,
    doubling_time,
    fit,
)
from tests.disease.factories import tg

START = dt.date(2024, 1, 1)
C = TgDtCategory


def series(values, *, every_days=91, **kwargs):
    return [
        tg(START + dt.timedelta(days=every_days * i), v, **kwargs) for i, v in enumerate(values)
    ]


def test_the_worked_example_of_reference_md():
    # "Tg 2.0, 2.8, 4.1, 5.6 ng/mL at 0, 0.5, 1.0 and 1.5 y gives b = 0.694/y and
    # Tg-DT = 0.999 y, which falls in the <1 y category. This is a boundary test."
    result = fit([0, 0.5, 1.0, 1.5], [2.0, 2.8, 4.1, 5.6])
    assert round(result.slope_per_year, 3) == 0.694
    assert round(result.doubling_time_years, 3) == 0.999
    assert result.category is C.UNDER_1_YEAR


def test_the_worked_example_from_dates_counts_years_of_365_25_days():
    # 0, 4, 8 and 12 years apart (1461 days = 4 x 365.25): the same values then double
    # 8 times more slowly than in the worked example.
    days = [0, 1461, 2922, 4383]
    measured = [
        tg(START + dt.timedelta(days=d), v)
        for d, v in zip(days, ["2.0", "2.8", "4.1", "5.6"], strict=True)
    ]
    result = doubling_time(measured)
    example = fit([0, 0.5, 1.0, 1.5], [2.0, 2.8, 4.1, 5.6])
    assert result.status is TgDtStatus.DOUBLING
    assert result.doubling_time_years == pytest.approx(8 * example.doubling_time_years, rel=1e-9)
    assert result.category is C.AT_LEAST_3_YEARS
    assert result.used == tuple(measured)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        (0.999999, C.UNDER_1_YEAR),
        (1.0, C.FROM_1_TO_3_YEARS),
        (2.999999, C.FROM_1_TO_3_YEARS),
        (3.0, C.AT_LEAST_3_YEARS),
        (40.0, C.AT_LEAST_3_YEARS),
        (None, C.NOT_DOUBLING),
    ],
)
def test_category_boundaries(years, expected):
    assert category_for(years) is expected


@pytest.mark.parametrize("years", [0.0, -1.0, math.inf, math.nan])
def test_a_doubling_time_is_a_positive_finite_number(years):
    with pytest.raises(TgInputError):
        category_for(years)


def test_a_series_that_doubles_exactly_every_year_is_one_to_three_years():
    result = fit([0, 1, 2, 3], [1, 2, 4, 8])
    assert result.doubling_time_years == 1.0
    assert result.category is C.FROM_1_TO_3_YEARS


def test_a_series_that_doubles_exactly_every_three_years_is_three_years_or_more():
    result = fit([0, 1, 2, 3], [1, 2 ** (1 / 3), 2 ** (2 / 3), 2])
    assert result.doubling_time_years == 3.0
    assert result.category is C.AT_LEAST_3_YEARS


def test_falling_tg_is_not_doubling_and_has_no_doubling_time():
    result = doubling_time(series(["5.6", "4.1", "2.8", "2.0"]))
    assert result.status is TgDtStatus.NOT_DOUBLING
    assert result.category is C.NOT_DOUBLING
    assert result.doubling_time_years is None
    assert result.slope_per_year < 0


def test_a_constant_tg_has_a_slope_of_exactly_zero_and_is_not_doubling():
    result = doubling_time(series(["3.3"] * 5))
    assert result.slope_per_year == 0
    assert result.status is TgDtStatus.NOT_DOUBLING


# The minimum: "at least 4 values under TSH suppression" (disease.md).
def test_three_qualifying_values_give_no_number_and_say_why():
    result = doubling_time(series(["2.0", "2.8", "4.1"]))
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert result.doubling_time_years is None and result.category is None
    assert result.slope_per_year is None
    assert "3 qualifying" in result.reason and "at least 4" in result.reason
    assert len(result.used) == 3


def test_four_qualifying_values_give_a_doubling_time():
    result = doubling_time(series(["2.0", "2.8", "4.1", "5.6"]))
    assert MIN_VALUES == 4
    assert result.status is TgDtStatus.DOUBLING
    assert result.doubling_time_years > 0
    assert len(result.used) == 4


def test_values_left_out_do_not_count_towards_the_minimum():
    values = series(["2.0", "2.8", "4.1", "5.6", "7.0"])
    values[1] = tg(values[1].date, "2.8", antibody=AntiTgAntibody.POSITIVE)
    values[3] = tg(values[3].date, "5.6", tsh="0.5")
    result = doubling_time(values)
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert [m.date for m in result.used] == [values[0].date, values[2].date, values[4].date]
    assert [e.measurement for e in result.excluded] == [values[1], values[3]]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"antibody": AntiTgAntibody.POSITIVE}, "antibody positive"),
        ({"antibody": AntiTgAntibody.NOT_RECORDED}, "no anti-Tg antibody result"),
        ({"tsh": None}, "no TSH"),
        ({"tsh": "0.1"}, "not suppressed"),  # "TSH <0.1 mIU/L": 0.1 is not below
        ({"tsh": "4.2"}, "not suppressed"),
    ],
)
def test_a_value_that_does_not_qualify_is_left_out_with_its_reason(changes, words):
    values = series(["2.0", "2.8", "4.1", "5.6", "7.7"])
    values[2] = tg(values[2].date, "4.1", **changes)
    result = doubling_time(values)
    assert values[2] not in result.used
    assert [e.measurement for e in result.excluded] == [values[2]]
    assert words in result.excluded[0].reason
    assert result.status is TgDtStatus.DOUBLING  # four values still qualify


def test_a_tsh_just_below_the_threshold_qualifies():
    result = doubling_time(series(["2.0", "2.8", "4.1", "5.6"], tsh="0.099"))
    assert len(result.used) == 4 and result.excluded == ()


def test_values_from_another_assay_are_left_out_when_the_assay_is_named():
    values = series(["2.0", "2.8", "4.1", "5.6", "9.0"])
    values[4] = tg(values[4].date, "9.0", assay="assay B")
    result = doubling_time(values, assay="Assay  a")
    assert result.used == tuple(values[:4])
    assert "assay B" in result.excluded[0].reason
    assert result.status is TgDtStatus.DOUBLING


def test_values_from_several_assays_give_no_number_until_one_is_chosen():
    values = series(["2.0", "2.8", "4.1", "5.6", "9.0"])
    values[4] = tg(values[4].date, "9.0", assay="assay B")
    result = doubling_time(values)
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert result.doubling_time_years is None and result.used == ()
    assert "more than one assay" in result.reason
    assert len(result.excluded) == 5


def test_too_few_values_in_the_named_assay_give_no_number():
    values = series(["2.0", "2.8", "4.1", "5.6"])
    values[0] = tg(values[0].date, "2.0", assay="assay B")
    result = doubling_time(values, assay="assay A")
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert "at least 4" in result.reason


def test_values_all_from_one_date_give_no_number():
    result = doubling_time([tg(START, v) for v in ["2.0", "2.1", "2.2", "2.3"]])
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert "one date" in result.reason


def test_the_values_are_taken_in_date_order():
    ordered = series(["2.0", "2.8", "4.1", "5.6"])
    result = doubling_time(list(reversed(ordered)))
    assert result.used == tuple(ordered)
    assert result.status is TgDtStatus.DOUBLING


def test_no_values_give_no_number():
    result = doubling_time([])
    assert result.status is TgDtStatus.NOT_COMPUTED
    assert "0 qualifying" in result.reason


def measurement(**changes):
    fields = {
        "date": START,
        "tg_ng_ml": Decimal("2.0"),
        "anti_tg_antibody": AntiTgAntibody.NEGATIVE,
        "tsh_miu_l": Decimal("0.05"),
        "assay": "assay A",
    }
    return TgMeasurement(**(fields | changes))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("tg_ng_ml", Decimal("0"), "above 0"),
        ("tg_ng_ml", Decimal("-1"), "above 0"),
        ("tg_ng_ml", Decimal("NaN"), "finite"),
        ("tg_ng_ml", "high", "is a number"),
        ("tsh_miu_l", Decimal("-0.01"), "cannot be negative"),
        ("anti_tg_antibody", "weak", "not negative, positive or not recorded"),
        ("assay", " ", "name the Tg assay"),
        ("date", dt.datetime(2024, 1, 1, 8, 0), "calendar date"),
    ],
)
def test_a_bad_measurement_is_refused_by_field(field, value, words):
    with pytest.raises(TgInputError) as refused:
        measurement(**{field: value})
    assert words in refused.value.errors[field]


def test_a_blank_assay_to_follow_is_refused():
    with pytest.raises(TgInputError):
        doubling_time(series(["2.0", "2.8", "4.1", "5.6"]), assay=" ")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((0, 183, 366, 549), C.FROM_1_TO_3_YEARS),  # 1.0008 y
        ((0, 182, 365, 548), C.UNDER_1_YEAR),  # 0.9991 y
    ],
)
def test_the_worked_example_drawn_on_whole_days_falls_either_side_of_one_year(days, expected):
    measured = [
        tg(START + dt.timedelta(days=d), v)
        for d, v in zip(days, ["2.0", "2.8", "4.1", "5.6"], strict=True)
    ]
    assert doubling_time(measured).category is expected
