"""Routing as data: who is told about which kind of alert, at which level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications import routing
from notifications.models import AlertKind, Audience, CourseRouting, Route, SiteRouting
from patients.models import Role, SiteMembership
from tests.factories import member

pytestmark = pytest.mark.django_db


def usernames(users) -> list[str]:
    return sorted(user.username for user in users)


def test_a_grade_3_goes_first_to_the_treating_oncologist_and_the_nurse_team(routed):
    users = routing.recipients(AlertKind.HIGH_GRADE, routed, level=0)
    assert usernames(users) == ["nurse", "oncologist"]


def test_the_first_escalation_goes_to_the_on_call_oncologist(routed):
    assert usernames(routing.recipients(AlertKind.HIGH_GRADE, routed, level=1)) == ["oncall"]


def test_the_last_escalation_goes_to_the_site_administrators(routed):
    assert usernames(routing.recipients(AlertKind.HIGH_GRADE, routed, level=2)) == ["siteadmin"]


def test_there_is_nobody_beyond_the_last_level(routed):
    assert routing.recipients(AlertKind.HIGH_GRADE, routed, level=3) == []


def test_a_course_without_a_treating_oncologist_tells_every_oncologist_of_the_site(
    course, oncologist, on_call
):
    users = routing.recipients(AlertKind.RECOMMENDATION, course, level=0)
    assert usernames(users) == ["oncall", "oncologist"]


def test_a_treating_oncologist_who_left_the_site_is_replaced_by_the_sites_oncologists(
    course, oncologist, on_call
):
    CourseRouting.objects.create(course=course, treating_oncologist=oncologist)
    SiteMembership.objects.filter(user=oncologist).delete()
    assert usernames(routing.recipients(AlertKind.RECOMMENDATION, course, level=0)) == ["oncall"]


def test_nobody_from_another_site_is_ever_routed(course, oncologist, outsider):
    CourseRouting.objects.create(course=course, treating_oncologist=outsider)
    assert usernames(routing.recipients(AlertKind.RECOMMENDATION, course, level=0)) == [
        "oncologist"
    ]


def test_an_inactive_user_is_not_routed(routed, nurse):
    nurse.is_active = False
    nurse.save()
    assert usernames(routing.recipients(AlertKind.HIGH_GRADE, routed, level=0)) == ["oncologist"]


def test_a_user_without_an_email_address_is_not_routed(routed, nurse):
    nurse.email = ""
    nurse.save()
    assert usernames(routing.recipients(AlertKind.HIGH_GRADE, routed, level=0)) == ["oncologist"]


def test_the_nurse_team_is_every_nurse_of_the_site(routed, site):
    member(site, Role.NURSE, username="nurse2")
    users = routing.recipients(AlertKind.MONITORING_OVERDUE, routed, level=0)
    assert usernames(users) == ["nurse", "nurse2"]


def test_people_already_told_are_left_out_of_a_level(routed, oncologist):
    users = routing.recipients(AlertKind.HIGH_GRADE, routed, level=2, told=[oncologist])
    assert usernames(users) == ["siteadmin"]
    users = routing.recipients(AlertKind.RECOMMENDATION, routed, level=0, told=[oncologist])
    assert users == []


def test_a_site_can_route_a_kind_its_own_way(routed, site):
    Route.objects.create(
        site=site, kind=AlertKind.HIGH_GRADE, level=0, audience=Audience.NURSE_TEAM
    )
    Route.objects.create(
        site=site, kind=AlertKind.HIGH_GRADE, level=1, audience=Audience.SITE_ADMINS
    )
    assert routing.routes(site.pk, AlertKind.HIGH_GRADE) == (("nurse_team",), ("site_admins",))
    assert usernames(routing.recipients(AlertKind.HIGH_GRADE, routed, level=0)) == ["nurse"]


def test_a_sites_own_routes_leave_other_sites_on_the_defaults(routed, site, other_site):
    Route.objects.create(
        site=site, kind=AlertKind.HIGH_GRADE, level=0, audience=Audience.NURSE_TEAM
    )
    assert (
        routing.routes(other_site.pk, AlertKind.HIGH_GRADE)
        == routing.DEFAULT_ROUTES[AlertKind.HIGH_GRADE]
    )


def test_escalation_waits_two_hours_by_default(site):
    assert routing.escalation_delay(site.pk) == timedelta(hours=2)


def test_the_default_escalation_time_comes_from_settings(site, settings):
    settings.ALERT_ESCALATION_MINUTES = 45
    assert routing.escalation_delay(site.pk) == timedelta(minutes=45)


def test_a_site_can_set_its_own_escalation_time(site):
    SiteRouting.objects.create(site=site, escalate_after_minutes=30)
    assert routing.escalation_delay(site.pk) == timedelta(minutes=30)


def test_every_kind_has_a_default_route():
    assert set(routing.DEFAULT_ROUTES) == set(AlertKind.values)
