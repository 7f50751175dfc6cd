"""Molecular findings against ATA 2025 Recs 61–70: each finding's line, and every text
and tag word for word as docs/sources/reference.md has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from disease import options
from patients.models import Marker

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = " ".join((ROOT / "docs" / "sources" / "reference.md").read_text("utf-8").split())

ALL_NEGATIVE = dict.fromkeys(("braf_v600e", "ret_fusion", "ntrk_fusion", "alk_fusion"), "negative")


def codes(findings):
    return [line.code for line in options.options_for(findings)]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ({}, ["test_first"]),
        ({"ras": "positive", "tert_promoter": "positive"}, ["test_first"]),
        (ALL_NEGATIVE, ["no_biomarker_option"]),
        (ALL_NEGATIVE | {"ret_fusion": "positive"}, ["ret_fusion_targeted"]),
        (ALL_NEGATIVE | {"ntrk_fusion": "positive"}, ["ntrk_fusion_targeted"]),
        (ALL_NEGATIVE | {"alk_fusion": "positive"}, ["alk_fusion_targeted"]),
        (
            ALL_NEGATIVE | {"braf_v600e": "positive"},
            ["no_biomarker_option", "braf_v600e_directed"],
        ),
        ({"ret_fusion": "positive"}, ["test_first", "ret_fusion_targeted"]),
        (ALL_NEGATIVE | {"alk_fusion": "not_tested"}, ["test_first"]),
        ({"braf_v600e": "positive"}, ["test_first", "braf_v600e_directed"]),
    ],
    ids=[
        "nothing stored",
        "only RAS and TERT",
        "all negative",
        "RET",
        "NTRK",
        "ALK",
        "BRAF, no fusion",
        "RET, others untested",
        "ALK untested",
        "BRAF, fusions untested",
    ],
)
def test_each_set_of_findings_gets_its_lines(findings, expected):
    assert codes(findings) == expected


def test_untested_markers_are_named():
    (line,) = options.options_for(ALL_NEGATIVE | {"alk_fusion": "not_tested"})
    assert line.finding == "not tested: ALK fusion"
    assert line.rec.number == "61"


def test_a_ret_fusion_names_selpercatinib_and_pralsetinib_with_their_tags():
    line = options.options_for({"ret_fusion": "positive"})[-1]
    assert [d.name for d in line.drugs] == ["selpercatinib", "pralsetinib"]
    assert line.drugs[0].indication.endswith("Tumor-agnostic RET fusion (2022) [S].")
    assert "[U]" in line.drugs[1].indication
    assert line.unconfirmed


def test_an_alk_fusion_says_no_drug_is_approved():
    line = options.options_for({"alk_fusion": "positive"})[-1]
    assert line.drugs == ()
    assert line.note.startswith("No thyroid-specific FDA approval [U].")


@pytest.mark.parametrize("rec", list(options.RECS.values()), ids=lambda r: r.number)
def test_each_recommendation_is_worded_and_tagged_as_reference_md(rec):
    assert rec.text in REFERENCE
    assert rec.tag in REFERENCE


@pytest.mark.parametrize("drug", options.DRUGS, ids=lambda d: d.key)
def test_each_drug_row_is_worded_as_reference_md(drug):
    assert f"| {drug.indication} |" in REFERENCE
    assert drug.name in REFERENCE


def test_the_alk_note_is_reference_md_s_row():
    assert options.ALK_NOTE in REFERENCE


def test_the_markers_are_the_patient_records_markers():
    assert {m.value for m in options.Marker} == set(Marker.values)
