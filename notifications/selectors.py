"""Reads of alerts that pages and the API share, and the one way to obtain an alert."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Alert
from patients import dosing
from patients.access import access_record, clinical_sites
from patients.models import DoseChange


def alerts_visible_to(user) -> QuerySet[Alert]:
    return Alert.objects.filter(course__patient__site_id__in=clinical_sites(user)).select_related(
        "course__patient__site", "acknowledged_by"
    )


def needing_action(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts that still ask for someone: not acknowledged, their toxicity episode not
    over, their course not discontinued or completed."""
    ended = DoseChange.objects.filter(
        kind__in=(dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE)
    ).values("course_id")
    return alerts.filter(acknowledged_at__isnull=True, episode_ended_at__isnull=True).exclude(
        course_id__in=ended
    )


def access_alert(user, alert_id) -> Alert:
    """The same 404 for an alert that does not exist and one of another site."""
    return access_record(
        user,
        Alert.objects.select_related("course__patient__site", "acknowledged_by"),
        alert_id,
        site="course.patient.site_id",
        noun="alert",
    )


def delivery_trail(alert: Alert):
    return alert.deliveries.select_related("recipient").order_by("created_at", "id")
