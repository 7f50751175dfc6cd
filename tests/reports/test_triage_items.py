"""Each reported symptom is graded with a CTCAE v5.0 term that exists in the dictionary."""

from __future__ import annotations

import pytest

from reports import items
from toxicity.ctcae.terms import TERMS


@pytest.mark.parametrize("key", sorted(items.CTCAE_TERM))
def test_each_symptoms_term_is_in_the_ctcae_dictionary(key):
    assert items.CTCAE_TERM[key] in TERMS


def test_every_symptom_of_the_survey_has_a_term():
    assert set(items.CTCAE_TERM) == set(items.ITEMS)


def test_the_symptom_to_term_list_says_it_is_unconfirmed():
    assert items.CTCAE_TERM_CONFIRMED is False
    assert "not in docs/sources" in items.CTCAE_TERM_NOTE
