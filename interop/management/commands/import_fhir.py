"""`manage.py import_fhir FILE --site CODE --user USERNAME`: lab results from a FHIR Bundle.

The same import as POST /api/v1/fhir/Bundle, as the named user (who must be
allowed to import at the site). Prints the OperationOutcome as JSON; exit code 0
when stored (or already stored), 2 when refused, with nothing stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from django.http import Http404

from interop import fhir_in
from interop import outcome as oo
from interop.access import access_site

REFUSED = 2


class Command(BaseCommand):
    help = "Import lab results from a FHIR R4 Bundle (file, or - for stdin)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--site", required=True, help="The site's code.")
        parser.add_argument("--user", required=True, help="Username of the importer.")

    def _refuse(self, code: str, text: str):
        self.stdout.write(json.dumps(oo.operation_outcome([oo.Issue(code, text)]), indent=2))
        sys.exit(REFUSED)

    def handle(self, *args, file, site, user, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            self._refuse(oo.NOT_FOUND, f"No active user {user!r}.")
        try:
            target = access_site(actor, site, importing=True)
        except Http404:
            self._refuse(oo.NOT_FOUND, f"No site {site!r} for {user}.")
        except PermissionDenied as refused:
            self._refuse(oo.FORBIDDEN, str(refused))
        try:
            payload = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            self._refuse(oo.NOT_FOUND, f"Cannot read {file}: {error.strerror}.")
        result = fhir_in.import_bundle(actor=actor, site=target, payload=payload)
        self.stdout.write(json.dumps(result.outcome(), indent=2))
        if result.status >= 400:
            sys.exit(REFUSED)
