"""Routine alerts reach each recipient once a day, in one digest, at their chosen time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from notifications import services, tasks
from notifications.models import AlertKind, NotificationPreference, OutboxStatus, Severity

MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # TIME_ZONE is UTC in tests
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def raise_routine(raise_grade3):
    def raise_it(course, key, summary="Recommendation pending for 3 days."):
        return raise_grade3(
            course,
            key=key,
            kind=AlertKind.RECOMMENDATION_PENDING,
            severity=Severity.ROUTINE,
            episode_term="",
            grade=None,
            summary=summary,
            recommended_action="Review and sign the recommendation.",
        )

    return raise_it


@pytest.fixture
def digests(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_due_digests()

    return run


def test_a_routine_alert_sends_no_email_at_once(clock, smtp_server, routed, raise_routine):
    raise_routine(routed, "pending:1")
    assert smtp_server.received == []


def test_routine_alerts_arrive_together_at_the_default_digest_time(
    clock, smtp_server, routed, raise_routine, digests
):
    raise_routine(routed, "pending:1")
    raise_routine(routed, "pending:2", summary="Recommendation pending for 5 days.")
    clock.move_to(datetime(2026, 3, 2, 7, 29, tzinfo=UTC))
    digests()
    assert smtp_server.received == []
    clock.move_to(datetime(2026, 3, 2, 7, 30, tzinfo=UTC))
    digests()
    assert smtp_server.recipients() == ["oncologist@example.org"]
    body = smtp_server.received[0].text
    assert "pending for 3 days" in body
    assert "pending for 5 days" in body


def test_the_digest_holds_no_name_birth_date_or_mrn(
    clock, smtp_server, routed, patient, raise_routine, digests
):
    raise_routine(routed, "pending:1")
    clock.shift(timedelta(hours=2))
    digests()
    received = smtp_server.received[0]
    for part in (received.subject, received.text, received.html):
        for identifier in (patient.family_name, patient.given_name, patient.mrn):
            assert identifier not in part
        assert patient.date_of_birth.isoformat() not in part
    assert patient.reference_code in received.text
    assert patient.reference_code in received.html


def test_a_user_chooses_their_digest_time(
    clock, smtp_server, routed, raise_routine, oncologist, digests
):
    NotificationPreference.objects.create(user=oncologist, digest_time=time(13, 0))
    raise_routine(routed, "pending:1")
    clock.move_to(datetime(2026, 3, 2, 12, 59, tzinfo=UTC))
    digests()
    assert smtp_server.received == []
    clock.move_to(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
    digests()
    assert len(smtp_server.received) == 1


def test_one_digest_a_day_however_often_the_job_runs(
    clock, smtp_server, routed, raise_routine, digests
):
    raise_routine(routed, "pending:1")
    clock.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    digests()
    raise_routine(routed, "pending:2")
    digests()
    tasks.sweep_outbox()
    assert len(smtp_server.received) == 1


def test_an_item_raised_after_todays_digest_comes_tomorrow(
    clock, smtp_server, routed, raise_routine, digests
):
    raise_routine(routed, "pending:1")
    clock.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    digests()
    raise_routine(routed, "pending:2", summary="Recommendation pending for 9 days.")
    clock.move_to(datetime(2026, 3, 3, 7, 30, tzinfo=UTC))
    digests()
    assert len(smtp_server.received) == 2
    assert "pending for 9 days" in smtp_server.received[1].text


def test_an_item_acknowledged_before_the_digest_is_left_out(
    clock, smtp_server, routed, raise_routine, oncologist, digests
):
    alert = raise_routine(routed, "pending:1")
    services.acknowledge_alert(actor=oncologist, alert=alert)
    clock.shift(timedelta(hours=2))
    digests()
    assert smtp_server.received == []
    assert alert.deliveries.get().status == OutboxStatus.CANCELLED


def test_digest_items_are_marked_sent_with_the_digest(
    clock, smtp_server, routed, raise_routine, digests
):
    alert = raise_routine(routed, "pending:1")
    clock.shift(timedelta(hours=2))
    digests()
    delivery = alert.deliveries.get()
    assert delivery.status == OutboxStatus.SENT
    assert delivery.digest.status == OutboxStatus.SENT


def test_a_digest_is_retried_when_the_mail_server_is_down(
    clock, smtp_server, routed, raise_routine, digests
):
    raise_routine(routed, "pending:1")
    smtp_server.stop()
    clock.shift(timedelta(hours=2))
    digests()
    smtp_server.start()
    clock.shift(timedelta(minutes=1))
    tasks.sweep_outbox()
    tasks.sweep_outbox()
    assert len(smtp_server.received) == 1
