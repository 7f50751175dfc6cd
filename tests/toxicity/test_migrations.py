"""The move of the recommendation / dose-change link to the toxicity side keeps
every link (toxicity 0006, then patients 0010 drops the old column)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.toxicity.conftest import at, hypertension
from toxicity.models import Recommendation
from toxicity.services import evaluation

BEFORE = [("patients", "0009_patient_version"), ("toxicity", "0005_text_limits")]


def latest():
    """Every app at its newest migration, as the suite's other tests expect to find it."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def evaluated(visit):
    # The evaluation runs here rather than as the after-commit task: outside a test
    # transaction, a task queued on commit depends on what earlier tests left of the
    # Celery app. Evaluating twice is a no-op (evaluate_visit is idempotent).
    evaluation.evaluate_visit(visit.pk)
    return visit


@pytest.fixture
def signed_and_pending(course, nurse, oncologist, log, sign, time_machine):
    """A signed withhold carried out by a hold, and a later visit's pending resume."""
    withhold = Recommendation.objects.get(
        visit=evaluated(
            log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
        )
    )
    time_machine.move_to(at(28, hour=11), tick=False)  # signed two hours after the visit
    sign(oncologist, withhold)
    time_machine.move_to(at(35), tick=False)
    resume = Recommendation.objects.get(
        visit=evaluated(log(nurse, course, at(35), [hypertension([[128, 82], [126, 80]])]))
    )
    withhold.refresh_from_db()
    assert withhold.dose_change is not None and resume.dose_change is None
    return withhold, resume


@pytest.mark.django_db(transaction=True)  # schema changes, and SQLite runs them outside one
def test_every_link_survives_the_move_to_the_recommendation(signed_and_pending):
    withhold, resume = signed_and_pending
    hold_id = withhold.dose_change_id
    old = migrate(BEFORE)
    # The seeded database as it stood: the link on the ledger row.
    old_links = dict(
        old.get_model("patients", "DoseChange")
        .objects.exclude(recommendation_id=None)
        .values_list("pk", "recommendation_id")
    )
    assert old_links == {hold_id: withhold.pk}

    new = migrate(latest())
    links = dict(
        new.get_model("toxicity", "Recommendation").objects.values_list("pk", "dose_change_id")
    )
    assert links == {withhold.pk: hold_id, resume.pk: None}
    # The audit trail names the row from the signing on, and not before it.
    trail = list(
        new.get_model("toxicity", "HistoricalRecommendation")
        .objects.filter(id=withhold.pk)
        .order_by("history_date", "history_id")
        .values_list("status", "dose_change_id")
    )
    assert trail[0] == ("pending", None)
    assert trail[-1] == ("approved", hold_id)


@pytest.mark.django_db(transaction=True)
def test_a_recommendation_carried_out_twice_stops_the_migration(signed_and_pending):
    withhold, resume = signed_and_pending
    old = migrate(BEFORE)
    changes = old.get_model("patients", "DoseChange").objects
    start = changes.filter(kind="start").get()
    changes.filter(pk=start.pk).update(recommendation_id=withhold.pk)
    with pytest.raises(RuntimeError, match="more than one dose change"):
        migrate(latest())
    # Nothing half-done: the old links are all still there.
    assert changes.filter(recommendation_id=withhold.pk).count() == 2
    changes.filter(pk=start.pk).update(recommendation_id=None)
    migrate(latest())
