"""`python manage.py clinical_rules_doc`: regenerate docs/clinical-rules.md from the rule data."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from config.generated_doc import GeneratedDocCommand
from toxicity.rules.docs import render_clinical_rules_markdown


class Command(GeneratedDocCommand):
    help = "Write docs/clinical-rules.md from the rule sets (do not edit that file by hand)."
    doc = Path(settings.BASE_DIR) / "docs" / "clinical-rules.md"

    def render(self) -> str:
        return render_clinical_rules_markdown()
