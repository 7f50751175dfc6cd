"""The patient list says each latest course's status in the clinic's words, a page at a
time, searched and filtered by site, drug and status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.models import Role, SiteMembership
from patients.services import apply_dose_change
from tests.factories import PatientFactory, SiteFactory
from tests.tracker import data
from tracker.views import PATIENTS_PER_PAGE

pytestmark = pytest.mark.django_db


def test_a_held_course_reads_on_hold(logged_in, oncologist, course):
    apply_dose_change(
        actor=oncologist, course=course, kind="hold", dose_after_mg=0, reason="Grade 3 diarrhea"
    )
    page = logged_in(oncologist).get(reverse("tracker:patients")).content.decode()
    assert ">On hold</span>" in page
    assert "Onhold" not in page


def test_a_running_course_reads_active(logged_in, oncologist, course):
    page = logged_in(oncologist).get(reverse("tracker:patients")).content.decode()
    assert ">Active</span>" in page


def _names(response) -> list[str]:
    return [patient.given_name for patient, _ in response.context["rows"]]


def test_the_list_shows_one_page_of_patients_and_links_to_the_next(logged_in, oncologist, site):
    data.bulk_cohort(site, oncologist, patients=PATIENTS_PER_PAGE + 3)
    response = logged_in(oncologist).get(reverse("tracker:patients"))
    page = response.content.decode()
    assert len(response.context["rows"]) == PATIENTS_PER_PAGE
    assert f"of {PATIENTS_PER_PAGE + 3} patients" in page
    assert 'rel="next"' in page and "Page 1 of 2" in page


def test_the_second_page_holds_the_rest(logged_in, oncologist, site):
    data.bulk_cohort(site, oncologist, patients=PATIENTS_PER_PAGE + 3)
    client = logged_in(oncologist)
    first = _names(client.get(reverse("tracker:patients")))
    second = _names(client.get(reverse("tracker:patients"), {"page": 2}))
    assert len(second) == 3
    assert not set(first) & set(second)


def test_a_search_finds_a_patient_by_reference_code(logged_in, oncologist, site):
    wanted = PatientFactory(site=site, reference_code="REF-WANTED")
    PatientFactory(site=site)
    response = logged_in(oncologist).get(reverse("tracker:patients"), {"q": "wanted"})
    assert [p.pk for p, _ in response.context["rows"]] == [wanted.pk]


def test_the_site_filter_keeps_that_sites_patients(logged_in, oncologist, site):
    other = SiteFactory()
    SiteMembership.objects.create(user=oncologist, site=other, role=Role.ONCOLOGIST)
    there = PatientFactory(site=other)
    PatientFactory(site=site)
    response = logged_in(oncologist).get(reverse("tracker:patients"), {"site": other.pk})
    assert [p.pk for p, _ in response.context["rows"]] == [there.pk]


def test_the_drug_filter_reads_the_latest_course(logged_in, oncologist, site):
    courses = data.bulk_cohort(site, oncologist, patients=3)  # lenvatinib, sorafenib, cabo
    response = logged_in(oncologist).get(reverse("tracker:patients"), {"drug": "sorafenib"})
    assert [c.pk for _, c in response.context["rows"]] == [courses[1].pk]


def test_the_status_filter_keeps_the_held_courses(logged_in, oncologist, site):
    data.bulk_cohort(site, oncologist, patients=6)  # every third course is held
    response = logged_in(oncologist).get(reverse("tracker:patients"), {"status": "on_hold"})
    assert len(response.context["rows"]) == 2
    assert all(course.state.on_hold for _, course in response.context["rows"])


def test_the_no_course_filter_keeps_patients_without_a_course(logged_in, oncologist, course, site):
    untreated = PatientFactory(site=site)
    response = logged_in(oncologist).get(reverse("tracker:patients"), {"status": "none"})
    assert [p.pk for p, _ in response.context["rows"]] == [untreated.pk]


def test_an_outsiders_list_has_none_of_the_sites_patients(logged_in, outsider, course):
    response = logged_in(outsider).get(reverse("tracker:patients"))
    assert response.context["rows"] == []
