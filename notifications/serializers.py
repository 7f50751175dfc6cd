"""API shapes for alerts and notification preferences."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Alert, NotificationPreference


class AlertOutput(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id")
    patient = serializers.IntegerField(source="course.patient_id")
    reference_code = serializers.CharField(source="course.patient.reference_code")
    acknowledged_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "severity",
            "grade",
            "course",
            "patient",
            "reference_code",
            "summary",
            "recommended_action",
            "episode_term",
            "occurrences",
            "created_at",
            "last_seen_at",
            "episode_ended_at",
            "acknowledged_at",
            "acknowledged_by",
            "escalation_level",
            "escalate_at",
            "url",
        ]

    def get_acknowledged_by(self, alert) -> str | None:
        user = alert.acknowledged_by
        return None if user is None else user.get_full_name() or user.get_username()

    def get_url(self, alert) -> str:
        return reverse("notifications:alert", args=[alert.pk])


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "07:30"}
)
class HourMinuteField(serializers.TimeField):
    """A local time of day as HH:MM (OpenAPI's `time` format would ask for seconds and zone)."""


class PreferenceSerializer(serializers.ModelSerializer):
    digest_time = HourMinuteField(
        format="%H:%M", help_text="Local time of the daily digest of routine alerts, HH:MM."
    )

    class Meta:
        model = NotificationPreference
        fields = ["digest_time"]
