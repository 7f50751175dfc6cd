"""The one way a view or API endpoint obtains a patient or a course.

A patient who does not exist and a patient of another site get the same 404:
an outsider learns nothing, not even that an id is in use.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from patients.models import Patient, Role, Site, SiteMembership, TreatmentCourse

WRITE_ROLES = frozenset({Role.NURSE, Role.ONCOLOGIST, Role.SITE_ADMIN})


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


def role_at(user, site_id: int) -> str | None:
    return site_roles(user).get(site_id)


def has_role(user, site_id: int, *roles: str) -> bool:
    return role_at(user, site_id) in roles


def access_patient(user, patient_id, *, write: bool = False) -> Patient:
    try:
        patient = Patient.objects.select_related("site").get(pk=int(patient_id))
    except (Patient.DoesNotExist, TypeError, ValueError):
        raise Http404("No such patient.") from None
    role = role_at(user, patient.site_id)
    if role is None:
        raise Http404("No such patient.")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied("Your role cannot change this patient's record.")
    return patient


def access_course(user, course_id, *, write: bool = False) -> TreatmentCourse:
    try:
        course = TreatmentCourse.objects.select_related("patient__site").get(pk=int(course_id))
    except (TreatmentCourse.DoesNotExist, TypeError, ValueError):
        raise Http404("No such treatment course.") from None
    role = role_at(user, course.patient.site_id)
    if role is None:
        raise Http404("No such treatment course.")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied("Your role cannot change this treatment course.")
    return course


def access_site(user, site_id) -> Site:
    """A site the user works at; the same 404 for a site that does not exist."""
    try:
        site_id = int(site_id)
    except (TypeError, ValueError):
        raise Http404("No such site.") from None
    if role_at(user, site_id) is None:
        raise Http404("No such site.")
    return Site.objects.get(pk=site_id)
