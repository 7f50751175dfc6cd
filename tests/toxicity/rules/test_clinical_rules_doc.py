"""docs/clinical-rules.md is generated from the rule data and must match it."""

from __future__ import annotations

from pathlib import Path

from toxicity.rules.docs import render_clinical_rules_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "clinical-rules.md"


def test_committed_clinical_rules_doc_matches_the_rule_data():
    assert DOC.read_text(encoding="utf-8") == render_clinical_rules_markdown(), (
        "docs/clinical-rules.md is stale: run `python manage.py clinical_rules_doc`"
    )


def test_rendering_is_deterministic():
    assert render_clinical_rules_markdown() == render_clinical_rules_markdown()


def test_the_doc_marks_unconfirmed_rows_and_names_every_rule_set():
    text = render_clinical_rules_markdown()
    assert "do not edit by hand" in text
    for heading in (
        "lenvatinib / us_pi",
        "lenvatinib / eu_smpc",
        "sorafenib / us_pi",
        "cabozantinib / eu_smpc",
    ):
        assert f"## {heading}" in text
    assert "| **no** |" in text
