"""Migration 0009: alert episodes opened under old label-event keys join the CTCAE terms."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications import services
from notifications.models import Alert, AlertKind, Severity

migration = importlib.import_module("toxicity.migrations.0009_alert_episodes_on_ctcae_terms")


@pytest.fixture
def old_apps(db):
    return MigrationExecutor(connection).loader.project_state().apps


def _alert(old_apps, course, key: str, *, stored_term: str, ended: bool = False) -> Alert:
    """An alert as a database from before holds it: its episode under ``stored_term``."""
    alert = services.raise_alert(
        kind=AlertKind.HIGH_GRADE,
        severity=Severity.URGENT,
        course=course,
        about=course,
        dedupe_key=key,
        summary="Grade 3 event at today's visit.",
        episode_term=f"placeholder_{key}",
        grade=3,
    )
    old_apps.get_model("notifications", "Alert").objects.filter(pk=alert.pk).update(
        episode_term=stored_term, episode_ended_at=alert.created_at if ended else None
    )
    return alert


def _run(old_apps):
    migration.move_alert_episodes(old_apps, None)


def _term(alert: Alert) -> str:
    return Alert.objects.get(pk=alert.pk).episode_term


def test_an_open_episode_under_an_old_key_moves_to_the_ctcae_term(old_apps, course):
    alert = _alert(old_apps, course, "a", stored_term="cerebral_infarction")
    _run(old_apps)
    assert _term(alert) == "stroke"


def test_every_old_key_moves_as_the_observations_did(old_apps, course):
    alerts = {old: _alert(old_apps, course, old, stored_term=old) for old in migration.MOVES}
    _run(old_apps)
    assert {old: _term(a) for old, a in alerts.items()} == migration.MOVES


def test_the_move_is_audited_with_its_reason(old_apps, course):
    alert = _alert(old_apps, course, "a", stored_term="fistula")
    _run(old_apps)
    newest = Alert.history.filter(id=alert.pk).order_by("-history_id").first()
    assert newest.episode_term == "gastrointestinal_fistula"
    assert newest.history_type == "~"
    assert "opened as 'fistula'" in newest.history_change_reason


def test_an_ended_episode_moves_too(old_apps, course):
    alert = _alert(old_apps, course, "a", stored_term="cardiac_ischemia", ended=True)
    _run(old_apps)
    assert _term(alert) == "chest_pain_cardiac"


def test_an_open_episode_whose_course_has_one_under_the_new_term_is_left(old_apps, course, capsys):
    current = _alert(old_apps, course, "new", stored_term="stroke")
    old = _alert(old_apps, course, "old", stored_term="cerebral_infarction")
    history_rows = Alert.history.filter(id=old.pk).count()
    _run(old_apps)
    assert (_term(old), _term(current)) == ("cerebral_infarction", "stroke")
    assert Alert.history.filter(id=old.pk).count() == history_rows
    assert f"alert {old.pk} (cerebral_infarction) left as it is" in capsys.readouterr().out


def test_episodes_already_on_ctcae_terms_are_untouched(old_apps, course):
    alert = _alert(old_apps, course, "a", stored_term="hypertension")
    history_rows = Alert.history.filter(id=alert.pk).count()
    _run(old_apps)
    assert _term(alert) == "hypertension"
    assert Alert.history.filter(id=alert.pk).count() == history_rows
