"""The management commands that write a file of docs/ from data: write it, or --check."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand


class GeneratedDocCommand(BaseCommand):
    """Subclasses say which file (``doc``), how to render it and the command's name."""

    doc: Path
    requires_system_checks: list = []

    def render(self) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")

    def handle(self, *args, check: bool, **options):
        text = self.render()
        current = self.doc.read_text(encoding="utf-8") if self.doc.exists() else ""
        if check:
            if current != text:
                name = Path(self.__module__.replace(".", "/")).name
                self.stderr.write(f"{self.doc} is stale: run python manage.py {name}")
                raise SystemExit(1)
            self.stdout.write(f"{self.doc} is up to date.")
            return
        self.doc.parent.mkdir(parents=True, exist_ok=True)
        self.doc.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {self.doc}")
