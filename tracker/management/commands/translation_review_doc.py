"""`python manage.py translation_review_doc`: regenerate docs/translation-review.md."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from config.generated_doc import GeneratedDocCommand
from tracker.translation_review import render_markdown, review_items


class Command(GeneratedDocCommand):
    help = "Write docs/translation-review.md from the catalogue and the clinical names."
    doc = Path(settings.BASE_DIR) / "docs" / "translation-review.md"

    def render(self) -> str:
        return render_markdown(review_items())
