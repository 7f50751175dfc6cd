"""`manage.py export_sdtm --site CODE --out DIR --user USERNAME`: SDTM AE, EX and DS.

Writes ae/ex/ds as .csv and .xpt (SAS transport v5) and define.md into DIR, as
the named user (who must be allowed to export at the site); the export is
recorded in the exchange log. Exit code 2 with a JSON error when refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from django.http import Http404
from django.utils import timezone

from interop import sdtm
from interop.access import access_site
from interop.models import ExchangeAction, ExchangeLog

REFUSED = 2


class Command(BaseCommand):
    help = "Export a site's adverse events, exposure and disposition as CDISC SDTM."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="The site's code.")
        parser.add_argument("--out", required=True, help="Directory to write into.")
        parser.add_argument("--user", required=True, help="Username of the exporter.")

    def _refuse(self, text: str):
        self.stdout.write(json.dumps({"errors": {"detail": text}}))
        sys.exit(REFUSED)

    def handle(self, *args, site, out, user, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            self._refuse(f"No active user {user!r}.")
        try:
            target = access_site(actor, site)
        except Http404:
            self._refuse(f"No site {site!r} for {user}.")
        except PermissionDenied as refused:
            self._refuse(str(refused))
        counts = sdtm.write_site(target, Path(out))
        ExchangeLog.objects.create(
            actor=actor,
            at=timezone.now(),
            action=ExchangeAction.EXPORT_SDTM,
            site=target,
            detail={"records": counts},
        )
        self.stdout.write(json.dumps({"written": str(out), "records": counts}))
