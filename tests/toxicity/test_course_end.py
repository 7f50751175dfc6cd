"""A course that ends leaves nothing to sign: its pending recommendations close."""

from __future__ import annotations

import pytest

from patients import services as patient_services
from patients.dosing import Kind
from tests.toxicity.conftest import at, hypertension
from toxicity.models import Recommendation
from toxicity.services import evaluation, ledger, visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def withhold(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    return Recommendation.objects.get(visit=visit)


def test_discontinuing_a_course_closes_its_pending_recommendation(withhold, oncologist):
    ledger.change_dose(
        actor=oncologist,
        course=withhold.course,
        kind=Kind.DISCONTINUE,
        dose_after_mg=0,
        reason="Progressive disease",
        effective_at=at(27),
    )
    withhold.refresh_from_db()
    assert withhold.status == "superseded"
    entry = withhold.history.order_by("-history_id").first()
    assert entry.history_user == oncologist
    assert "nothing left to sign" in entry.history_change_reason


def test_an_approved_discontinuation_stays_approved(course, nurse, oncologist, log, sign):
    crisis = {"term": "hypertension", "readings": [[190, 120], [186, 118]], "grade": 4}
    visit = log(nurse, course, at(20), [crisis])
    recommendation = Recommendation.objects.get(visit=visit)
    assert recommendation.action == "discontinue"
    sign(oncologist, recommendation)
    recommendation.refresh_from_db()
    assert recommendation.status == "approved"
    assert course.dose_changes.last().kind == Kind.DISCONTINUE


def test_a_visit_evaluated_after_its_course_ended_leaves_nothing_to_sign(course, nurse, oncologist):
    visit = visits.log_visit(  # saved while the broker was down: not yet evaluated
        actor=nurse,
        course=course,
        occurred_at=at(20),
        observations=[hypertension()],
        antihypertensive_therapy="optimal",
    )
    patient_services.apply_dose_change(
        actor=oncologist,
        course=course,
        kind=Kind.DISCONTINUE,
        dose_after_mg=0,
        reason="Progressive disease",
        effective_at=at(27),
    )
    evaluation.evaluate_visit(visit.pk)
    (recommendation,) = Recommendation.objects.filter(visit=visit)
    assert recommendation.action == "withhold"
    assert recommendation.status == "superseded"


def test_a_discontinuation_through_the_api_closes_the_pending_recommendation(
    withhold, oncologist, api
):
    client = api(oncologist)
    response = client.post(
        f"/api/v1/courses/{withhold.course_id}/dose-changes/",
        {"kind": "discontinue", "dose_after_mg": 0, "reason": "Progressive disease"},
        format="json",
    )
    assert response.status_code == 201, response.content
    withhold.refresh_from_db()
    assert withhold.status == "superseded"
