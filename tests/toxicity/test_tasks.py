"""The tasks: thin, retried only on transient errors, and the sweep as a safety net."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError

from tests.toxicity.conftest import at, hypertension
from toxicity import tasks
from toxicity.models import Recommendation
from toxicity.services import visits

pytestmark = pytest.mark.django_db


def test_evaluate_visit_retries_only_transient_database_errors():
    task = tasks.evaluate_visit
    assert task.autoretry_for == (OperationalError, tasks.InterfaceError)
    assert task.max_retries == 5
    assert task.retry_jitter and task.retry_backoff_max <= 300
    assert task.acks_late and task.reject_on_worker_lost


def _unevaluated(course, nurse, day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return visits.log_visit(
            actor=nurse,
            course=course,
            occurred_at=at(day),
            observations=[hypertension()],
            antihypertensive_therapy="optimal",
        )


def test_the_sweep_evaluates_visits_left_unevaluated_for_a_minute(
    course, nurse, time_machine, django_capture_on_commit_callbacks
):
    visit = _unevaluated(course, nurse, 20, django_capture_on_commit_callbacks)
    assert tasks.sweep_unevaluated_visits() == 0  # saved just now: a worker may still be on it

    time_machine.shift(timedelta(minutes=2))
    assert tasks.sweep_unevaluated_visits() == 1
    assert Recommendation.objects.filter(visit=visit).count() == 1


def test_two_sweeps_evaluate_each_visit_once(
    course, nurse, time_machine, django_capture_on_commit_callbacks
):
    visit = _unevaluated(course, nurse, 20, django_capture_on_commit_callbacks)
    time_machine.shift(timedelta(minutes=2))
    tasks.sweep_unevaluated_visits()
    tasks.sweep_unevaluated_visits()
    assert Recommendation.objects.filter(visit=visit).count() == 1


def test_the_evaluation_task_calls_the_service(course, nurse, django_capture_on_commit_callbacks):
    visit = _unevaluated(course, nurse, 20, django_capture_on_commit_callbacks)
    recommendation_id = tasks.evaluate_visit.apply(args=[visit.pk]).get()
    assert Recommendation.objects.get(pk=recommendation_id).visit == visit
