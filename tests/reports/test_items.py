"""The survey's items are pro.py's items, with reference.md 3.5's scales, as pure data."""

from __future__ import annotations

from pathlib import Path

from reports import items
from toxicity.ctcae import pro

REPO_ROOT = Path(__file__).resolve().parents[2]
# Issue 14: the symptoms these drugs need at least.
REQUIRED = {
    "diarrhea",
    "nausea",
    "vomiting",
    "decreased_appetite",
    "fatigue",
    "mouth_throat_sores",
    "hand_foot_syndrome",
    "hoarse_voice",
    "headache",
    "abdominal_pain",
    "shortness_of_breath",
    "nosebleeds",
}
# reference.md 3.5 "Items relevant here and their attributes", copied here by hand.
ATTRIBUTES_IN_SOURCE = {
    "diarrhea": {"frequency"},
    "nausea": {"frequency", "severity"},
    "vomiting": {"frequency", "severity"},
    "nosebleeds": {"frequency", "severity"},
    "decreased_appetite": {"severity", "interference"},
    "fatigue": {"severity", "interference"},
    "mouth_throat_sores": {"severity", "interference"},
    "shortness_of_breath": {"severity", "interference"},
    "hand_foot_syndrome": {"severity"},
    "hoarse_voice": {"severity"},
    "headache": {"frequency", "severity", "interference"},
    "abdominal_pain": {"frequency", "severity", "interference"},
}
# reference.md 3.5 "Response scales", copied here by hand.
SCALES_IN_SOURCE = {
    "frequency": ["Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"],
    "severity": ["None", "Mild", "Moderate", "Severe", "Very severe"],
    "interference": ["Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"],
}


def test_the_survey_asks_about_every_symptom_the_issue_names():
    assert set(items.ITEMS) >= REQUIRED


def test_each_item_asks_exactly_the_attributes_of_reference_3_5():
    for key, attributes in ATTRIBUTES_IN_SOURCE.items():
        item = items.ITEMS[key]
        assert set(item.attributes) == attributes == set(pro.PRO_ITEMS[key]), key
        assert [q.attribute for q in item.questions] == [
            a for a in ("frequency", "severity", "interference") if a in attributes
        ]


def test_every_question_offers_the_0_to_4_scale_of_its_attribute():
    for item in items.SURVEY:
        for question in item.questions:
            assert [value for value, _ in question.choices] == [0, 1, 2, 3, 4]
            assert [words for _, words in question.choices] == SCALES_IN_SOURCE[question.attribute]


def test_every_question_recalls_the_last_7_days():
    assert items.RECALL_DAYS == 7
    for item in items.SURVEY:
        for question in item.questions:
            assert question.text.startswith("In the last 7 days,"), question.text


def test_unconfirmed_wording_says_why_and_cites_its_source():
    for item in items.SURVEY:
        assert item.source.startswith("docs/sources/reference.md section 3.5")
        if not item.wording_confirmed:
            assert "not in docs/sources" in item.wording_note


def test_no_question_text_shows_the_unconfirmed_mark():
    """The patient sees the question only; the mark is for the clinic."""
    for item in items.SURVEY:
        for question in item.questions:
            assert "unconfirmed" not in question.text.lower()
            assert "docs/sources" not in question.text
