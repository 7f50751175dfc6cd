"""Every template's own words are marked for translation.

The text a template writes outside {% translate %} and {% blocktranslate %} (and
outside variables, tags and comments) may hold only what english_left allows in Latin
letters: units, abbreviations, codes. Anything else would reach a Chinese reader in
English. Python strings are checked by the catalogue check and the Chinese page walks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.tracker.english_left import english_left, visible_text

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "var", "staticfiles", "node_modules"}
TEMPLATES = sorted(
    path
    for pattern in ("*/templates/**/*.html", "templates/**/*.html", "*/templates/**/*.txt")
    for path in ROOT.glob(pattern)
    if not SKIPPED & set(path.relative_to(ROOT).parts)
)
MARKED = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}", re.S)


def unmarked_words(source: str, *, html: bool) -> list[str]:
    for pattern in (MARKED, COMMENT, TAG_OR_VARIABLE):
        source = pattern.sub(" ", source)
    return english_left(visible_text(source) if html else source)


def test_the_check_finds_an_unmarked_word():
    assert unmarked_words("<h1>Sign in</h1>", html=True) == ["Sign"]
    assert unmarked_words('<h1>{% translate "Sign in" %}</h1>', html=True) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_templates_own_words_are_marked_for_translation(path):
    assert unmarked_words(path.read_text(), html=path.suffix == ".html") == []
