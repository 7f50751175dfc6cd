"""The Simplified Chinese catalogue ships complete, keeps every placeholder and names its
language; the reader behind the check understands the PO format the catalogue uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import catalogue

ZH_HANS = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def zh_hans() -> list[catalogue.Entry]:
    return catalogue.read(ZH_HANS)


# The shipped catalogue


def test_every_chinese_entry_is_translated_and_none_is_fuzzy(zh_hans):
    missing = [f"line {e.line}: {e.msgid!r}" for e in catalogue.untranslated(zh_hans)]
    assert missing == []


def test_every_chinese_translation_keeps_the_placeholders_of_its_english_text(zh_hans):
    forms = catalogue.nplurals(zh_hans)
    problems = [
        p for e in catalogue.messages(zh_hans) for p in catalogue.placeholder_problems(e, forms)
    ]
    assert problems == []


def test_the_chinese_header_says_language_zh_hans(zh_hans):
    assert catalogue.header(zh_hans)["Language"] == "zh_Hans"


def test_every_patient_survey_string_is_marked_for_clinical_review(zh_hans):
    survey = [
        e
        for e in catalogue.messages(zh_hans)
        if any(r.startswith("reports/items.py:") for r in e.references)
    ]
    assert survey
    assert [e.msgid for e in survey if not e.for_review] == []


# The reader

SAMPLE = r"""# A catalogue.
msgid ""
msgstr ""
"Language: zh_Hans\n"
"Plural-Forms: nplurals=1; plural=0;\n"

# review: clinical wording, not from a published translation
#. a note for translators
#: notifications/models.py:26 reports/items.py:73
#, python-format
msgid "Grade %(grade)s or higher "
"toxicity"
msgstr "%(grade)s级及以上"
"毒性"

#: reports/views.py:149
#, python-format
msgid "%(n)s sitting"
msgid_plural "%(n)s sittings"
msgstr[0] "%(n)s 组"
msgstr[1] ""

#, fuzzy
msgid "Back"
msgstr "返回"

msgid "Say \"yes\""
msgstr ""
"""


@pytest.fixture
def sample() -> list[catalogue.Entry]:
    return catalogue.parse(SAMPLE)


def test_the_reader_joins_continuation_lines(sample):
    entry = catalogue.messages(sample)[0]
    assert (entry.msgid, entry.msgstr[0]) == (
        "Grade %(grade)s or higher toxicity",
        "%(grade)s级及以上毒性",
    )


def test_the_reader_keeps_comments_references_and_flags_apart(sample):
    entry = catalogue.messages(sample)[0]
    assert entry.translator_comments == [
        "review: clinical wording, not from a published translation"
    ]
    assert entry.extracted_comments == ["a note for translators"]
    assert entry.references == ["notifications/models.py:26", "reports/items.py:73"]
    assert entry.flags == {"python-format"}


def test_the_reader_reads_plural_forms(sample):
    entry = catalogue.messages(sample)[1]
    assert entry.msgid_plural == "%(n)s sittings"
    assert entry.msgstr == {0: "%(n)s 组", 1: ""}


def test_the_reader_unescapes_quotes(sample):
    assert catalogue.messages(sample)[3].msgid == 'Say "yes"'


def test_the_reader_names_the_line_of_a_broken_string():
    with pytest.raises(catalogue.CatalogueError, match="line 2"):
        catalogue.parse('msgid "ok"\nmsgstr "not closed\n')


def test_the_header_gives_the_language_and_the_number_of_plural_forms(sample):
    assert catalogue.header(sample)["Language"] == "zh_Hans"
    assert catalogue.nplurals(sample) == 1


def test_a_plural_counts_only_the_forms_the_language_has(sample):
    assert catalogue.messages(sample)[1] not in catalogue.untranslated(sample)


def test_an_empty_or_fuzzy_entry_counts_as_untranslated(sample):
    assert [e.msgid for e in catalogue.untranslated(sample)] == ["Back", 'Say "yes"']


def test_review_entries_lists_the_entries_marked_review(sample):
    assert [e.msgid for e in catalogue.review_entries(sample)] == [
        "Grade %(grade)s or higher toxicity"
    ]


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Row %(row)s: %(problem)s", "第 %(row)s 行"),  # dropped
        ("Reading %(n)s", "第 %(m)s 次读数"),  # renamed
        (
            "In the last 7 days, how often did you have {symptom}?",
            "在过去7天内，您出现症状的频率如何？",
        ),
        ("%s bytes", "字节"),
        ("Done", "完成 %(extra)s"),  # added
    ],
)
def test_a_translation_that_drops_or_changes_a_placeholder_is_reported(msgid, msgstr):
    entry = catalogue.Entry(msgid=msgid, msgstr={0: msgstr}, line=7)
    assert catalogue.placeholder_problems(entry) != []


def test_a_literal_percent_or_brace_is_not_a_placeholder():
    entry = catalogue.Entry(msgid="100%% sure {{not}} %(n)s", msgstr={0: "%(n)s 百分之百"}, line=1)
    assert catalogue.placeholder_problems(entry) == []


def test_a_plural_translation_is_compared_with_the_plural_english(sample):
    entry = catalogue.Entry(
        msgid="one sitting", msgid_plural="%(n)s sittings", msgstr={0: "%(n)s 组"}, line=1
    )
    assert catalogue.placeholder_problems(entry) == []
