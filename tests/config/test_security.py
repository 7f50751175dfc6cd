"""Accounts and sessions: Argon2, no caching of patient data, session lifetimes, lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher

from tests.factories import PASSWORD

LOGIN_AT = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_passwords_are_hashed_with_argon2(nurse):
    assert identify_hasher(nurse.password).algorithm == "argon2"


def test_pages_with_patient_data_are_not_cached(client, nurse, patient):
    client.force_login(nurse)
    response = client.get(f"/patients/{patient.pk}/")
    assert response["Cache-Control"] == "no-store"


def test_api_answers_are_not_cached(api, nurse, patient):
    response = api(nurse).get(f"/api/v1/patients/{patient.pk}/")
    assert response["Cache-Control"] == "no-store"


def login(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302, response.content


def test_a_session_ends_after_30_idle_minutes(client, nurse):
    with time_machine.travel(LOGIN_AT, tick=False) as clock:
        login(client, nurse)
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302


def test_a_busy_session_still_ends_12_hours_after_login(client, nurse):
    with time_machine.travel(LOGIN_AT, tick=False) as clock:
        login(client, nurse)
        for _ in range(12 * 3 + 1):
            clock.shift(timedelta(minutes=20))
            response = client.get("/")
        assert response.status_code == 302


def test_the_session_key_changes_at_login(client, nurse):
    # A real, stored anonymous session (as a visitor to the login page might have).
    session = client.session
    session["seen_login_page"] = True
    session.save()
    before = session.session_key
    assert client.cookies["sessionid"].value == before
    login(client, nurse)
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.session.get("seen_login_page") is True  # same session, new key


def fail_login(client, username, ip):
    return client.post(
        "/accounts/login/", {"username": username, "password": "wrong password!"}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_five_failures_lock_that_username_from_that_address(client, nurse):
    for _ in range(5):
        fail_login(client, nurse.username, "10.0.0.7")
    response = client.post(
        "/accounts/login/",
        {"username": nurse.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.7",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_lockout_does_not_shut_the_same_user_out_from_another_address(client, nurse):
    for _ in range(5):
        fail_login(client, nurse.username, "10.0.0.7")
    response = client.post(
        "/accounts/login/",
        {"username": nurse.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302


def test_pages_forbid_inline_scripts(client, nurse):
    client.force_login(nurse)
    policy = client.get("/")["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy


def test_a_deactivated_users_session_ends_at_the_next_request(client, nurse):
    login(client, nurse)
    assert client.get("/").status_code == 200
    nurse.is_active = False
    nurse.save()
    assert client.get("/").status_code == 302


def test_a_deactivated_users_api_token_stops_working(api, nurse, patient):
    from rest_framework.test import APIClient

    from tests.factories import api_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(nurse)}")
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    nurse.is_active = False
    nurse.save()
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 401
