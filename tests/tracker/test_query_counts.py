"""The worklist, the patient list and the cohort dashboard issue the same number of
queries for 20 patients at one site and for 2,000 over eight."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Role, SiteMembership
from tests.factories import SiteFactory, member
from tests.tracker import data


def queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.fixture
def small_and_large(db):
    small = SiteFactory()
    small_doctor = member(small, Role.ONCOLOGIST)
    data.bulk_cohort(small, small_doctor, patients=20)
    network = [SiteFactory() for _ in range(8)]
    large_doctor = member(network[0], Role.ONCOLOGIST)
    for site in network:
        if site != network[0]:
            SiteMembership.objects.create(user=large_doctor, site=site, role=Role.ONCOLOGIST)
        data.bulk_cohort(site, large_doctor, patients=250)
    return small_doctor, large_doctor


def covered(page: str, response) -> int:
    """How many patients or courses the page accounts for (not only those it lists)."""
    if page == "tracker:cohort":
        return len(response.context["rows"])
    return response.context["page"].paginator.count


@pytest.mark.parametrize("page", ["tracker:home", "tracker:patients", "tracker:cohort"])
def test_the_query_count_does_not_grow_with_the_number_of_patients(
    client, small_and_large, page, django_assert_num_queries
):
    small_doctor, large_doctor = small_and_large
    client.force_login(small_doctor)
    queries(client, reverse(page))  # the first request of a session settles it
    small_count, small = queries(client, reverse(page))
    client.force_login(large_doctor)
    queries(client, reverse(page))
    with django_assert_num_queries(small_count):
        large = client.get(reverse(page))
    assert covered(page, large) > 10 * covered(page, small)


def test_the_cohorts_query_count_does_not_grow_with_the_reported_doses(
    client, db, django_assert_max_num_queries
):
    small, large = SiteFactory(), SiteFactory()
    small_doctor = member(small, Role.ONCOLOGIST)
    large_doctor = member(large, Role.ONCOLOGIST)
    data.bulk_dose_reports(data.bulk_cohort(small, small_doctor, patients=5)[:1], days=1)
    data.bulk_dose_reports(data.bulk_cohort(large, large_doctor, patients=200), days=10)
    client.force_login(small_doctor)
    queries(client, reverse("tracker:cohort"))  # the first request of a session settles it
    small_count, _ = queries(client, reverse("tracker:cohort"))
    client.force_login(large_doctor)
    queries(client, reverse("tracker:cohort"))
    with django_assert_max_num_queries(small_count):
        response = client.get(reverse("tracker:cohort"))
    assert len(response.context["reported"]) == 200
