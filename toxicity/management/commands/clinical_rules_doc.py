"""`python manage.py clinical_rules_doc`: regenerate docs/clinical-rules.md from the rule data."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from toxicity.rules.docs import render_clinical_rules_markdown

DOC = Path(settings.BASE_DIR) / "docs" / "clinical-rules.md"


class Command(BaseCommand):
    help = "Write docs/clinical-rules.md from the rule sets (do not edit that file by hand)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")

    def handle(self, *args, check: bool, **options):
        text = render_clinical_rules_markdown()
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if check:
            if current != text:
                self.stderr.write(f"{DOC} is stale: run python manage.py clinical_rules_doc")
                raise SystemExit(1)
            self.stdout.write(f"{DOC} is up to date.")
            return
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {DOC}")
