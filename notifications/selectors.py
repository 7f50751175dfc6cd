"""Reads of alerts that pages and the API share, and the one way to obtain an alert."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Alert, AlertKind
from patients import dosing
from patients.access import access_record, clinical_role_at, clinical_sites
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
    """The same 404 for an alert that does not exist and one of another site.

    A clinical alert opens to clinical roles only. An undelivered-email alert opens to
    its site's administrators too: it is routed to them (notifications/routing.py), and
    they are the ones who mend an address and acknowledge it."""
    alert = access_record(
        user,
        Alert.objects.select_related("course__patient__site", "acknowledged_by"),
        alert_id,
        site="course.patient.site_id",
        noun="alert",
        clinical=False,
    )
    if alert.kind != AlertKind.DELIVERY_FAILED:
        clinical_role_at(user, alert.course.patient.site_id, missing="No such alert.")
    return alert


def delivery_trail(alert: Alert):
    return alert.deliveries.select_related("recipient").order_by("created_at", "id")
