"""Who may take data in or out: site-scoped, and not nurses unless the site says so.

`INTEROP_ROLES` (settings) lists the roles that may import and export; by
default oncologists, not nurses. An import also needs a role that may record
visits (toxicity.services.VISIT_RECORDERS), because it records them.
`INTEROP_IDENTIFIER_ROLES` lists who may ask for a patient's MRN and name in an
export; by default nobody. A site the user has no role at gets the same 404 as a
site that does not exist; a site administrator, who opens no patient records,
gets 403.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from patients.access import access_patient, clinical_role_at, role_at
from patients.models import Patient, Site
from toxicity.services.visits import VISIT_RECORDERS


def exchange_roles() -> tuple[str, ...]:
    return tuple(settings.INTEROP_ROLES)


def identifier_roles() -> tuple[str, ...]:
    return tuple(settings.INTEROP_IDENTIFIER_ROLES)


def access_site(user, site_code, *, importing: bool = False) -> Site:
    site = Site.objects.filter(code=str(site_code or "")).first()
    if site is None:
        raise Http404(_("No such site."))
    role = clinical_role_at(user, site.pk, missing="No such site.")
    _require(role, importing=importing)
    return site


def access_patient_export(user, patient_id, *, identifiers: bool = False) -> Patient:
    patient = access_patient(user, patient_id)
    role = role_at(user, patient.site_id)
    _require(role, importing=False)
    if identifiers and role not in identifier_roles():
        raise PermissionDenied(_("Your role may not export patient identifiers."))
    return patient


def _require(role: str, *, importing: bool) -> None:
    if role not in exchange_roles():
        raise PermissionDenied(_("Your role at this site may not import or export records."))
    if importing and role not in VISIT_RECORDERS:
        raise PermissionDenied(
            _("Your role at this site cannot record visits, so it cannot import.")
        )
