"""A site administrator sets their site's triage settings in the admin, audited; another
site's settings are not theirs to see."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from patients import demo
from patients.models import Site
from reports.models import ReportPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def ngt_admin(client):
    passwords = {
        user.username: user.password
        for user in demo.seed(patients_per_site=1, password_source=random.Random(5))
    }
    client.post("/accounts/login/", {"username": "admin.ngt", "password": passwords["admin.ngt"]})
    return client


def policy_form(site, **fields):
    return {
        "site": site.pk,
        "alert_composite_grade": 3,
        "alert_home_bp_grade": 3,
        "alert_worsening_points": 2,
        "alert_on_anything_else": "on",
    } | fields


def test_a_site_administrator_sets_their_sites_policy_and_the_history_names_them(ngt_admin):
    ngt = Site.objects.get(code="ngt")
    answer = ngt_admin.post(
        reverse("admin:reports_reportpolicy_add"), policy_form(ngt, alert_composite_grade=2)
    )
    assert answer.status_code == 302
    policy = ReportPolicy.objects.get(site=ngt)
    assert policy.alert_composite_grade == 2
    assert policy.history.get().history_user.username == "admin.ngt"


def test_a_grade_outside_1_to_3_is_refused_on_its_field(ngt_admin):
    ngt = Site.objects.get(code="ngt")
    answer = ngt_admin.post(
        reverse("admin:reports_reportpolicy_add"), policy_form(ngt, alert_home_bp_grade=4)
    )
    assert "alert_home_bp_grade" in answer.context["adminform"].form.errors
    assert not ReportPolicy.objects.exists()


def test_another_sites_policy_is_not_found(ngt_admin):
    rcc = ReportPolicy.objects.create(site=Site.objects.get(code="rcc"))
    change = reverse("admin:reports_reportpolicy_change", args=[rcc.pk])
    assert ngt_admin.get(change).status_code == 404
    listed = ngt_admin.get(reverse("admin:reports_reportpolicy_changelist"))
    assert list(listed.context["cl"].result_list) == []


def test_a_policy_for_another_site_cannot_be_added(ngt_admin):
    rcc = Site.objects.get(code="rcc")
    answer = ngt_admin.post(reverse("admin:reports_reportpolicy_add"), policy_form(rcc))
    assert answer.status_code == 200
    assert not ReportPolicy.objects.exists()
