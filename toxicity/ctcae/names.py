"""CTCAE term names in the clinic's language, as plain data.

English is the dictionary's own name (toxicity/ctcae/terms.py). Simplified Chinese
comes from ``toxicity/ctcae/data/ctcae_v5.0_zh_hans.csv``: one row per term the rules,
the visit form, the patient survey and the charts name, keyed by MedDRA code, with the
English name it translates and its source. No published Chinese CTCAE translation is
in the project's sources, so every row says ``unconfirmed`` until a bilingual clinician
has checked it (docs/translation.md); the review page lists them.

A term with no translation is never shown with an empty label: it falls back to its
English name with its MedDRA code, so the reader can still look it up.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from toxicity.ctcae.terms import TERMS

__all__ = [
    "TRANSLATION_FILES",
    "TRANSLATIONS",
    "UNCONFIRMED",
    "TermTranslation",
    "has_translation",
    "term_label",
]

UNCONFIRMED = "unconfirmed"
_DATA = Path(__file__).resolve().parent / "data"
# Language codes as the site writes them (config/settings.py LANGUAGES).
TRANSLATION_FILES: Mapping[str, Path] = MappingProxyType(
    {"zh-hans": _DATA / "ctcae_v5.0_zh_hans.csv"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermTranslation:
    """One term's name in one language, with the English name it renders and its source."""

    key: str
    meddra_code: str
    english: str
    name: str
    source: str

    @property
    def confirmed(self) -> bool:
        return self.source != UNCONFIRMED


class TranslationFileError(ValueError):
    """A translation row that does not match the CTCAE dictionary; names the row."""


def _load(path: Path) -> Mapping[str, TermTranslation]:
    by_code = {term.meddra_code: term for term in TERMS.values()}
    rows: dict[str, TermTranslation] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            term = by_code.get(row["meddra_code"])
            if term is None or term.name != row["term"]:
                raise TranslationFileError(
                    f"{path.name} line {line}: MedDRA {row['meddra_code']} is not "
                    f"the CTCAE v5.0 term {row['term']!r}"
                )
            if not row["name_zh_hans"].strip() or not row["source"].strip():
                raise TranslationFileError(f"{path.name} line {line}: a name and a source")
            rows[term.key] = TermTranslation(
                key=term.key,
                meddra_code=term.meddra_code,
                english=term.name,
                name=row["name_zh_hans"].strip(),
                source=row["source"].strip(),
            )
    return MappingProxyType(rows)


TRANSLATIONS: Mapping[str, Mapping[str, TermTranslation]] = MappingProxyType(
    {language: _load(path) for language, path in TRANSLATION_FILES.items()}
)


def term_label(key: str, language: str) -> str:
    """The term's name for a reader of ``language`` (a code such as "en-gb", "zh-hans").

    English readers get the CTCAE name. Other readers get the translation, or the
    English name with its MedDRA code where there is none. A key that is not a CTCAE
    term (an older record's free word) is shown as written, in words."""
    term = TERMS.get(key)
    if term is None:
        return key.replace("_", " ").capitalize()
    translations = TRANSLATIONS.get(language.lower())
    if translations is None:
        return term.name
    translation = translations.get(key)
    if translation is None:
        return f"{term.name} (MedDRA {term.meddra_code})"
    return translation.name


def has_translation(key: str, language: str) -> bool:
    """Whether ``term_label`` gives this reader the term in their own language: always
    for English readers (the dictionary's own name), else when a row translates it."""
    translations = TRANSLATIONS.get(language.lower())
    return translations is None or key in translations
