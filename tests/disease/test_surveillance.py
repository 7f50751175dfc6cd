"""Rec 59 and Rec 60A as data: their words, the interval's bounds and the due date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from disease import surveillance

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = " ".join((ROOT / "docs" / "sources" / "reference.md").read_text("utf-8").split())


@pytest.mark.parametrize("rule", [surveillance.REC59, surveillance.REC60A], ids=lambda r: r.code)
def test_each_rule_is_worded_and_tagged_as_reference_md(rule):
    assert rule.text in REFERENCE
    assert rule.tag in REFERENCE


def test_the_interval_bounds_are_the_sentence_s():
    low, high = surveillance.IMAGING_INTERVAL_MONTHS
    assert f"imaging every {low}–{high} months" in surveillance.REC60A.text


@pytest.mark.parametrize(
    ("last", "months", "due"),
    [
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 6, 1), 12, date(2026, 6, 1)),
    ],
)
def test_imaging_falls_due_calendar_months_after_the_last_study(last, months, due):
    assert surveillance.imaging_due(last, months) == due
