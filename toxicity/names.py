"""Clinical names in the language of the page or email being written.

The pure data and its fallbacks are in toxicity/ctcae/names.py (CTCAE terms) and
patients/dosing.py (drugs); this reads the active language (Django's, set per user,
patient or email recipient) and hands it in.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

from patients.dosing import drug_label, generic_name
from toxicity.ctcae.names import has_translation, term_label

__all__ = ["drug_name", "generic_drug_name", "has_translation", "language", "term_name"]


def language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def term_name(key: str) -> str:
    """A CTCAE term's name for the reader: Chinese, or English with its MedDRA code."""
    return term_label(key, language())


def drug_name(drug: str) -> str:
    return drug_label(drug, language())


def generic_drug_name(drug: str) -> str:
    return generic_name(drug, language())
