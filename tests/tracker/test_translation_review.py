"""The Chinese wording waiting for review: one list, on a page and in docs/, built from
the catalogue, the CTCAE term names and the drug names (tracker/translation_review.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from config import catalogue
from patients.models import Role, UserPreference
from tests.factories import member
from toxicity.ctcae.names import TRANSLATIONS
from tracker.translation_review import catalogue_path, render_markdown, review_items

DOC = Path(__file__).resolve().parents[2] / "docs" / "translation-review.md"
URL = "/translations/review/"


def test_the_committed_list_in_docs_matches_the_sources():
    assert DOC.read_text(encoding="utf-8") == render_markdown(review_items()), (
        "docs/translation-review.md is stale: run `python manage.py translation_review_doc`"
    )


def test_the_list_holds_every_marked_entry_every_unconfirmed_term_and_each_drug():
    items = review_items()
    marked = catalogue.review_entries(catalogue.read(catalogue_path()))
    assert [i.kind for i in items].count("page") == len(marked)
    assert [i.kind for i in items].count("term") == len(TRANSLATIONS["zh-hans"])
    assert [i.kind for i in items].count("drug") == 3


def test_lenvatinib_is_listed_with_both_chinese_renderings():
    (lenvatinib,) = [i for i in review_items() if i.note == "lenvatinib"]
    assert lenvatinib.chinese == "乐伐替尼、仑伐替尼"


@pytest.mark.django_db
def test_a_clinician_reads_the_list_on_the_page(site):
    client = Client()
    client.force_login(member(site, Role.PHARMACIST))
    response = client.get(URL)
    assert response.status_code == 200
    text = response.text
    assert "手掌-足底红肿综合征" in text and "MedDRA 10054524" in text
    assert "仑伐替尼" in text
    assert f"{len(review_items())} pieces of Chinese clinical wording" in text


@pytest.mark.django_db
def test_chinese_pages_say_their_clinical_wording_waits_for_review(site):
    nurse = member(site, Role.NURSE)
    UserPreference.objects.create(user=nurse, language="zh-hans")
    client = Client()
    client.force_login(nurse)
    page = client.get("/patients/").text
    assert 'class="review-note"' in page and URL in page


@pytest.mark.django_db
def test_english_pages_carry_no_review_note(site):
    client = Client()
    client.force_login(member(site, Role.NURSE))
    assert 'class="review-note"' not in client.get("/patients/").text
