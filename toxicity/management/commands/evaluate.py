"""`python manage.py evaluate FILE|-`: what would the tracker recommend?

Reads one scenario (a JSON object) or several (an array) per
docs/sources/evaluate-contract.md and prints the answer as JSON. Bad input:
prints {"errors": {...}} naming each bad field and exits with status 2. Text that
is not JSON, duplicate keys in an object and nesting too deep to read are bad
input too (exit 2 and a JSON error, never a traceback). An array is answered in
place: each refused scenario's element is its own {"errors": {...}}, every good
one is answered, and the status is 2 when any scenario was refused.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from toxicity.rules.evaluate import (
    InvalidRequest,
    evaluate,
    evaluate_many,
    loads_request,
    refused,
)

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
        except OSError as error:
            self._refuse({"source": f"cannot read {source}: {error.strerror}"})
        except UnicodeDecodeError:
            self._refuse({"request": "not valid JSON: the text is not UTF-8"})
        try:
            scenarios = loads_request(text)
            if isinstance(scenarios, list):
                answers = evaluate_many(scenarios)
                self.stdout.write(json.dumps(answers, indent=2))
                bad = sum(1 for a in answers if refused(a))
                if bad:
                    self.stderr.write(f"Refused: {bad} of {len(answers)} scenario(s).")
                    sys.exit(BAD_INPUT)
                return
            answer = evaluate(scenarios)
        except InvalidRequest as error:
            self._refuse(error.errors)
        self.stdout.write(json.dumps(answer, indent=2))

    def _refuse(self, errors: dict[str, str]):
        self.stdout.write(json.dumps({"errors": errors}, indent=2))
        self.stderr.write(f"Refused: {len(errors)} bad field(s).")
        sys.exit(BAD_INPUT)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()
