"""The signing password counts like a sign-in: failures lock (user, address) for the
cool-off, and no answer tells a right password from a wrong one except a signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from patients.models import DoseChange
from tests.factories import PASSWORD
from tests.toxicity.conftest import at, hypertension
from toxicity.models import Recommendation, RecommendationStatus

pytestmark = pytest.mark.django_db
WARD = "10.0.0.7"
OTHER_DEVICE = "10.0.0.8"
WRONG = "not my password"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def withhold(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    return Recommendation.objects.get(visit=visit)


def api_sign(user, recommendation, password, address=WARD):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        f"/api/v1/recommendations/{recommendation.pk}/decision/",
        {"decision": "approve", "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def form_sign(client, recommendation, password, address=WARD):
    return client.post(
        f"/inbox/{recommendation.pk}/decide/",
        {"decision": "approve", "password": password},
        REMOTE_ADDR=address,
    )


def unsigned(recommendation) -> bool:
    recommendation.refresh_from_db()
    return recommendation.status == RecommendationStatus.PENDING and (
        DoseChange.objects.filter(recommendation=recommendation).count() == 0
    )


def test_four_wrong_passwords_are_plain_refusals(withhold, oncologist):
    for _ in range(4):
        answer = api_sign(oncologist, withhold, WRONG)
        assert answer.status_code == 400
        assert "password" in answer.json()["errors"]
    assert unsigned(withhold)


def test_the_fifth_wrong_password_locks_signing(withhold, oncologist):
    answers = [api_sign(oncologist, withhold, WRONG).status_code for _ in range(5)]
    assert answers == [400, 400, 400, 400, 429]
    assert unsigned(withhold)


def test_during_the_lock_the_right_password_answers_like_a_wrong_one(withhold, oncologist):
    for _ in range(5):
        api_sign(oncologist, withhold, WRONG)
    right, wrong = api_sign(oncologist, withhold, PASSWORD), api_sign(oncologist, withhold, WRONG)
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert right.status_code == 429
    assert unsigned(withhold)


def test_the_lock_ends_after_the_cool_off(withhold, oncologist, time_machine):
    for _ in range(5):
        api_sign(oncologist, withhold, WRONG)
    time_machine.shift(timedelta(minutes=16))
    assert api_sign(oncologist, withhold, PASSWORD).status_code == 200


def test_wrong_signing_passwords_also_lock_sign_in_from_that_address(client, withhold, oncologist):
    for _ in range(5):
        api_sign(oncologist, withhold, WRONG)
    login = client.post(
        "/accounts/login/",
        {"username": oncologist.username, "password": PASSWORD},
        REMOTE_ADDR=WARD,
    )
    assert login.status_code == 429


def test_the_lock_is_per_address(withhold, oncologist):
    for _ in range(5):
        api_sign(oncologist, withhold, WRONG)
    assert api_sign(oncologist, withhold, PASSWORD, address=OTHER_DEVICE).status_code == 200


def test_the_right_password_on_a_closed_recommendation_answers_like_a_wrong_one(
    withhold, oncologist, sign
):
    sign(oncologist, withhold)
    right, wrong = api_sign(oncologist, withhold, PASSWORD), api_sign(oncologist, withhold, WRONG)
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert right.status_code == 409


def test_the_inbox_form_counts_and_locks_the_same_way(client, withhold, oncologist):
    client.force_login(oncologist)
    codes = [form_sign(client, withhold, WRONG).status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    locked = form_sign(client, withhold, PASSWORD)
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert unsigned(withhold)
