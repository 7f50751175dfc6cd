"""Timing flags: which fire at each edge, with the rule and the source."""

from __future__ import annotations

from pathlib import Path

import pytest

from disease import flags, recist, thyroglobulin
from disease.recist import ProgressionWindow as W
from disease.thyroglobulin import TgDtCategory as C

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = " ".join((ROOT / "docs" / "sources" / "reference.md").read_text("utf-8").split())
TESTED = {"braf_v600e": "negative"}


def fired(**inputs):
    return [f.code for f in flags.flags_for(**({"findings": TESTED} | inputs))]


@pytest.mark.parametrize(
    ("window", "fires"),
    [
        (W.WITHIN_12_MONTHS, True),
        (W.BETWEEN_12_AND_14_MONTHS, True),
        (W.BEYOND_14_MONTHS, False),
        (W.NO_PROGRESSION, False),
    ],
)
def test_progression_fires_within_14_months(window, fires):
    assert fired(window=window) == (["progressed_12_14_months"] if fires else [])


def test_progression_12_to_14_months_ago_says_it_is_for_the_team_to_judge():
    (flag,) = flags.flags_for(
        window=W.BETWEEN_12_AND_14_MONTHS, progression_on="2025-05-01", findings=TESTED
    )
    assert "far end" in flag.rule and "2025-05-01" in flag.rule
    assert flag.source == recist.SOURCE_REC63


@pytest.mark.parametrize(("symptomatic", "expected"), [(True, ["symptomatic"]), (False, [])])
def test_symptomatic_fires_when_recorded(symptomatic, expected):
    assert fired(window=W.NO_PROGRESSION, symptomatic=symptomatic) == expected


@pytest.mark.parametrize(
    ("years", "fires"),
    [(0.999, True), (0.9991, True), (1.0, False), (1.0008, False), (None, False)],
)
def test_tg_dt_fires_below_1_year_only(years, fires):
    category = None if years is None else thyroglobulin.category_for(years)
    got = fired(window=W.NO_PROGRESSION, tg_category=category, tg_doubling_time_years=years)
    assert got == (["tg_dt_under_1_year"] if fires else [])


def test_a_tg_that_is_not_doubling_does_not_fire():
    assert fired(window=W.NO_PROGRESSION, tg_category=C.NOT_DOUBLING) == []


@pytest.mark.parametrize(
    ("findings", "fires"),
    [
        ({}, True),
        ({"ras": "positive", "tert_promoter": "negative"}, True),
        (dict.fromkeys(("braf_v600e", "ret_fusion"), "not_tested"), True),
        ({"alk_fusion": "negative"}, False),
        ({"ret_fusion": "positive"}, False),
    ],
    ids=["nothing", "only RAS and TERT", "not tested", "one negative", "one positive"],
)
def test_no_actionable_alteration_tested_fires_until_one_has_a_result(findings, fires):
    got = [f.code for f in flags.flags_for(window=W.NO_PROGRESSION, findings=findings)]
    assert got == (["no_actionable_alteration_tested"] if fires else [])


def test_all_four_fire_together_in_a_fixed_order():
    got = flags.flags_for(
        window=W.WITHIN_12_MONTHS,
        symptomatic=True,
        tg_category=C.UNDER_1_YEAR,
        tg_doubling_time_years=0.999,
        findings={},
    )
    assert [f.label for f in got] == [
        "progressed within 12–14 months by RECIST",
        "symptomatic",
        "Tg-DT < 1 year",
        "no actionable alteration tested",
    ]
    assert all(f.rule and f.source.startswith("docs/sources/") for f in got)


def test_rec_63_is_quoted_as_reference_md_words_it():
    assert flags.REC63_TEXT in REFERENCE


def test_no_flag_names_a_therapy_to_start_as_a_choice():
    texts = " ".join(
        f.label
        for f in flags.flags_for(
            window=W.WITHIN_12_MONTHS, symptomatic=True, tg_category=C.UNDER_1_YEAR, findings={}
        )
    )
    assert "start" not in texts.lower()
