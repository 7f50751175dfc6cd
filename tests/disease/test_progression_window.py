"""Whether progression lies in the "prior 12-14 months" of ATA 2025 Rec 63
(docs/sources/reference.md 3.1; docs/sources/disease.md, "Progression-free survival
and 'progression within 12-14 months'"). Calendar months; the edge days count."""

from __future__ import annotations

import datetime as dt

import pytest

from disease.recist import ProgressionWindow, RecistInputError, progression_window

W = ProgressionWindow
ON = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("began", "expected"),
    [
        (dt.date(2026, 6, 15), W.WITHIN_12_MONTHS),  # the same day
        (dt.date(2025, 6, 15), W.WITHIN_12_MONTHS),  # exactly 12 months before
        (dt.date(2025, 6, 14), W.BETWEEN_12_AND_14_MONTHS),  # 12 months and a day
        (dt.date(2025, 4, 15), W.BETWEEN_12_AND_14_MONTHS),  # exactly 14 months before
        (dt.date(2025, 4, 14), W.BEYOND_14_MONTHS),  # 14 months and a day
        (dt.date(2020, 1, 1), W.BEYOND_14_MONTHS),
    ],
)
def test_window_edges(began, expected):
    assert progression_window(began, ON) is expected


def test_no_progression_is_its_own_answer():
    assert progression_window(None, ON) is W.NO_PROGRESSION


def test_progression_after_the_reference_date_is_refused():
    with pytest.raises(RecistInputError) as refused:
        progression_window(dt.date(2026, 6, 16), ON)
    assert "after" in refused.value.errors["date"]


@pytest.mark.parametrize(
    ("on", "twelve_months_before"),
    [
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),  # no 29 February in 2023
        (dt.date(2026, 3, 31), dt.date(2025, 3, 31)),
    ],
)
def test_twelve_months_before_a_day_the_earlier_month_lacks(on, twelve_months_before):
    assert progression_window(twelve_months_before, on) is W.WITHIN_12_MONTHS
    day_before = twelve_months_before - dt.timedelta(days=1)
    assert progression_window(day_before, on) is W.BETWEEN_12_AND_14_MONTHS


def test_fourteen_months_before_the_31st_is_the_end_of_the_shorter_month():
    on = dt.date(2026, 4, 30)  # 14 months before: 28 February 2025
    assert progression_window(dt.date(2025, 2, 28), on) is W.BETWEEN_12_AND_14_MONTHS
    assert progression_window(dt.date(2025, 2, 27), on) is W.BEYOND_14_MONTHS
