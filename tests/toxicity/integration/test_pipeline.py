"""The evaluation pipeline against real PostgreSQL, Redis and Celery workers.

Run with DATABASE_URL=postgres://... (Redis on 127.0.0.1:6379, redis-server on
the PATH). Without them these tests FAIL, naming what is missing: they are the
proof that the pipeline survives lost workers, broker outages and races, and a
skipped proof proves nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker pytest -m integration tests/toxicity
"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection

from patients import services as patient_services
from patients.models import DoseChange, Role
from tests.factories import PASSWORD, PatientFactory, SiteFactory, member
from tests.integration import (
    REDIS,
    celery_on_broker,
    kill_worker,
    require_postgres_and_redis,
    transaction_in_progress,
    wait_for,
    worker_connections_ended,
    worker_process,
)
from toxicity.models import Recommendation, Visit
from toxicity.services import decisions, evaluation
from toxicity.services import visits as visit_services

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREAD_WORKER_DB = 12
PROCESS_WORKER_DB = 13
ROOT = Path(__file__).resolve().parents[3]
HIGH_BP = [[166, 102], [162, 100]]


@pytest.fixture(autouse=True)
def services_up():
    require_postgres_and_redis()
    with worker_connections_ended():
        yield


def _flush(url: str):
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def clinic():
    site = SiteFactory()
    nurse = member(site, Role.NURSE)
    oncologist = member(site, Role.ONCOLOGIST, first_name="Olga", last_name="Oncologist")
    return site, nurse, oncologist


def _course(site, oncologist):
    return patient_services.start_course(
        actor=oncologist,
        patient=PatientFactory(site=site),
        drug="lenvatinib",
        start_date=date.today() - timedelta(days=14),
        starting_dose_mg=24,
    )


def _log_grade_3(nurse, course):
    return visit_services.log_visit(
        actor=nurse,
        course=course,
        occurred_at=datetime.now(UTC) - timedelta(minutes=5),
        observations=[{"term": "hypertension", "readings": HIGH_BP}],
        antihypertensive_therapy="optimal",
    )


def test_a_grade_3_visit_gets_exactly_one_recommendation_from_a_real_worker(clinic):
    site, nurse, oncologist = clinic
    course = _course(site, oncologist)
    url = f"{REDIS}/{THREAD_WORKER_DB}"
    _flush(url)
    with celery_on_broker(url) as app, start_worker(app, perform_ping_check=False):
        started = time.monotonic()
        visit = _log_grade_3(nurse, course)
        wait_for(
            lambda: Recommendation.objects.filter(visit=visit).exists(), 10, "the recommendation"
        )
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # a duplicate would show up now
    assert Recommendation.objects.filter(visit=visit).count() == 1
    assert elapsed < 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_worker_killed_mid_evaluation_leaves_exactly_one_recommendation_after_restart(clinic):
    site, nurse, oncologist = clinic
    course = _course(site, oncologist)
    url = f"{REDIS}/{PROCESS_WORKER_DB}"
    _flush(url)
    first = worker_process(PROCESS_WORKER_DB, {"TRACKER_TEST_EVALUATION_DELAY_SECONDS": "30"})
    restarted = None
    try:
        with celery_on_broker(url):
            visit = _log_grade_3(nurse, course)
        # The worker has stored the recommendation but not committed: it is mid-evaluation.
        wait_for(transaction_in_progress, 30, "the worker to be mid-evaluation")
        kill_worker(first)
        wait_for(lambda: not transaction_in_progress(), 10, "the killed transaction to end")
        assert not Recommendation.objects.filter(visit=visit).exists()

        # Redis hands the unacknowledged message to the restarted worker.
        restarted = worker_process(PROCESS_WORKER_DB, {"CELERY_VISIBILITY_TIMEOUT_SECONDS": "2"})
        wait_for(
            lambda: Visit.objects.filter(pk=visit.pk, evaluated_at__isnull=False).exists(),
            45,
            "the restarted worker to evaluate the visit",
        )
        time.sleep(1)
        evaluation.sweep_unevaluated_visits(older_than=timedelta(0))  # the safety net adds nothing
    finally:
        kill_worker(first)
        if restarted is not None:
            kill_worker(restarted, signal.SIGTERM)
        _flush(url)
    assert Recommendation.objects.filter(visit=visit).count() == 1


@contextmanager
def private_redis(port: int):
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)
    wait_for(lambda: _pings(client), 10, f"redis-server on port {port}")
    try:
        yield process
    finally:
        subprocess.run(
            ["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, check=False
        )
        process.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


def test_visits_logged_while_redis_is_down_are_saved_and_swept_once_it_returns(clinic):
    site, nurse, oncologist = clinic
    courses = [_course(site, oncologist) for _ in range(20)]
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with celery_on_broker(url) as app:
        with private_redis(port):
            pass  # up, then stopped: the broker is down from here on
        started = time.monotonic()
        visits = [_log_grade_3(nurse, course) for course in courses]
        per_visit = (time.monotonic() - started) / len(visits)

        assert Visit.objects.filter(pk__in=[v.pk for v in visits]).count() == 20
        assert not Visit.objects.filter(evaluated_at__isnull=False).exists()
        assert per_visit < 2, f"a save waited {per_visit:.2f} s on the dead broker"

        with private_redis(port), start_worker(app, perform_ping_check=False):
            # Two overlapping sweeps: one queued through the broker, one run here at once.
            from toxicity.tasks import sweep_unevaluated_visits

            sweep_unevaluated_visits.delay(0)
            evaluation.sweep_unevaluated_visits(older_than=timedelta(0))
            wait_for(
                lambda: not Visit.objects.filter(evaluated_at__isnull=True).exists(),
                30,
                "the sweep to evaluate all 20 visits",
            )
            time.sleep(1)
    counts = {v.pk: Recommendation.objects.filter(visit=v).count() for v in visits}
    assert set(counts.values()) == {1}, counts


def test_two_concurrent_approvals_append_one_ledger_row(clinic):
    site, nurse, oncologist = clinic
    colleague = member(site, Role.ONCOLOGIST)
    course = _course(site, oncologist)
    visit = _log_grade_3(nurse, course)
    evaluation.evaluate_visit(visit.pk)
    recommendation = Recommendation.objects.get(visit=visit)

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(actor):
        try:
            barrier.wait(timeout=10)
            decisions.decide_recommendation(
                actor=actor,
                recommendation=Recommendation.objects.get(pk=recommendation.pk),
                decision="approve",
                password=PASSWORD,
            )
            outcomes[actor.username] = "approved"
        except decisions.RecommendationAlreadyDecided as told:
            outcomes[actor.username] = f"told: {told}"
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(who,)) for who in (oncologist, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["approved", "told"], outcomes
    assert DoseChange.objects.filter(course=course, kind="hold").count() == 1
