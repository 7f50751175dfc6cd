"""Alert fatigue: one alert per ongoing toxicity episode of a term on a course."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import services
from notifications.models import Alert, AlertOccurrence

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_a_repeat_grade_3_within_the_episode_updates_the_alert(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed, key="visit:1:hypertension")
    second = raise_grade3(
        routed, key="visit:2:hypertension", summary="Hypertension grade 3: BP 165/102 mmHg."
    )
    assert second.pk == first.pk
    assert (second.occurrences, second.summary) == (2, "Hypertension grade 3: BP 165/102 mmHg.")


def test_a_repeat_grade_3_within_the_episode_sends_no_new_email(smtp_server, routed, raise_grade3):
    raise_grade3(routed, key="visit:1:hypertension")
    raise_grade3(routed, key="visit:2:hypertension")
    assert len(smtp_server.received) == 2


def test_a_repeat_is_recorded_in_the_alerts_history(smtp_server, routed, raise_grade3):
    raise_grade3(routed, key="visit:1:hypertension")
    alert = raise_grade3(routed, key="visit:2:hypertension")
    assert alert.history.first().history_change_reason == "Repeat within the episode"


def test_a_retried_repeat_counts_once(smtp_server, routed, raise_grade3):
    raise_grade3(routed, key="visit:1:hypertension")
    raise_grade3(routed, key="visit:2:hypertension")
    alert = raise_grade3(routed, key="visit:2:hypertension")
    assert alert.occurrences == 2
    assert AlertOccurrence.objects.count() == 2


def test_a_repeat_after_acknowledgement_still_sends_nothing(
    smtp_server, routed, raise_grade3, oncologist
):
    alert = raise_grade3(routed, key="visit:1:hypertension")
    services.acknowledge_alert(actor=oncologist, alert=alert)
    raise_grade3(routed, key="visit:2:hypertension")
    assert len(smtp_server.received) == 2


def test_another_term_on_the_same_course_is_a_new_alert(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed, key="visit:1:hypertension")
    other = raise_grade3(routed, key="visit:1:diarrhea", episode_term="diarrhea")
    assert other.pk != first.pk
    assert len(smtp_server.received) == 4


def test_a_worsening_to_grade_4_is_a_new_alert_and_emailed(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed, key="visit:1:hypertension")
    worse = raise_grade3(routed, key="visit:2:hypertension", grade=4)
    first.refresh_from_db()
    assert worse.pk != first.pk
    assert worse.previous == first
    assert first.episode_ended_at is not None
    assert len(smtp_server.received) == 4


def test_after_the_episode_ends_a_grade_3_is_a_new_alert(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed, key="visit:1:hypertension")
    services.end_episode(course=routed, term="hypertension")
    again = raise_grade3(routed, key="visit:3:hypertension")
    assert again.pk != first.pk
    assert len(smtp_server.received) == 4


def test_an_episode_quiet_for_the_set_days_is_over(smtp_server, routed, raise_grade3, settings):
    settings.ALERT_EPISODE_QUIET_DAYS = 42
    with time_machine.travel(NOW, tick=False) as clock:
        first = raise_grade3(routed, key="visit:1:hypertension")
        clock.shift(timedelta(days=43))
        again = raise_grade3(routed, key="visit:5:hypertension")
    assert again.pk != first.pk
    assert Alert.objects.filter(episode_ended_at__isnull=True).get() == again


def test_a_repeat_within_the_quiet_days_keeps_the_episode_going(smtp_server, routed, raise_grade3):
    with time_machine.travel(NOW, tick=False) as clock:
        first = raise_grade3(routed, key="visit:1:hypertension")
        for visit in range(2, 5):
            clock.shift(timedelta(days=30))
            assert raise_grade3(routed, key=f"visit:{visit}:hypertension").pk == first.pk


def test_an_alert_without_a_term_is_not_an_episode(smtp_server, routed, raise_grade3):
    first = raise_grade3(routed, key="rec:1", episode_term="", kind="recommendation")
    second = raise_grade3(routed, key="rec:2", episode_term="", kind="recommendation")
    assert first.pk != second.pk
