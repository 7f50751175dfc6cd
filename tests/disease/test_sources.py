"""The disease-course code and its page say what docs/sources/ says: every bound in
the code appears in the source sentence it comes from, and every line of
docs/disease-course.md that quotes a source (``> disease.md: ...``) is found there
word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from disease import recist, thyroglobulin

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {name: ROOT / "docs" / "sources" / name for name in ("disease.md", "reference.md")}
PAGE = ROOT / "docs" / "disease-course.md"


def flat(text):
    return " ".join(text.split())


def source(name):
    return flat(SOURCES[name].read_text(encoding="utf-8"))


QUOTE = re.compile(r"^> (disease\.md|reference\.md): (.+)$", re.MULTILINE)
QUOTES = QUOTE.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_quotes_its_sources():
    assert len(QUOTES) >= 15


@pytest.mark.parametrize(("name", "sentence"), QUOTES, ids=[q[1][:40] for q in QUOTES])
def test_each_quoted_sentence_is_in_its_source(name, sentence):
    assert flat(sentence) in source(name)


R = recist
BOUNDS = [
    (
        "disease.md",
        f"longest diameter ≥ {R.MIN_LESION_CT_MRI_MM} mm on CT or MRI "
        f"(≥ {R.MIN_LESION_CHEST_XRAY_MM} mm on chest X-ray)",
    ),
    ("disease.md", f"measurable with a short axis ≥ {R.MIN_NODE_MEASURABLE_MM} mm"),
    (
        "disease.md",
        f"nodes of {R.NODE_NORMAL_BELOW_MM}–{R.MIN_NODE_MEASURABLE_MM} mm short axis are "
        f"non-target, < {R.NODE_NORMAL_BELOW_MM} mm normal",
    ),
    (
        "disease.md",
        f"at most {R.MAX_TARGETS} in total and at most {R.MAX_TARGETS_PER_ORGAN} per organ",
    ),
    ("disease.md", f"every target node < {R.NODE_NORMAL_BELOW_MM} mm short axis"),
    ("disease.md", f"PR: sum ≥ {R.PR_DECREASE_FROM_BASELINE_PCT} % below the **baseline** sum"),
    ("disease.md", f"PD: sum ≥ {R.PD_INCREASE_FROM_NADIR_PCT} % above the **smallest sum"),
    ("disease.md", f"at least {R.PD_INCREASE_ABSOLUTE_MM} mm larger in absolute terms"),
    (
        "reference.md",
        f"progressed over the prior {R.WINDOW_SHORT_MONTHS}–{R.WINDOW_LONG_MONTHS} months",
    ),
    (
        "reference.md",
        f"≥{thyroglobulin.MIN_VALUES} Tg measurements with TSH "
        f"<{thyroglobulin.TSH_SUPPRESSED_BELOW_MIU_L} mIU/L",
    ),
    (
        "disease.md",
        f"at least {thyroglobulin.MIN_VALUES} values under TSH suppression "
        f"(< {thyroglobulin.TSH_SUPPRESSED_BELOW_MIU_L} mIU/L",
    ),
]


@pytest.mark.parametrize(("name", "phrase"), BOUNDS, ids=[b[1][:40] for b in BOUNDS])
def test_each_bound_in_the_code_is_the_one_in_its_source(name, phrase):
    assert flat(phrase) in source(name)


def test_the_tg_categories_are_spelled_as_in_the_source():
    c = thyroglobulin.TgDtCategory
    listed = (
        f"**Categories:** {c.UNDER_1_YEAR.value}, {c.FROM_1_TO_3_YEARS.value}, "
        f"{c.AT_LEAST_3_YEARS.value}, and negative"
    )
    assert listed in source("reference.md")
    assert f'report "{c.NOT_DOUBLING.value}"' in source("reference.md")
