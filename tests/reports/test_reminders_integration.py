"""Reminder emails through a real Celery worker, Redis, PostgreSQL and an SMTP server.

The beat's sweep is queued to the worker as beat queues it; the worker sends what it
claims to an aiosmtpd server on loopback. Without PostgreSQL or Redis these tests
FAIL, naming what is missing:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \
        flock /tmp/integration.lock pytest -m integration tests/reports
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from reports import reminders, tasks
from reports.models import Reminder, ReminderSchedule, ReminderStatus, SkipReason
from tests.integration import (
    REDIS,
    celery_on_broker,
    require_postgres_and_redis,
    worker_connections_ended,
)
from tests.notifications.conftest import SmtpServer
from tests.reports.factories import emailed_account

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_DB = 15  # toxicity's integration tests use 12 and 13, notifications' 14


@pytest.fixture(autouse=True)
def services_up():
    require_postgres_and_redis(WORKER_DB)
    with worker_connections_ended():
        yield


@pytest.fixture
def smtp_server(settings):
    """The SMTP backend pointed at a real server on loopback (not locmem)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://tracker.example.org"
    yield server
    server.stop()


@contextmanager
def worker():
    """A real worker thread consuming from Redis (the suite otherwise runs eager)."""
    url = f"{REDIS}/{WORKER_DB}"
    redis.Redis.from_url(url).flushdb()
    with celery_on_broker(url) as app, start_worker(app, perform_ping_check=False):
        yield


def _wait_until(done, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def due_now(nurse, patient):
    """Reminders on, chosen a week ago, for today at this very minute: due now."""
    account = emailed_account(nurse, patient)
    schedule = reminders.set_schedule(
        account=account, enabled=True, weekday=0, time_of_day=reminders.DEFAULT_TIME
    )
    now = timezone.now().astimezone(patient.site.zone)
    ReminderSchedule.objects.filter(pk=schedule.pk).update(
        weekday=now.weekday(),
        time_of_day=now.time().replace(second=0, microsecond=0),
        changed_at=timezone.now() - timedelta(days=7),
    )
    return account


def test_the_same_sweep_run_twice_delivers_one_email(smtp_server, due_now):
    with worker():
        tasks.sweep_reminders.delay()
        tasks.sweep_reminders.delay()
        smtp_server.wait_for(1)
        _wait_until(lambda: Reminder.objects.filter(status=ReminderStatus.SENT).exists())
        tasks.sweep_reminders.delay()
        time.sleep(1.0)  # a duplicate would show up now
    assert smtp_server.recipients() == ["cora@example.org"]
    message = smtp_server.received[0]
    assert "/me/week/" in message.text and "/me/reminders/stop/" in message.text
    assert Reminder.objects.get().status == ReminderStatus.SENT


def test_a_stopped_reminder_delivers_none(smtp_server, due_now, client):
    with worker():
        # Stopped from an earlier email's link, after the week's row was made.
        reminders.create_due_reminders()
        reminder = Reminder.objects.get()
        token = reminders.issue_stop_token(reminder)
        assert client.post(f"/me/reminders/stop/{token}/").status_code == 200
        tasks.sweep_reminders.delay()
        _wait_until(lambda: Reminder.objects.filter(status=ReminderStatus.SKIPPED).exists())
        time.sleep(1.0)  # an email would show up now
    assert smtp_server.received == []
    assert Reminder.objects.get().skip_reason == SkipReason.STOPPED
