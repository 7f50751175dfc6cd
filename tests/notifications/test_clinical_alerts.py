"""The evaluation pipeline's results raise alerts: grade >= 3, withhold or discontinue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications.models import Alert, AlertKind, Severity
from toxicity import alerts as clinical_alerts
from toxicity.models import DueCheck, Recommendation
from toxicity.services import visits

pytestmark = pytest.mark.django_db
HIGH_BP = [[166, 102], [162, 100]]
NORMAL_BP = [[118, 76], [121, 78]]


@pytest.fixture
def log_visit(nurse, django_capture_on_commit_callbacks):
    """Logs a visit and runs its evaluation (eager) as the commit would."""

    def log(course, readings, *, days_ago=1):
        with django_capture_on_commit_callbacks(execute=True):
            visit = visits.log_visit(
                actor=nurse,
                course=course,
                occurred_at=datetime.now(UTC) - timedelta(days=days_ago),
                observations=[{"term": "hypertension", "readings": readings}],
                antihypertensive_therapy="optimal",
            )
        visit.refresh_from_db()
        return visit

    return log


@pytest.fixture
def alerts_for(django_capture_on_commit_callbacks):
    def run(visit):
        with django_capture_on_commit_callbacks(execute=True):
            return clinical_alerts.alerts_for_evaluation(visit)

    return run


def test_a_grade_3_visit_raises_one_urgent_alert_for_its_term(routed, log_visit, alerts_for):
    visit = log_visit(routed, HIGH_BP)
    alerts = alerts_for(visit)
    assert [(a.kind, a.severity, a.grade, a.episode_term) for a in alerts] == [
        (AlertKind.HIGH_GRADE, Severity.URGENT, 3, "hypertension")
    ]


def test_the_grade_3_alert_carries_the_engines_recommendation(
    smtp_server, routed, log_visit, alerts_for
):
    visit = log_visit(routed, HIGH_BP)
    recommendation = Recommendation.objects.get(visit=visit)
    alerts_for(visit)
    assert recommendation.action == "withhold"
    assert "Withhold lenvatinib" in smtp_server.received[0].text
    assert "Hypertension: CTCAE grade 3" in smtp_server.received[0].text


def test_a_grade_3_visit_with_a_withhold_recommendation_is_one_email_per_person(
    smtp_server, routed, log_visit, alerts_for
):
    alerts_for(log_visit(routed, HIGH_BP))
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]


def test_running_the_trigger_twice_raises_nothing_more(smtp_server, routed, log_visit, alerts_for):
    visit = log_visit(routed, HIGH_BP)
    alerts_for(visit)
    alerts_for(visit)
    assert Alert.objects.count() == 1
    assert len(smtp_server.received) == 2


def test_a_normal_visit_raises_nothing(routed, log_visit, alerts_for):
    assert alerts_for(log_visit(routed, NORMAL_BP)) == []


def test_a_later_normal_visit_ends_the_episode(routed, log_visit, alerts_for):
    alert = alerts_for(log_visit(routed, HIGH_BP, days_ago=8))[0]
    alerts_for(log_visit(routed, NORMAL_BP, days_ago=1))
    alert.refresh_from_db()
    assert alert.episode_ended_at is not None


def test_an_unevaluated_visit_raises_nothing(routed, nurse, alerts_for):
    visit = visits.log_visit(
        actor=nurse,
        course=routed,
        occurred_at=datetime.now(UTC) - timedelta(days=1),
        observations=[{"term": "hypertension", "readings": HIGH_BP}],
    )
    assert alerts_for(visit) == []


def test_a_recommendation_pending_too_long_goes_to_the_digest(
    routed, log_visit, alerts_for, settings
):
    settings.ALERT_RECOMMENDATION_PENDING_HOURS = 24
    log_visit(routed, HIGH_BP)
    assert clinical_alerts.alerts_for_pending_recommendations() == 0
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25)):
        assert clinical_alerts.alerts_for_pending_recommendations() == 1
        clinical_alerts.alerts_for_pending_recommendations()
    alert = Alert.objects.get(kind=AlertKind.RECOMMENDATION_PENDING)
    assert alert.severity == Severity.ROUTINE
    assert alert.deliveries.get().channel == "digest"


def test_an_overdue_monitoring_check_goes_to_the_nurse_teams_digest(routed, log_visit):
    log_visit(routed, NORMAL_BP)
    check = DueCheck.objects.filter(course=routed).first()
    assert check is not None, "the pipeline schedules monitoring checks"
    DueCheck.objects.filter(pk=check.pk).update(overdue_marked_at=datetime.now(UTC))
    assert clinical_alerts.alerts_for_overdue_checks() == 1
    alert = Alert.objects.get(kind=AlertKind.MONITORING_OVERDUE)
    assert [d.recipient.username for d in alert.deliveries.all()] == ["nurse"]
