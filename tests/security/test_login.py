"""Sign-in: what tests/config/test_security.py does not already show.

There: Argon2, no-store on pages and API, idle and absolute session lifetimes,
session key rotation, lockout per (username, address), CSP, deactivated users.
Here: the lockout ends after its cool-off, neither a lockout nor a failed sign-in
tells whether a username exists, and the login page itself is never cached.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import PASSWORD

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
ADDRESS = "10.0.0.7"
WRONG = "wrong password!"
pytestmark = pytest.mark.django_db


def attempt(client, username, password=WRONG, address=ADDRESS):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_lockout_ends_15_minutes_after_the_last_failure(client, nurse):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(5):
            attempt(client, nurse.username)
        clock.shift(timedelta(minutes=14))
        assert attempt(client, nurse.username, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert attempt(client, nurse.username, PASSWORD).status_code == 302


def test_trying_again_during_a_lockout_starts_the_cool_off_again(client, nurse):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(5):
            attempt(client, nurse.username)
        clock.shift(timedelta(minutes=10))
        assert attempt(client, nurse.username).status_code == 429
        clock.shift(timedelta(minutes=10))  # 20 minutes after the fifth failure
        assert attempt(client, nurse.username, PASSWORD).status_code == 429


def test_a_lockout_looks_the_same_for_a_username_that_does_not_exist(client, nurse):
    for _ in range(6):
        attempt(client, nurse.username)
        attempt(client, "nobody-by-this-name")
    known = attempt(client, nurse.username, PASSWORD)
    unknown = attempt(client, "nobody-by-this-name", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content
    assert nurse.username not in known.content.decode()


def test_a_failed_sign_in_looks_the_same_for_a_username_that_does_not_exist(client, nurse):
    known = attempt(client, nurse.username)
    unknown = attempt(client, "nobody-by-this-name")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known).replace(nurse.username, "NAME") == without_csrf_token(
        unknown
    ).replace("nobody-by-this-name", "NAME")


def test_the_login_page_is_not_cached(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_lockout_page_is_not_cached(client, nurse):
    for _ in range(5):
        attempt(client, nurse.username)
    assert attempt(client, nurse.username, PASSWORD)["Cache-Control"] == "no-store"


def test_the_lockout_page_names_the_cool_off_the_settings_give(client, nurse, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=20)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, nurse.username)
    locked = attempt(client, nurse.username, PASSWORD)
    assert locked.status_code == 429
    assert "Wait 20 minutes" in locked.content.decode()


def test_the_lockout_page_reads_in_the_browsers_chinese(client, nurse, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, nurse.username)
    locked = client.post(
        "/accounts/login/",
        {"username": nurse.username, "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert locked.status_code == 429
    assert "15 分钟" in locked.content.decode()
