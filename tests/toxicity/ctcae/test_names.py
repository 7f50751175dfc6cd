"""CTCAE term names in Simplified Chinese: the data file, its review mark and the
fallback to English with the MedDRA code (toxicity/ctcae/names.py)."""

from __future__ import annotations

import csv

import pytest

from reports import items
from toxicity.ctcae.names import (
    TRANSLATION_FILES,
    TRANSLATIONS,
    UNCONFIRMED,
    TranslationFileError,
    _load,
    term_label,
)
from toxicity.ctcae.terms import COMPUTABLE_TERMS, TERMS
from toxicity.rules.engine import RULE_SETS
from tracker import visit_form

ZH = "zh-hans"
ROWS = list(csv.DictReader(TRANSLATION_FILES[ZH].open(encoding="utf-8")))


def _rule_terms() -> set[str]:
    return {
        term for rule_set in RULE_SETS.values() for rule in rule_set.rules for term in rule.terms
    }


def _named_on_pages() -> set[str]:
    survey = set(items.CTCAE_TERM.values())
    return (
        _rule_terms()
        | set(COMPUTABLE_TERMS)
        | set(visit_form.SYMPTOM_TERMS)
        | set(visit_form.MEASURED_TERMS_WITH_JUDGEMENT)
        | survey
    )


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["meddra_code"])
def test_each_row_renders_the_ctcae_term_its_meddra_code_names(row):
    (term,) = [t for t in TERMS.values() if t.meddra_code == row["meddra_code"]]
    assert term.name == row["term"]
    assert TRANSLATIONS[ZH][term.key].name == row["name_zh_hans"]


def test_every_term_the_rules_form_and_survey_name_has_a_chinese_name():
    assert _named_on_pages() - set(TRANSLATIONS[ZH]) == set()


def test_no_published_translation_is_a_source_so_every_name_waits_for_review():
    assert {row["source"] for row in ROWS} == {UNCONFIRMED}
    assert not any(t.confirmed for t in TRANSLATIONS[ZH].values())


def test_a_chinese_reader_gets_the_chinese_name():
    assert term_label("hypertension", ZH) == "高血压"


def test_an_english_reader_gets_the_ctcae_name():
    assert term_label("hypertension", "en-gb") == "Hypertension"


def test_a_term_without_a_translation_falls_back_to_english_with_its_meddra_code():
    assert "alopecia" not in TRANSLATIONS[ZH]
    assert term_label("alopecia", ZH) == f"Alopecia (MedDRA {TERMS['alopecia'].meddra_code})"


def test_a_key_that_is_no_ctcae_term_is_shown_in_words_never_empty():
    assert term_label("home_reading", ZH) == "Home reading"


@pytest.mark.parametrize(
    "row",
    [
        "10020772,Hypotension,高血压,unconfirmed",  # the code names Hypertension
        "10020772,Hypertension, ,unconfirmed",  # no name
        "10020772,Hypertension,高血压,",  # no source
    ],
)
def test_a_row_that_does_not_match_the_dictionary_or_lacks_a_field_is_refused(tmp_path, row):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"meddra_code,term,name_zh_hans,source\n{row}\n", encoding="utf-8")
    with pytest.raises(TranslationFileError, match="line 2"):
        _load(bad)
