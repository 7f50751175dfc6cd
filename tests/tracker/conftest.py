"""Shared for the tracker page tests: a course with visits and a pending recommendation."""

from __future__ import annotations

import pytest

from tests.tracker import data


@pytest.fixture
def course(oncologist, patient):
    """Lenvatinib 24 mg started 60 days ago."""
    return data.start_course(oncologist, patient, days_ago=60)


@pytest.fixture
def recommendation(course, nurse):
    """Grade 3 blood pressure on optimal therapy two days ago: the engine says withhold."""
    data.log_visit(nurse, course, days_ago=9, observations=[data.hypertension(data.NORMAL_BP)])
    visit = data.log_visit(
        nurse,
        course,
        days_ago=2,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    recommendation = visit.recommendations.get()
    assert recommendation.action == "withhold"
    return recommendation


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login
