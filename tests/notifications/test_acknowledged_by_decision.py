"""Acting on an item closes it: a signed decision acknowledges the alerts it answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import tasks
from notifications.models import Alert, AlertKind, Delivery
from tests.factories import PASSWORD
from toxicity.models import Recommendation, Visit
from toxicity.services import decisions, visits

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HIGH_BP = [[166, 102], [162, 100]]  # CTCAE v5.0 Hypertension grade 3
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grade3_visit(clock, routed, nurse, django_capture_on_commit_callbacks) -> Visit:
    """Grade 3 hypertension on optimal therapy: an urgent alert and a withhold to sign."""
    with django_capture_on_commit_callbacks(execute=True):
        return visits.log_visit(
            actor=nurse,
            course=routed,
            occurred_at=NOW - timedelta(hours=1),
            observations=[{"term": "hypertension", "readings": HIGH_BP}],
            antihypertensive_therapy="optimal",
        )


def sign(oncologist, visit, decision="approve", **extra) -> Recommendation:
    return decisions.decide_recommendation(
        actor=oncologist,
        recommendation=Recommendation.objects.get(visit=visit),
        decision=decision,
        password=PASSWORD,
        **extra,
    )


def test_the_grade_3_alert_is_urgent_and_due_to_escalate_before_anyone_signs(grade3_visit):
    (alert,) = Alert.objects.filter(course=grade3_visit.course)
    assert (alert.kind, alert.acknowledged_at) == (AlertKind.HIGH_GRADE, None)
    assert alert.escalate_at == NOW + timedelta(hours=2)


def test_signing_acknowledges_the_alert_with_the_decision(grade3_visit, oncologist):
    signed = sign(oncologist, grade3_visit, "approve_modified", reason="Frail", dose_mg=14)
    (alert,) = Alert.objects.filter(course=grade3_visit.course)
    assert (alert.acknowledged_by, alert.acknowledged_at) == (oncologist, NOW)
    assert alert.escalate_at is None
    assert alert.acknowledgement == (
        f"Signed decision on recommendation R{signed.pk}: approved with another dose "
        "(approved hold, resume at 14 mg/day)"
    )
    assert alert.history.first().history_change_reason == "Acknowledged (signed decision)"


def test_a_rejection_is_a_decision_too(grade3_visit, oncologist):
    sign(oncologist, grade3_visit, "reject", reason="White-coat effect")
    (alert,) = Alert.objects.filter(course=grade3_visit.course)
    assert alert.acknowledged_at is not None
    assert "rejected (rejected dose recommendation)" in alert.acknowledgement


def test_two_hours_after_signing_nobody_else_is_paged(
    clock, grade3_visit, oncologist, django_capture_on_commit_callbacks
):
    sign(oncologist, grade3_visit)
    before = Delivery.objects.count()
    clock.shift(timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        escalated = tasks.escalate_alerts()
    assert escalated == 0
    assert Delivery.objects.count() == before
    assert not Delivery.objects.filter(escalation_level__gt=0).exists()


def test_unsigned_the_same_alert_escalates(clock, grade3_visit, django_capture_on_commit_callbacks):
    """The counterpart of the test above: without a decision the on-call doctor is told."""
    clock.shift(timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        escalated = tasks.escalate_alerts()
    assert escalated == 1
    assert Delivery.objects.filter(escalation_level=1).exists()


def test_a_decision_leaves_alerts_of_other_kinds_open(clock, grade3_visit, oncologist):
    from notifications import services as alert_services
    from notifications.models import Severity

    overdue = alert_services.raise_alert(
        kind=AlertKind.MONITORING_OVERDUE,
        severity=Severity.ROUTINE,
        course=grade3_visit.course,
        about=grade3_visit.course,
        dedupe_key="due-check:test",
        summary="ECG check was due and has not been recorded.",
    )
    sign(oncologist, grade3_visit)
    overdue.refresh_from_db()
    assert overdue.acknowledged_at is None
