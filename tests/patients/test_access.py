"""An outsider gets the same 404 for another site's patient as for one that does
not exist, on every patient endpoint and page; anonymous users are sent to log in."""

from __future__ import annotations

from datetime import date

import pytest

from patients import services


@pytest.fixture
def course(oncologist, patient):
    return services.start_course(
        actor=oncologist,
        patient=patient,
        drug="sorafenib",
        start_date=date(2025, 2, 3),
        starting_dose_mg=800,
    )


def endpoints(patient, course):
    return [
        ("get", f"/api/v1/patients/{patient.pk}/", None),
        ("patch", f"/api/v1/patients/{patient.pk}/", {"given_name": "X", "reason": "r"}),
        ("get", f"/api/v1/courses/{course.pk}/", None),
        ("get", f"/api/v1/courses/{course.pk}/dose-changes/", None),
        (
            "post",
            f"/api/v1/courses/{course.pk}/dose-changes/",
            {"kind": "hold", "dose_after_mg": "0", "reason": "r"},
        ),
        (
            "post",
            "/api/v1/courses/",
            {
                "patient": patient.pk,
                "drug": "lenvatinib",
                "start_date": "2025-03-01",
                "starting_dose_mg": "24",
            },
        ),
    ]


def test_an_outsider_gets_404_on_every_patient_endpoint(api, outsider, patient, course):
    client = api(outsider)
    for method, url, body in endpoints(patient, course):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url)


def test_a_missing_patient_looks_the_same_as_another_sites(api, outsider, nurse, patient, course):
    as_outsider = api(outsider).get(f"/api/v1/patients/{patient.pk}/")
    missing = api(nurse).get("/api/v1/patients/999999/")
    assert as_outsider.status_code == missing.status_code == 404
    assert as_outsider.json() == missing.json()


def test_the_outsiders_lists_do_not_include_the_patient(api, outsider, patient, course):
    client = api(outsider)
    assert client.get("/api/v1/patients/").json()["results"] == []
    assert client.get("/api/v1/courses/").json()["results"] == []


def test_an_outsider_gets_404_on_the_patient_page(client, outsider, patient):
    client.force_login(outsider)
    assert client.get(f"/patients/{patient.pk}/").status_code == 404


def test_the_outsiders_home_page_does_not_show_the_patient(client, outsider, patient):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 200
    assert patient.mrn not in response.content.decode()


def test_a_clinician_of_the_site_sees_the_patient_page(client, nurse, patient, course):
    client.force_login(nurse)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert patient.mrn in page
    assert "800" in page


def test_anonymous_api_requests_get_401(api, patient):
    response = api().get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 401


def test_anonymous_page_requests_go_to_the_login_page(client, patient):
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
