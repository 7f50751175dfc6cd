"""Site administrators in the admin: their site's memberships and routing, nothing of another.

The personas come from `manage.py seed_demo`, as a clinic trying the demo meets them.
"""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Alert, Route, SiteRouting
from patients import demo
from patients.models import Role, Site, SiteMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> dict[str, str]:
    """username -> password of the demo's sites and users (what seed_demo creates first)."""
    return {
        user.username: user.password
        for user in demo.seed(patients_per_site=1, password_source=random.Random(5))
    }


@pytest.fixture
def ngt_admin(seeded, client):
    response = client.post(
        "/accounts/login/", {"username": "admin.ngt", "password": seeded["admin.ngt"]}
    )
    assert response.status_code == 302, "the printed password signs the administrator in"
    return client


def site(code: str) -> Site:
    return Site.objects.get(code=code)


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_seed_demo_makes_site_administrators_who_sign_in_to_the_admin(
    client, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--patients-per-site", "1", stdout=out)
    users = get_user_model().objects
    assert set(users.filter(is_staff=True).values_list("username", flat=True)) == {
        "admin.ngt",
        "admin.rcc",
        "admin.sbe",
    }
    assert not users.filter(is_superuser=True).exists()
    line = next(row for row in out.getvalue().splitlines() if "admin.rcc" in row)
    client.post("/accounts/login/", {"username": "admin.rcc", "password": line.split()[1]})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_site_administrator_opens_the_admin_with_memberships_routing_and_report_policy(
    ngt_admin,
):
    response = ngt_admin.get(reverse("admin:index"))
    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models == {
        "Site",
        "SiteMembership",
        "SiteRouting",
        "CourseRouting",
        "Route",
        "ReportPolicy",
    }


def test_the_memberships_list_shows_only_their_sites_people(ngt_admin):
    response = ngt_admin.get(changelist(SiteMembership))
    assert response.status_code == 200
    shown = {m.user.username for m in response.context["cl"].result_list}
    assert shown == {"nurse.ngt", "oncologist.ngt", "pharmacist.ngt", "admin.ngt"}
    html = response.content.decode()
    assert "oncologist.rcc" not in html
    assert site("rcc").name not in html  # not even in the site filter


def test_another_sites_membership_is_not_found_on_every_page(ngt_admin):
    other = SiteMembership.objects.get(user__username="oncologist.rcc")
    opts = "admin:patients_sitemembership"
    for url in (
        change_url(other),
        reverse(f"{opts}_delete", args=[other.pk]),
        reverse(f"{opts}_history", args=[other.pk]),
    ):
        response = ngt_admin.get(url)
        assert response.status_code == 404, url
        assert "oncologist.rcc" not in response.content.decode()


def test_another_site_is_absent_and_not_found(ngt_admin):
    response = ngt_admin.get(changelist(Site))
    assert [s.code for s in response.context["cl"].result_list] == ["ngt"]
    assert ngt_admin.get(change_url(site("rcc"))).status_code == 404


def test_a_membership_at_another_site_cannot_be_added_and_nothing_is_stored(ngt_admin):
    newcomer = get_user_model().objects.create_user(username="newcomer", password="x")
    before = SiteMembership.objects.count()
    response = ngt_admin.post(
        reverse("admin:patients_sitemembership_add"),
        {"user": newcomer.pk, "site": site("rcc").pk, "role": Role.NURSE},
    )
    assert response.status_code == 200  # the form again, with the error on the site
    assert "site" in response.context["adminform"].form.errors
    assert SiteMembership.objects.count() == before


def test_a_membership_at_their_own_site_is_added(ngt_admin):
    newcomer = get_user_model().objects.create_user(username="newcomer", password="x")
    response = ngt_admin.post(
        reverse("admin:patients_sitemembership_add"),
        {"user": newcomer.pk, "site": site("ngt").pk, "role": Role.NURSE},
    )
    assert response.status_code == 302
    membership = SiteMembership.objects.get(user=newcomer)
    assert (membership.site.code, membership.role) == ("ngt", Role.NURSE)
    assert newcomer.groups.filter(name=Role.NURSE).exists()


def test_the_user_choices_leave_out_another_sites_people(ngt_admin):
    form = ngt_admin.get(reverse("admin:patients_sitemembership_add")).context["adminform"].form
    usernames = set(form.fields["user"].queryset.values_list("username", flat=True))
    assert "nurse.ngt" in usernames
    assert not usernames & {"nurse.rcc", "oncologist.rcc", "pharmacist.rcc", "admin.sbe"}


def test_routing_lists_are_limited_to_their_site(ngt_admin):
    rcc = site("rcc")
    Route.objects.create(site=rcc, kind="high_grade", level=0, audience="nurse_team")
    SiteRouting.objects.create(site=rcc)
    for model in (Route, SiteRouting):
        response = ngt_admin.get(changelist(model))
        assert response.status_code == 200
        assert all(row.site.code == "ngt" for row in response.context["cl"].result_list)
    assert ngt_admin.get(change_url(SiteRouting.objects.get(site=rcc))).status_code == 404


def test_a_site_administrator_cannot_open_alerts_or_user_accounts(ngt_admin):
    assert ngt_admin.get(changelist(Alert)).status_code == 403
    assert ngt_admin.get(changelist(get_user_model())).status_code == 403


def test_a_site_administrator_signs_in_to_the_admin_and_opens_no_patient_record(ngt_admin):
    from patients.models import Patient

    assert ngt_admin.get(reverse("tracker:home")).headers["Location"] == reverse("admin:index")
    patient = Patient.objects.filter(site__code="ngt").first()
    page = ngt_admin.get(reverse("tracker:patient", args=[patient.pk]))
    assert page.status_code == 403
    assert patient.family_name not in page.content.decode()
    assert ngt_admin.get(reverse("tracker:inbox")).status_code == 403
