"""`python manage.py evaluate FILE|-`: what would the tracker recommend?

Reads one scenario (a JSON object) or several (an array) per
shared/clinical/evaluate-contract.md and prints the answer as JSON. Bad input:
prints {"errors": {...}} naming each bad field and exits with status 2.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from toxicity.rules.evaluate import InvalidRequest, evaluate, evaluate_many

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Evaluate scenarios against the label rules (JSON from FILE, or - for stdin)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("source", help="a JSON file, or - to read standard input")

    def handle(self, *args, source: str, **options):
        try:
            text = sys.stdin.read() if source == "-" else _read(source)
            scenarios = json.loads(text)
        except OSError as error:
            self._refuse({"source": f"cannot read {source}: {error.strerror}"})
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            self._refuse({"": f"not valid JSON: {error}"})
        try:
            answer = (
                evaluate_many(scenarios) if isinstance(scenarios, list) else evaluate(scenarios)
            )
        except InvalidRequest as refused:
            self._refuse(refused.errors)
        self.stdout.write(json.dumps(answer, indent=2))

    def _refuse(self, errors: dict[str, str]):
        self.stdout.write(json.dumps({"errors": errors}, indent=2))
        self.stderr.write(f"Refused: {len(errors)} bad field(s).")
        sys.exit(BAD_INPUT)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()
