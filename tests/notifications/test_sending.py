"""Alert emails go through a real SMTP server, once, to the routed people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import tasks
from notifications.models import Alert, AlertKind, Delivery, OutboxStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_an_urgent_alert_emails_the_treating_oncologist_and_the_nurse_team(
    smtp_server, routed, raise_grade3
):
    raise_grade3(routed)
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]


def test_the_on_call_oncologist_and_site_admin_are_not_told_at_first(
    smtp_server, routed, raise_grade3
):
    raise_grade3(routed)
    assert "oncall@example.org" not in smtp_server.recipients()
    assert "siteadmin@example.org" not in smtp_server.recipients()


def test_each_recipient_gets_their_own_message(smtp_server, routed, raise_grade3):
    raise_grade3(routed)
    assert sorted(len(item.rcpt_tos) for item in smtp_server.received) == [1, 1]


def test_a_sent_delivery_records_when_and_one_attempt(smtp_server, routed, raise_grade3):
    with time_machine.travel(NOW, tick=False):
        alert = raise_grade3(routed)
    for delivery in alert.deliveries.all():
        assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, NOW)


@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_the_email_holds_no_name_birth_date_or_mrn(
    smtp_server, routed, patient, raise_grade3, part
):
    raise_grade3(routed)
    content = getattr(smtp_server.received[0], part)
    dob = patient.date_of_birth
    for identifier in (
        patient.family_name,
        patient.given_name,
        patient.mrn,
        dob.isoformat(),
        dob.strftime("%d/%m/%Y"),
        dob.strftime("%d %B %Y"),
        dob.strftime("%d %b %Y"),
    ):
        assert identifier.lower() not in content.lower()


@pytest.mark.parametrize("part", ["text", "html"])
def test_both_bodies_name_the_patient_by_reference_code_and_link_to_the_app(
    smtp_server, routed, patient, raise_grade3, part
):
    alert = raise_grade3(routed)
    content = getattr(smtp_server.received[0], part)
    assert patient.reference_code in content
    assert f"https://tracker.example.org/alerts/{alert.pk}/" in content
    assert "https://tracker.example.org/alerts/ack/" in content


@pytest.mark.parametrize("part", ["text", "html"])
def test_both_bodies_say_what_happened_how_severe_and_what_is_recommended(
    smtp_server, routed, raise_grade3, part
):
    raise_grade3(routed)
    content = getattr(smtp_server.received[0], part)
    assert "BP 172/104 mmHg" in content
    assert "CTCAE grade 3" in content
    assert "Urgent" in content
    assert "Withhold lenvatinib until grade 2 or lower" in content


def test_the_subject_names_kind_severity_grade_and_reference_code(
    smtp_server, routed, patient, raise_grade3
):
    raise_grade3(routed)
    assert smtp_server.received[0].subject == (
        f"[Urgent] Grade 3 or higher toxicity (grade 3) - {patient.reference_code}"
    )


def test_the_same_task_run_twice_sends_one_email(smtp_server, routed, raise_grade3):
    alert = raise_grade3(routed)
    delivery = alert.deliveries.get(recipient__username="oncologist")
    assert tasks.send_delivery(delivery.pk) == "not claimed"
    assert tasks.send_delivery.delay(delivery.pk).get() == "not claimed"
    assert smtp_server.recipients().count("oncologist@example.org") == 1


def test_the_sweep_does_not_resend_a_sent_delivery(smtp_server, routed, raise_grade3):
    with time_machine.travel(NOW, tick=False) as traveller:
        raise_grade3(routed)
        traveller.shift(timedelta(hours=1))
        tasks.sweep_outbox()
    assert len(smtp_server.received) == 2


def test_raising_the_same_dedupe_key_twice_sends_nothing_more(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed)
    second = raise_grade3(routed)
    assert second.pk == first.pk
    assert len(smtp_server.received) == 2


def test_with_the_mail_server_down_the_delivery_waits_to_retry(smtp_server, routed, raise_grade3):
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False):
        alert = raise_grade3(routed)
    delivery = alert.deliveries.get(recipient__username="oncologist")
    assert delivery.status == OutboxStatus.RETRYING
    assert delivery.next_attempt_at == NOW + timedelta(seconds=30)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()


def test_a_mail_server_down_for_the_first_attempts_delivers_once_when_back(
    smtp_server, routed, raise_grade3
):
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False) as traveller:
        alert = raise_grade3(routed)
        for _ in range(2):  # attempts 2 and 3 also fail
            traveller.shift(timedelta(minutes=5))
            tasks.sweep_outbox()
        smtp_server.start()
        traveller.shift(timedelta(minutes=5))
        tasks.sweep_outbox()
        traveller.shift(timedelta(minutes=30))
        tasks.sweep_outbox()
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]
    delivery = alert.deliveries.get(recipient__username="oncologist")
    assert (delivery.status, delivery.attempts) == (OutboxStatus.SENT, 4)


def test_a_retry_is_not_sent_before_it_is_due(smtp_server, routed, raise_grade3):
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False) as traveller:
        alert = raise_grade3(routed)
        smtp_server.start()
        traveller.shift(timedelta(seconds=29))
        tasks.sweep_outbox()
    assert smtp_server.received == []
    assert alert.deliveries.filter(status=OutboxStatus.RETRYING).count() == 2


def test_after_the_last_attempt_the_delivery_fails(smtp_server, routed, raise_grade3, settings):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 3
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False) as traveller:
        alert = raise_grade3(routed)
        for _ in range(5):
            traveller.shift(timedelta(minutes=20))
            tasks.sweep_outbox()
    delivery = alert.deliveries.get(recipient__username="oncologist")
    assert (delivery.status, delivery.attempts) == (OutboxStatus.FAILED, 3)


def test_a_failed_delivery_raises_a_delivery_failed_alert_to_the_site_admin(
    smtp_server, routed, raise_grade3, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 2
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False) as traveller:
        raise_grade3(routed)
        traveller.shift(timedelta(minutes=20))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep_outbox()  # second and last attempt fails
        smtp_server.start()
        traveller.shift(timedelta(minutes=20))
        tasks.sweep_outbox()
    assert Alert.objects.filter(kind=AlertKind.DELIVERY_FAILED).count() == 2  # oncologist, nurse
    assert smtp_server.recipients() == ["siteadmin@example.org", "siteadmin@example.org"]


def test_a_delivery_failed_alert_is_not_escalated_or_raised_again_when_it_fails(
    smtp_server, routed, raise_grade3, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 1
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        raise_grade3(routed)
    assert Alert.objects.filter(kind=AlertKind.DELIVERY_FAILED).count() == 2
    assert (
        Delivery.objects.filter(
            alert__kind=AlertKind.DELIVERY_FAILED, status=OutboxStatus.FAILED
        ).count()
        == 2
    )
    assert (
        Alert.objects.filter(kind=AlertKind.DELIVERY_FAILED, escalate_at__isnull=False).count() == 0
    )
