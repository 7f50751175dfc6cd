"""Alerts, who is told about them (deliveries and digests), and routing as data.

An Alert is a clinical record: every write to it is audited by simple-history
(who acknowledged, when it escalated). Deliveries and digests are an operational
outbox: one row per recipient and channel, claimed with a conditional UPDATE so a
duplicated or retried task never sends twice; together they are the trail of who
was told what, and when.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients.models import ClinicalRecord, Site, TreatmentCourse


class AlertKind(models.TextChoices):
    HIGH_GRADE = "high_grade", _("Grade 3 or higher toxicity")
    RECOMMENDATION = "recommendation", _("Recommendation to withhold or discontinue")
    RECOMMENDATION_PENDING = "recommendation_pending", _("Recommendation pending too long")
    MONITORING_OVERDUE = "monitoring_overdue", _("Monitoring check overdue")
    PRO_REPORT = "pro_report", _("Patient report needs grading")
    DELIVERY_FAILED = "delivery_failed", _("Alert email could not be delivered")


class Severity(models.TextChoices):
    """Urgent: emailed at once and escalated until acknowledged. Routine: daily digest."""

    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class Alert(ClinicalRecord):
    """A clinical record: audited, never deleted, no bulk writes (patients.models.ClinicalRecord).

    An alert ends (its episode ends) or is acknowledged; it is not removed.
    """

    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="CTCAE grade behind the alert, when there is one."
    )
    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="alerts")
    about_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField()
    about = GenericForeignKey("about_type", "about_id")
    dedupe_key = models.CharField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, help_text="What happened. No patient identifiers.")
    recommended_action = models.CharField(max_length=300, blank=True)
    # Alert fatigue: one alert per ongoing toxicity episode of a CTCAE term on a course.
    episode_term = models.CharField(max_length=60, blank=True)
    episode_ended_at = models.DateTimeField(null=True, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField()
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The alert of the same episode that this one supersedes (it worsened).",
    )
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement = models.CharField(
        max_length=300,
        blank=True,
        help_text="How it was acknowledged when that was by acting on it (a signed decision).",
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next level is told, unless acknowledged."
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "episode_term"],
                condition=~Q(episode_term="") & Q(episode_ended_at__isnull=True),
                name="one_open_alert_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=5),
                name="alert_grade_is_ctcae",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="acknowledgement_names_who",
            ),
        ]
        indexes = [models.Index(fields=["escalate_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display()}) #{self.pk}"

    @property
    def patient(self):
        return self.course.patient


class AlertOccurrence(models.Model):
    """Each time the pipeline raised this alert: the first, and repeats within its episode.

    The dedupe key is unique here too, so a retried evaluation adds nothing.
    """

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="occurrence_set")
    dedupe_key = models.CharField(max_length=200, unique=True)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    about_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField()
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["seen_at", "id"]

    def __str__(self) -> str:
        return f"{self.dedupe_key} -> alert {self.alert_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    DIGEST = "digest", _("Daily digest email")


class OutboxStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the digest")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Outbox(models.Model):
    """What a sender needs to claim a row once and retry it later."""

    status = models.CharField(max_length=10, choices=OutboxStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class Digest(Outbox):
    """One daily email per recipient gathering their routine alerts."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_digests"
    )
    local_date = models.DateField()
    address = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "local_date"], name="one_digest_a_day")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Digest {self.local_date} for {self.recipient}"


class Delivery(Outbox):
    """One recipient told about one alert on one channel at one escalation level."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    address = models.EmailField(help_text="Where it was sent, as it was then.")
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    link_used_at = models.DateTimeField(
        null=True, blank=True, help_text="When this email's one-time acknowledge link was used."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "channel", "escalation_level"],
                name="one_delivery_per_recipient_channel_level",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Alert {self.alert_id} to {self.address} (level {self.escalation_level})"


# --- Routing as data -------------------------------------------------------------


class Audience(models.TextChoices):
    TREATING_ONCOLOGIST = "treating_oncologist", _("Treating oncologist")
    ON_CALL_ONCOLOGIST = "on_call_oncologist", _("On-call oncologist")
    NURSE_TEAM = "nurse_team", _("Nurse team")
    SITE_ADMINS = "site_admins", _("Site administrators")


class SiteRouting(models.Model):
    """A site's on-call oncologist and how long an urgent alert waits for acknowledgement."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="routing")
    on_call_oncologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalate_after_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: ALERT_ESCALATION_MINUTES (default 120)."
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Routing at {self.site}"


class CourseRouting(models.Model):
    """Who treats a course. Without one, the site's oncologists are told."""

    course = models.OneToOneField(TreatmentCourse, on_delete=models.CASCADE, related_name="routing")
    treating_oncologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Routing of course {self.course_id}"


class Route(models.Model):
    """Level 0 is told first; level n when level n-1 has not acknowledged in time.

    A site with no Route rows for a kind uses routing.DEFAULT_ROUTES.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="routes")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    level = models.PositiveSmallIntegerField(default=0)
    audience = models.CharField(max_length=30, choices=Audience.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "level", "audience"], name="route_once_per_level"
            )
        ]
        ordering = ["site", "kind", "level", "audience"]

    def __str__(self) -> str:
        return f"{self.kind} level {self.level}: {self.audience}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest_time = models.TimeField(
        default=time(7, 30), help_text="Local time (TIME_ZONE) of the daily digest."
    )

    def __str__(self) -> str:
        return f"Digest at {self.digest_time:%H:%M} for {self.user}"
