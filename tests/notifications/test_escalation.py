"""An urgent alert nobody acknowledges goes to the next person after the set time, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import services, tasks
from notifications.models import AlertKind, OutboxStatus, Severity, SiteRouting

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def escalate(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.escalate_alerts()

    return run


def test_an_urgent_alert_is_due_to_escalate_two_hours_after_it_was_raised(
    clock, smtp_server, routed, raise_grade3
):
    alert = raise_grade3(routed)
    assert alert.escalate_at == NOW + timedelta(hours=2)


def test_before_the_set_time_nobody_else_is_told(
    clock, smtp_server, routed, raise_grade3, escalate
):
    raise_grade3(routed)
    clock.shift(timedelta(hours=2) - timedelta(seconds=1))
    assert escalate() == 0
    assert len(smtp_server.received) == 2


def test_after_the_set_time_the_on_call_oncologist_gets_it_once(
    clock, smtp_server, routed, raise_grade3, escalate
):
    raise_grade3(routed)
    clock.shift(timedelta(hours=2))
    escalate()
    escalate()
    clock.shift(timedelta(minutes=10))
    escalate()
    tasks.sweep_outbox()
    assert smtp_server.recipients() == [
        "nurse@example.org",
        "oncall@example.org",
        "oncologist@example.org",
    ]


def test_the_escalated_email_says_it_was_escalated(
    clock, smtp_server, routed, raise_grade3, escalate
):
    raise_grade3(routed)
    clock.shift(timedelta(hours=2))
    escalate()
    escalated = smtp_server.received[-1]
    assert escalated.subject.startswith("Escalated: ")
    assert "Nobody has acknowledged this alert within the set time" in escalated.text


def test_escalation_is_recorded_on_the_alert_and_in_its_history(
    clock, smtp_server, routed, raise_grade3, escalate
):
    alert = raise_grade3(routed)
    clock.shift(timedelta(hours=2))
    escalate()
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert alert.escalate_at == NOW + timedelta(hours=4)
    assert alert.history.first().history_change_reason == "Escalated to level 1"


def test_two_hours_later_still_unacknowledged_the_site_admin_is_told(
    clock, smtp_server, routed, raise_grade3, escalate
):
    raise_grade3(routed)
    clock.shift(timedelta(hours=2))
    escalate()
    clock.shift(timedelta(hours=2))
    escalate()
    clock.shift(timedelta(hours=2))
    escalate()
    assert smtp_server.recipients().count("siteadmin@example.org") == 1
    assert len(smtp_server.received) == 4


def test_an_acknowledged_alert_is_not_escalated(
    clock, smtp_server, routed, raise_grade3, escalate, oncologist
):
    alert = raise_grade3(routed)
    clock.shift(timedelta(minutes=30))
    services.acknowledge_alert(actor=oncologist, alert=alert)
    clock.shift(timedelta(hours=3))
    assert escalate() == 0
    assert "oncall@example.org" not in smtp_server.recipients()


def test_an_escalation_acknowledged_before_it_was_sent_is_cancelled(
    clock, smtp_server, routed, raise_grade3, oncologist
):
    alert = raise_grade3(routed)
    clock.shift(timedelta(hours=2))
    tasks.escalate_alerts()  # deliveries made; the on-commit send has not run
    services.acknowledge_alert(actor=oncologist, alert=alert)
    clock.shift(timedelta(minutes=5))
    tasks.sweep_outbox()
    assert alert.deliveries.get(escalation_level=1).status == OutboxStatus.CANCELLED
    assert "oncall@example.org" not in smtp_server.recipients()


def test_a_site_with_a_shorter_escalation_time_escalates_sooner(
    clock, smtp_server, routed, raise_grade3, escalate, site
):
    SiteRouting.objects.filter(site=site).update(escalate_after_minutes=30)
    raise_grade3(routed)
    clock.shift(timedelta(minutes=30))
    escalate()
    assert "oncall@example.org" in smtp_server.recipients()


def test_a_level_with_nobody_new_is_skipped(
    clock, smtp_server, course, oncologist, site_admin, escalate, raise_grade3
):
    # No on-call named and one oncologist: level 1 would be the same person again.
    raise_grade3(course)
    clock.shift(timedelta(hours=2))
    escalate()
    assert smtp_server.recipients() == ["oncologist@example.org", "siteadmin@example.org"]


def test_a_routine_alert_never_escalates(clock, smtp_server, routed, raise_grade3, escalate):
    alert = raise_grade3(
        routed,
        kind=AlertKind.MONITORING_OVERDUE,
        severity=Severity.ROUTINE,
        episode_term="",
        grade=None,
        summary="Blood pressure check overdue by 3 days.",
    )
    assert alert.escalate_at is None
    clock.shift(timedelta(days=1))
    assert escalate() == 0
