"""manage.py create_api_token <username> --name "ward tablet sync" [--days 90]

Prints the token once, on standard output; only its SHA-256 is kept. Refusals
exit with status 2 and a JSON error on standard error.
"""

from __future__ import annotations

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from patients.tokens import create_token


class Command(BaseCommand):
    help = "Make a named, expiring API token for a user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What uses the token.")
        parser.add_argument("--days", type=int, default=None, help="Lifetime (API_TOKEN_DAYS).")

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            return self._refuse({"username": f"No active user {username!r}."})
        try:
            made = create_token(user=user, name=name, days=days)
        except ValidationError as refused:
            return self._refuse({k: " ".join(v) for k, v in refused.message_dict.items()})
        self.stdout.write(made.token)
        self.stderr.write(
            f"Token {made.record.prefix}… for {username} ({made.record.name}), valid until "
            f"{made.record.expires_at:%Y-%m-%d %H:%M %Z}. It is shown only this once."
        )

    def _refuse(self, errors: dict[str, str]) -> None:
        self.stderr.write(json.dumps({"errors": errors}))
        sys.exit(2)
