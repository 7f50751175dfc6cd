"""Celery tasks of the evaluation pipeline. Thin: each takes ids and calls a service.

Retry policy: only transient database errors (a dropped connection, a deadlock
or serialization failure) are retried, a finite number of times with
exponential backoff and jitter, capped at a few minutes (never a long
countdown: Redis redelivers delayed tasks past its visibility timeout).
`acks_late` + `reject_on_worker_lost`: a worker killed mid-task leaves the
message to be delivered again, and the idempotent service makes that harmless.

Test-only: TRACKER_TEST_EVALUATION_DELAY_SECONDS makes evaluate_visit pause
inside its transaction, just before it commits, so the integration tests can
kill a worker in the middle of an evaluation. Never set it in a deployment.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

from celery import group, shared_task
from django.db import InterfaceError, OperationalError

from toxicity import alerts
from toxicity.services import due_checks, evaluation, impact

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
TEST_DELAY_ENV = "TRACKER_TEST_EVALUATION_DELAY_SECONDS"


def _test_delay() -> None:
    time.sleep(float(os.environ[TEST_DELAY_ENV]))


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
)
def evaluate_visit(visit_id: int) -> int | None:
    hook = _test_delay if os.environ.get(TEST_DELAY_ENV) else None
    recommendation = evaluation.evaluate_visit(visit_id, before_commit=hook)
    return recommendation.pk if recommendation else None


@shared_task(acks_late=True, reject_on_worker_lost=True, expires=55)
def sweep_unevaluated_visits(older_than_seconds: int = 60) -> int:
    """Beat, every minute: evaluates visits left unevaluated for over a minute."""
    return evaluation.sweep_unevaluated_visits(older_than=timedelta(seconds=older_than_seconds))


@shared_task(acks_late=True, reject_on_worker_lost=True, expires=600)
def process_due_checks() -> int:
    """Beat, every 15 minutes: schedules a new course's first checks (before its first
    visit), then claims the checks that became overdue."""
    due_checks.schedule_first_checks()
    return len(due_checks.mark_overdue_checks())


# The two beats that turn clinical events into digest items. Their names are the
# ones CELERY_BEAT_SCHEDULE has always used, so a deployment keeps its schedule
# and any message queued under the old module still finds its task.
@shared_task(name="notifications.alerts_for_pending_recommendations")
def alerts_for_pending_recommendations() -> int:
    """Beat: recommendations waiting too long for a decision go into the digest."""
    return alerts.alerts_for_pending_recommendations()


@shared_task(name="notifications.alerts_for_overdue_checks")
def alerts_for_overdue_checks() -> int:
    """Beat: monitoring checks the toxicity sweep marked overdue go into the digest."""
    return alerts.alerts_for_overdue_checks()


# --- Rule-set impact reports (toxicity/services/impact.py) ----------------------------------
# On the "impact" queue (config/settings.py), beside the clinic's own: a report's chunks
# never hold up a visit's evaluation waiting in the queue behind them.


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, max_retries=5)
def plan_impact_report(report_id: int) -> int:
    """Cuts the report into chunks and sends them, as one group, to every worker."""
    todo = impact.plan_report(report_id)
    if todo:
        group(evaluate_impact_chunk.si(report_id, index) for index in todo).apply_async()
    else:
        finish_impact_report.delay(report_id)
    return len(todo)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    max_retries=5,
    retry_backoff=2,
    retry_jitter=True,
)
def evaluate_impact_chunk(report_id: int, index: int) -> None:
    try:
        complete = impact.run_chunk(report_id, index)
    except TRANSIENT:
        raise
    except Exception as error:
        logger.exception("Impact report %s chunk %s failed.", report_id, index)
        impact.fail_report(report_id, error)
        return
    if complete:
        finish_impact_report.delay(report_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, max_retries=5)
def finish_impact_report(report_id: int) -> bool:
    """The group's final step: adds up the chunks' results into the report."""
    return impact.finish_report(report_id)
