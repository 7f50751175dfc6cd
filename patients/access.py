"""The one way a view or API endpoint obtains a clinical record.

`access_record` is the rule, written once: a record that does not exist and a
record of another site get the same 404, so an outsider learns nothing, not
even that an id is in use; a write also needs a role that may write. Patients,
courses and sites are obtained here; visits and recommendations through
toxicity.access, alerts through notifications.selectors, all on this helper.

A site administrator of the record's site gets 403: their work is the site's
memberships and alert routing in the admin, and no patient's record is theirs to
read.
"""

from __future__ import annotations

from functools import wraps
from operator import attrgetter
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings

from patients.models import Patient, Role, Site, SiteMembership, TreatmentCourse

# The roles that open patients' records (pages and API); the pharmacist reads, signs
# off rule sets and writes nothing clinical.
CLINICAL_ROLES = frozenset({Role.NURSE, Role.ONCOLOGIST, Role.PHARMACIST})
WRITE_ROLES = frozenset({Role.NURSE, Role.ONCOLOGIST})
NOT_CLINICAL = _(
    "A site administrator's role opens no patient records: memberships and alert routing "
    "are in the site administration (/admin/)."
)

R = TypeVar("R", bound=Model)


def site_roles(user) -> dict[int, str]:
    """site id -> role for an authenticated user; cached on the user object per request."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_site_roles", None)
    if cached is None:
        cached = dict(SiteMembership.objects.filter(user=user).values_list("site_id", "role"))
        user._site_roles = cached
    return cached


def administered_sites(user) -> list[int]:
    """The sites a user administers (memberships, routing); empty for everyone else."""
    return sorted(site for site, role in site_roles(user).items() if role == Role.SITE_ADMIN)


def clinical_sites(user) -> list[int]:
    """The sites whose patients' records the user opens: none for a site administrator."""
    return sorted(site for site, role in site_roles(user).items() if role in CLINICAL_ROLES)


def require_clinical_role(user) -> None:
    """Refuses a clinical page or list to a user who has no clinical role at any site."""
    if not clinical_sites(user):
        raise PermissionDenied(NOT_CLINICAL)


def clinical_page(view):
    """A page of patients' records (worklist, lists, inbox, alerts): 403 for a user with
    no clinical role at any site."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_clinical_role(request.user)
        return view(request, *args, **kwargs)

    return wrapped


class HasClinicalRole(BasePermission):
    """The API's clinical endpoints: for users with a clinical role at some site."""

    message = NOT_CLINICAL

    def has_permission(self, request, view) -> bool:
        return bool(clinical_sites(request.user))


def clinical_api_permissions() -> list[type[BasePermission]]:
    """The permissions of a clinical API endpoint: the API's defaults (signed in, and
    not a patient account: settings REST_FRAMEWORK) and a clinical role at some site.
    An endpoint's own permission_classes replace the defaults, so they are kept here."""
    return [*api_settings.DEFAULT_PERMISSION_CLASSES, HasClinicalRole]


def clinical_role_at(user, site_id: int, *, missing: str) -> str:
    """The user's role at the site of a record: 404 (`missing`) for no role there, as
    for a record that does not exist; 403 for a role that opens no records."""
    role = role_at(user, site_id)
    if role is None:
        raise Http404(missing)
    if role not in CLINICAL_ROLES:
        raise PermissionDenied(NOT_CLINICAL)
    return role


def role_at(user, site_id: int) -> str | None:
    return site_roles(user).get(site_id)


def has_role(user, site_id: int, *roles: str) -> bool:
    return role_at(user, site_id) in roles


def access_record(
    user,
    records: QuerySet[R],
    record_id,
    *,
    site: str,
    noun: str,
    write: bool = False,
    denied: str = "",
    clinical: bool = True,
) -> R:
    """The record of `records` with this id, for a user who works at its site.

    `site` is the attribute path from the record to its site id ("course.patient.site_id");
    `noun` names the record in the 404 ("No such visit."). With `write`, a role
    that may not write is refused (`denied`, else "Your role cannot change this <noun>.").
    A `clinical` record (every one but a site) opens only to a clinical role: a site
    administrator of its site gets 403.
    """
    try:
        record = records.get(pk=int(record_id))
    except (records.model.DoesNotExist, TypeError, ValueError):
        raise Http404(f"No such {noun}.") from None
    site_id = attrgetter(site)(record)
    if clinical:
        role = clinical_role_at(user, site_id, missing=f"No such {noun}.")
    else:
        role = role_at(user, site_id)
        if role is None:
            raise Http404(f"No such {noun}.")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied(denied or f"Your role cannot change this {noun}.")
    return record


def access_patient(user, patient_id, *, write: bool = False) -> Patient:
    return access_record(
        user,
        Patient.objects.select_related("site"),
        patient_id,
        site="site_id",
        noun="patient",
        write=write,
        denied="Your role cannot change this patient's record.",
    )


def access_course(user, course_id, *, write: bool = False) -> TreatmentCourse:
    return access_record(
        user,
        TreatmentCourse.objects.select_related("patient__site"),
        course_id,
        site="patient.site_id",
        noun="treatment course",
        write=write,
    )


def access_site(user, site_id) -> Site:
    """A site the user works at; the same 404 for a site that does not exist."""
    return access_record(user, Site.objects.all(), site_id, site="pk", noun="site", clinical=False)
