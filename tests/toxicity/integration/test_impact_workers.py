"""Impact reports on real Celery workers, PostgreSQL and Redis: cancelled, and
surviving a worker killed in the middle of a chunk."""

from __future__ import annotations

import signal
import time

import pytest
import redis

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
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
from tests.tracker import data
from toxicity.models import ImpactChunk, ImpactDifference, ImpactReport, ImpactStatus
from toxicity.services import impact, impact_requests

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_DB = 14
CHANGED_ROW = "lenvatinib.us_pi.hypertension.grade3_without_optimal_therapy"
CANDIDATE = {"row_changes": [{"rule_id": CHANGED_ROW, "field": "action", "value": "withhold"}]}
COURSES = 4  # two visits each; one course per chunk
ONE_COURSE_PER_CHUNK = {"IMPACT_CHUNK_VISITS": "2"}


@pytest.fixture(autouse=True)
def services_up():
    require_postgres_and_redis()
    url = f"{REDIS}/{WORKER_DB}"
    redis.Redis.from_url(url).flushdb()
    with worker_connections_ended():
        yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def clinic():
    site = SiteFactory()
    nurse = member(site, Role.NURSE)
    oncologist = member(site, Role.ONCOLOGIST)
    pharmacist = member(site, Role.PHARMACIST)
    for _ in range(COURSES):
        course = data.start_course(oncologist, PatientFactory(site=site), days_ago=60)
        # The changed row turns the first visit's continue into a withhold.
        data.log_visit(nurse, course, days_ago=30, observations=[data.hypertension()])
        data.log_visit(nurse, course, days_ago=20, observations=[data.hypertension(data.NORMAL_BP)])
    return site, pharmacist


def _request(url, site, pharmacist) -> ImpactReport:
    with celery_on_broker(url):
        return impact_requests.request_report(
            actor=pharmacist,
            reason="Hold grade 3 before optimal therapy?",
            candidate=CANDIDATE,
            site_ids=[site.pk],
        )


def _chunks_done(report) -> int:
    return ImpactChunk.objects.filter(report=report, done_at__isnull=False).count()


def _status(report) -> str:
    return ImpactReport.objects.get(pk=report.pk).status


def test_a_worker_killed_mid_chunk_loses_nothing_and_counts_the_chunk_once(services_up, clinic):
    site, pharmacist = clinic
    first = worker_process(
        WORKER_DB, {**ONE_COURSE_PER_CHUNK, "TRACKER_TEST_IMPACT_CHUNK_DELAY_SECONDS": "30"}
    )
    restarted = None
    try:
        report = _request(services_up, site, pharmacist)
        # The chunk's differences are written, not committed: the worker is mid-chunk.
        wait_for(transaction_in_progress, 60, "a worker to be mid-chunk")
        kill_worker(first)
        wait_for(lambda: not transaction_in_progress(), 10, "the killed transaction to end")
        assert _chunks_done(report) == 0
        assert not ImpactDifference.objects.filter(report=report).exists()

        # Redis hands the unacknowledged chunk to the restarted worker.
        restarted = worker_process(
            WORKER_DB, {**ONE_COURSE_PER_CHUNK, "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2"}
        )
        wait_for(lambda: _status(report) == ImpactStatus.DONE, 60, "the report to finish")
    finally:
        kill_worker(first)
        if restarted is not None:
            kill_worker(restarted, signal.SIGTERM)
    report.refresh_from_db()
    assert report.chunk_count == COURSES
    assert _chunks_done(report) == COURSES
    assert report.visits_evaluated == 2 * COURSES
    assert report.visits_changed == COURSES
    assert ImpactDifference.objects.filter(report=report).count() == COURSES


def test_a_cancelled_report_stops_taking_chunks_on_a_real_worker(services_up, clinic):
    site, pharmacist = clinic
    worker = worker_process(
        WORKER_DB, {**ONE_COURSE_PER_CHUNK, "TRACKER_TEST_IMPACT_CHUNK_DELAY_SECONDS": "1"}
    )
    try:
        report = _request(services_up, site, pharmacist)
        wait_for(lambda: _chunks_done(report) >= 1, 60, "the first chunk to be done")
        impact.cancel_report(actor=pharmacist, report=report)
        done_when_cancelled = _chunks_done(report)
        time.sleep(4)  # time for every remaining chunk, were the report still running
    finally:
        kill_worker(worker, signal.SIGTERM)
    report.refresh_from_db()
    assert report.status == ImpactStatus.CANCELLED
    # At most the chunk that was running when the report was cancelled finishes.
    assert _chunks_done(report) <= done_when_cancelled + 1
    assert _chunks_done(report) < COURSES
