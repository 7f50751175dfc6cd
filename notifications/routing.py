"""Who is told about an alert, and when the next person is.

Routing is data per site (Route, SiteRouting and CourseRouting rows, edited in the
admin); DEFAULT_ROUTES applies to a kind for which a site has no Route rows.
Everybody routed must be an active member of the course's site with an email
address: someone who has left the site is never sent anything about its patients.

- Treating oncologist: CourseRouting.treating_oncologist when that user is still
  an oncologist at the site; otherwise every oncologist of the site.
- On-call oncologist: SiteRouting.on_call_oncologist when still an oncologist at
  the site; otherwise every oncologist of the site.
- Nurse team: every nurse of the site.
- Site administrators: every site administrator of the site.

An escalation level tells only people not told at an earlier level; a level with
nobody new is skipped. An urgent alert whose first level finds nobody goes to the
site administrators, so it is never silently dropped.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model

from notifications.models import (
    AlertKind,
    Audience,
    CourseRouting,
    Route,
    SiteRouting,
)
from patients.models import Role, TreatmentCourse

A = Audience
DEFAULT_ROUTES: dict[str, tuple[tuple[str, ...], ...]] = {
    AlertKind.HIGH_GRADE: (
        (A.TREATING_ONCOLOGIST, A.NURSE_TEAM),
        (A.ON_CALL_ONCOLOGIST,),
        (A.SITE_ADMINS,),
    ),
    AlertKind.RECOMMENDATION: (
        (A.TREATING_ONCOLOGIST,),
        (A.ON_CALL_ONCOLOGIST,),
        (A.SITE_ADMINS,),
    ),
    AlertKind.RECOMMENDATION_PENDING: ((A.TREATING_ONCOLOGIST,), (A.ON_CALL_ONCOLOGIST,)),
    AlertKind.MONITORING_OVERDUE: ((A.NURSE_TEAM,), (A.TREATING_ONCOLOGIST,)),
    AlertKind.PRO_REPORT: ((A.NURSE_TEAM,), (A.TREATING_ONCOLOGIST,)),
    AlertKind.DELIVERY_FAILED: ((A.SITE_ADMINS,),),
}


def routes(site_id: int, kind: str) -> tuple[tuple[str, ...], ...]:
    """Audiences per escalation level for this kind at this site."""
    rows = list(Route.objects.filter(site_id=site_id, kind=kind).values_list("level", "audience"))
    if not rows:
        return DEFAULT_ROUTES[kind]
    levels: dict[int, list[str]] = {}
    for level, audience in rows:
        levels.setdefault(level, []).append(audience)
    return tuple(tuple(sorted(levels[level])) for level in sorted(levels))


def escalation_delay(site_id: int) -> timedelta:
    minutes = (
        SiteRouting.objects.filter(site_id=site_id)
        .values_list("escalate_after_minutes", flat=True)
        .first()
    )
    return timedelta(minutes=minutes or settings.ALERT_ESCALATION_MINUTES)


def _members(site_id: int, role: str):
    return (
        get_user_model()
        .objects.filter(memberships__site_id=site_id, memberships__role=role, is_active=True)
        .exclude(email="")
    )


def _one_or_all_oncologists(site_id: int, user_id: int | None):
    oncologists = _members(site_id, Role.ONCOLOGIST)
    if user_id is not None:
        chosen = list(oncologists.filter(pk=user_id))
        if chosen:
            return chosen
    return list(oncologists.order_by("id"))


def audience_members(audience: str, course: TreatmentCourse) -> list:
    site_id = course.patient.site_id
    if audience == Audience.TREATING_ONCOLOGIST:
        chosen = (
            CourseRouting.objects.filter(course=course)
            .values_list("treating_oncologist_id", flat=True)
            .first()
        )
        return _one_or_all_oncologists(site_id, chosen)
    if audience == Audience.ON_CALL_ONCOLOGIST:
        chosen = (
            SiteRouting.objects.filter(site_id=site_id)
            .values_list("on_call_oncologist_id", flat=True)
            .first()
        )
        return _one_or_all_oncologists(site_id, chosen)
    if audience == Audience.NURSE_TEAM:
        return list(_members(site_id, Role.NURSE).order_by("id"))
    if audience == Audience.SITE_ADMINS:
        return list(_members(site_id, Role.SITE_ADMIN).order_by("id"))
    raise ValueError(f"Unknown audience {audience!r}")


def recipients(kind: str, course: TreatmentCourse, *, level: int, told=()) -> list:
    """Users to tell at this escalation level, leaving out those in `told`."""
    levels = routes(course.patient.site_id, kind)
    if level >= len(levels):
        return []
    told_ids = {getattr(user, "pk", user) for user in told}
    found: dict[int, object] = {}
    for audience in levels[level]:
        for user in audience_members(audience, course):
            if user.pk not in told_ids:
                found.setdefault(user.pk, user)
    return list(found.values())


def level_count(site_id: int, kind: str) -> int:
    return len(routes(site_id, kind))


def site_admins(course: TreatmentCourse) -> list:
    return audience_members(Audience.SITE_ADMINS, course)
