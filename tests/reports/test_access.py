"""A patient account sees its own reports and nothing of the clinic or of other patients."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from patients.models import Role, SiteMembership
from patients.tokens import create_token
from reports.models import SymptomReport
from tests.factories import PASSWORD
from tests.reports.factories import PATIENT_PASSWORD, weekly_report

pytestmark = pytest.mark.django_db


def test_another_patients_report_is_404(client, account, other_account):
    theirs = weekly_report(other_account)
    client.force_login(account.user)
    assert client.get(reverse("reports:report", args=[theirs.pk])).status_code == 404
    mine = weekly_report(account)
    assert client.get(reverse("reports:report", args=[mine.pk])).status_code == 200


def test_the_home_page_lists_only_the_patients_own_reports(client, account, other_account):
    mine = weekly_report(account)
    theirs = weekly_report(other_account)
    client.force_login(account.user)
    page = client.get(reverse("reports:home")).content.decode()
    assert reverse("reports:report", args=[mine.pk]) in page
    assert reverse("reports:report", args=[theirs.pk]) not in page


def test_a_report_is_written_for_the_accounts_own_patient(client, account, other_account):
    client.force_login(account.user)
    client.post(
        reverse("reports:weekly"), {"diarrhea__frequency": 3, "patient": other_account.patient_id}
    )
    (report,) = SymptomReport.objects.all()
    assert report.patient == account.patient


def test_the_session_api_refuses_a_patient_account(account):
    api = APIClient()
    api.force_login(account.user)
    assert api.get(reverse("api-patients")).status_code == 404  # the boundary, before DRF
    assert api.get(reverse("api-patient", args=[account.patient_id])).status_code == 404


def test_a_clinician_cannot_use_the_patients_sign_in(client, nurse):
    response = client.post(
        reverse("reports:sign-in"), {"username": nurse.username, "password": PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "This sign-in is for patients" in response.content.decode()


def test_the_patient_signs_in_on_their_own_page(client, account):
    response = client.post(
        reverse("reports:sign-in"), {"username": "cora", "password": PATIENT_PASSWORD}
    )
    assert response.headers["Location"] == reverse("reports:home")


def test_a_clinician_gets_404_on_the_patients_pages(client, nurse, account):
    client.force_login(nurse)
    assert client.get(reverse("reports:home")).status_code == 404


CLINICAL_API = ["api-patients", "api-courses", "api-visits", "api-recommendations", "api-alerts"]


@pytest.mark.parametrize("name", CLINICAL_API)
def test_a_patient_account_given_a_site_membership_is_still_refused_the_clinical_api(
    account, site, name
):
    # A membership a site administrator should never have given: the account stays a
    # patient's, and the clinical endpoints refuse it by token as by session.
    SiteMembership.objects.create(user=account.user, site=site, role=Role.NURSE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user=account.user, name='x').token}")
    response = api.get(reverse(name))
    assert response.status_code == 403
    assert "Patient accounts cannot use the clinic's API." in response.json()["errors"]["detail"]


def test_a_patient_signing_in_on_the_clinics_page_lands_on_their_own_pages(client, account):
    response = client.post(
        reverse("login") + "?next=/patients/",
        {"username": "cora", "password": PATIENT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("reports:home")
    assert client.get("/patients/").status_code == 404


def test_a_clinician_signing_in_still_lands_where_they_asked(client, nurse):
    response = client.post(
        reverse("login") + "?next=/patients/", {"username": nurse.username, "password": PASSWORD}
    )
    assert (response.status_code, response.url) == (302, "/patients/")
