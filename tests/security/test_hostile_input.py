"""Input that once ended in a 500 (an independent probe found each one) is refused
with a clear error in the usual shape, and nothing is stored.

The Django test client re-raises an exception in a view, so a regression fails here
with its traceback rather than as a bare 500.
"""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.renderers import JSONRenderer

from config.parsers import BrowsableAPIRenderer
from notifications.models import NotificationPreference
from tests.factories import PASSWORD
from toxicity import api_ledger, api_visits
from toxicity.models import Observation, Recommendation, Visit


@pytest.fixture
def browser_of():
    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    return client_for


def errors_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return response.json()["errors"]


def visit_body(world, **fields) -> dict:
    return {
        "course": world.course.pk,
        "occurred_at": world.visit.occurred_at.isoformat(),
        "observations": [{"term": "fatigue", "grade": 1}],
        **fields,
    }


# --- sign-in --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_username_longer_than_any_account_is_a_form_error(db, url):
    response = Client().post(url, {"username": "a" * 300, "password": "whatever it is"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not AccessAttempt.objects.exists()  # django-axes stored nothing it cannot hold


# --- the cohort page --------------------------------------------------------------


@pytest.mark.parametrize("asked", ["²", "٣", "9" * 5000])
def test_a_site_that_is_no_ascii_id_shows_the_users_own_sites(world, browser_of, asked):
    response = browser_of(world.users["oncologist"]).get("/cohort/", {"site": asked})
    assert response.status_code == 200
    assert response.context["filters"]["site"] is None


# --- observation terms -------------------------------------------------------------


@pytest.mark.parametrize("term", [["fatigue"], {"name": "fatigue"}, 7])
def test_a_term_that_is_not_text_is_a_field_error_on_a_new_visit(world, api, term):
    before = Visit.objects.count()
    body = visit_body(world, observations=[{"term": term, "grade": 1}])
    response = api(world.users["nurse"]).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {"observations[0].term": "Give the CTCAE v5.0 term name as text."}
    assert Visit.objects.count() == before


@pytest.mark.parametrize("term", [["fatigue"], {"name": "fatigue"}])
def test_a_term_that_is_not_text_is_a_field_error_on_a_correction(world, api, term):
    revision = world.visit.revision
    response = api(world.users["nurse"]).patch(
        f"/api/v1/visits/{world.visit.pk}/",
        {"reason": "typo", "revision": revision, "observations": [{"term": term, "grade": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "observations[0].term" in errors_of(response)
    assert Visit.objects.get(pk=world.visit.pk).revision == revision


# --- NUL bytes ------------------------------------------------------------------------


def test_a_nul_byte_in_a_lowering_reason_is_a_field_error(world, api):
    before = Observation.objects.count()
    body = visit_body(
        world,
        observations=[{"term": "fatigue", "grade": 1, "lowering_reason": "patient\x00said"}],
    )
    response = api(world.users["nurse"]).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {
        "observations[0].lowering_reason": "Null characters are not allowed."
    }
    assert Observation.objects.count() == before


def test_a_nul_byte_in_the_signing_forms_reason_is_a_field_error(world, browser_of):
    response = browser_of(world.users["oncologist"]).post(
        f"/inbox/{world.recommendation.pk}/decide/",
        {"decision": "reject", "password": PASSWORD, "reason": "not\x00now"},
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert Recommendation.objects.get(pk=world.recommendation.pk).status == "pending"


# --- the signing form's dose ------------------------------------------------------------


@pytest.mark.parametrize("dose", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_dose_that_is_no_number_is_refused_on_the_signing_form(world, browser_of, dose):
    response = browser_of(world.users["oncologist"]).post(
        f"/inbox/{world.recommendation.pk}/decide/",
        {"decision": "approve_modified", "password": PASSWORD, "reason": "r", "dose_mg": dose},
    )
    assert response.status_code == 400
    assert "Choose a lenvatinib dose level" in response.content.decode()
    assert Recommendation.objects.get(pk=world.recommendation.pk).status == "pending"


# --- numbers and nesting in JSON (config/parsers.py) ----------------------------------------


def scenario_with_dose(literal: str) -> str:
    return (
        '{"drug": "lenvatinib", "rule_set": "us_pi", "on_hold": false, "observations": [],'
        f' "dose_mg_per_day": {literal}}}'
    )


@pytest.mark.parametrize("literal", ["9" * 400, "1" + "0" * 400 + ".5", "1e400", "-1e400"])
def test_a_number_beyond_any_real_one_is_refused_by_the_parser(world, api, literal):
    response = api(world.users["nurse"]).post(
        "/api/v1/evaluate/", scenario_with_dose(literal), content_type="application/json"
    )
    assert response.status_code == 400
    assert "Malformed request body" in errors_of(response)["non_field_errors"]


def test_an_ordinary_number_still_reaches_the_rule_engine(world, api):
    response = api(world.users["nurse"]).post(
        "/api/v1/evaluate/", scenario_with_dose("24.0"), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["dose_mg_per_day"] == 24


@pytest.mark.parametrize(
    "body", ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[" * 33 + "]" * 33]
)
def test_json_nested_deeper_than_the_limit_is_refused(world, api, body):
    response = api(world.users["nurse"]).post(
        "/api/v1/evaluate/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in errors_of(response)["non_field_errors"]


# --- the browsable API and OPTIONS -----------------------------------------------------------


def test_production_answers_json_even_to_a_browser(world, browser_of):
    response = browser_of(world.users["nurse"]).get(
        "/api/v1/visits/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("view", "path"),
    [
        (api_visits.VisitListApi, "/api/v1/visits/"),
        (api_ledger.DoseChangeListApi, "/api/v1/courses/{course}/dose-changes/"),
    ],
)
def test_the_browsable_api_of_a_debug_run_shows_views_without_a_queryset(
    world, browser_of, monkeypatch, view, path
):
    """With DEBUG on, settings add the browsable renderer; here it is set on the view."""
    monkeypatch.setattr(view, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])
    response = browser_of(world.users["nurse"]).get(
        path.format(course=world.course.pk), HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_options_on_the_notification_preference_describes_it_and_stores_nothing(world, api):
    nurse = world.users["nurse"]
    NotificationPreference.objects.filter(user=nurse).delete()
    response = api(nurse).options("/api/v1/notification-preference/")
    assert response.status_code == 200
    assert "PUT" in response.json()["actions"]
    assert not NotificationPreference.objects.filter(user=nurse).exists()


# --- over-size bodies ----------------------------------------------------------------------


def test_a_body_over_the_upload_limit_gets_the_apis_error_shape(world, api, settings):
    body = json.dumps(visit_body(world, note="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))
    before = Visit.objects.count()
    response = api(world.users["nurse"]).post(
        "/api/v1/visits/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "larger than the 2,621,440 bytes" in errors_of(response)["non_field_errors"]
    assert Visit.objects.count() == before
