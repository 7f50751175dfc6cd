"""Alert emails through a real Celery worker, Redis, PostgreSQL and an SMTP server.

Without PostgreSQL or Redis these tests FAIL, naming what is missing:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \
        pytest -m integration tests/notifications
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from notifications import services
from notifications.models import AlertKind, Delivery, OutboxStatus, Severity
from tests.integration import (
    REDIS,
    celery_on_broker,
    require_postgres_and_redis,
    worker_connections_ended,
)
from toxicity.services import visits

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_DB = 14  # toxicity's integration tests use 12 and 13


@pytest.fixture(autouse=True)
def services_up():
    require_postgres_and_redis(WORKER_DB)
    with worker_connections_ended():
        yield


@contextmanager
def worker():
    """A real worker thread consuming from Redis (the suite otherwise runs eager)."""
    url = f"{REDIS}/{WORKER_DB}"
    redis.Redis.from_url(url).flushdb()
    with celery_on_broker(url) as app, start_worker(app, perform_ping_check=False):
        yield


def _sent_count() -> int:
    return Delivery.objects.filter(status=OutboxStatus.SENT).count()


def test_an_alert_raised_on_commit_is_accepted_by_the_smtp_server(smtp_server, routed):
    with worker():
        started = time.monotonic()
        services.raise_alert(
            kind=AlertKind.HIGH_GRADE,
            severity=Severity.URGENT,
            course=routed,
            about=routed,
            dedupe_key="integration:1",
            summary="Hypertension grade 3: BP 172/104 mmHg.",
            episode_term="hypertension",
            grade=3,
        )
        smtp_server.wait_for(2)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 5
        while _sent_count() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a duplicate would show up now
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]
    assert _sent_count() == 2
    assert elapsed < 5


def test_a_grade_3_visit_ends_in_an_email_accepted_by_the_smtp_server(smtp_server, routed, nurse):
    with worker():
        visits.log_visit(
            actor=nurse,
            course=routed,
            occurred_at=datetime.now(UTC) - timedelta(minutes=5),
            observations=[{"term": "hypertension", "readings": [[166, 102], [162, 100]]}],
            antihypertensive_therapy="optimal",
        )
        smtp_server.wait_for(2)
        time.sleep(0.5)
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]
    assert "Hypertension: CTCAE grade 3" in smtp_server.received[0].text


def test_an_mrn_of_mg_still_yields_the_alert_email_without_an_identifier(
    smtp_server, routed, nurse, patient
):
    patient.mrn = "mg"
    patient.save()
    with worker():
        visit = visits.log_visit(
            actor=nurse,
            course=routed,
            occurred_at=datetime.now(UTC) - timedelta(minutes=5),
            # CTCAE v5.0 Diarrhea grade 3: increase of >=7 stools per day over baseline (1)
            observations=[{"term": "diarrhea", "stools_per_day": 8}],
        )
        smtp_server.wait_for(2)
        time.sleep(0.5)
    assert visit.recommendations.get().action == "withhold"
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]
    for message in smtp_server.received:
        assert "Diarrhea: CTCAE grade 3" in message.text
        assert patient.reference_code in message.text
        for identifier in (
            f"{patient.given_name} {patient.family_name}",
            patient.date_of_birth.strftime("%d/%m/%Y"),
            patient.date_of_birth.isoformat(),
        ):
            assert identifier not in message.text + message.html + message.subject
        # "mg" shows only as the dose unit the tracker wrote, never as the patient's MRN.
        assert message.text.count("mg") == message.text.count(" mg/day")
