"""Every write to alerts goes through here: raise, acknowledge, escalate, end an episode.

Alerts are audited by simple-history: each save names the acting user (none for
the pipeline and beat jobs) and why. Emails are queued on commit as Delivery
rows; notifications.outbox sends them.

Episodes (alert fatigue): an alert raised with `episode_term` opens an episode
for (course, term). While it is open, a repeat at the same or a lower grade
updates that alert (occurrences, last seen, latest summary) and emails nobody. A
repeat at a higher grade ends it and opens a new alert that points to the old one
(a worsening is news, and is emailed). An episode ends when the pipeline calls
`end_episode` (the term is graded below the alert's threshold again) or after
ALERT_EPISODE_QUIET_DAYS without a repeat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import signature
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import routing
from notifications.emails import redact_identifiers
from notifications.models import (
    Alert,
    AlertKind,
    AlertOccurrence,
    Channel,
    Delivery,
    OutboxStatus,
    Severity,
)
from patients.access import role_at
from patients.audit import audit
from patients.models import Role, TreatmentCourse

log = logging.getLogger(__name__)

# The email task, queued by its name (notifications/tasks.py registers it so): the
# tasks call these services, so the services name the task rather than import it.
SEND_DELIVERY = "notifications.send_delivery"

ACK_LINK_SALT = "notifications.acknowledge-link"
ACKNOWLEDGING_ROLES = frozenset({Role.NURSE, Role.ONCOLOGIST, Role.SITE_ADMIN})


class LinkRefused(Exception):
    """An acknowledge link that is forged, expired, used, or someone else's."""


def queue_deliveries(ids) -> None:
    """Queues send_delivery for each id once the transaction commits.

    robust: a broker that is down must not fail the clinician's request; the
    outbox sweep sends rows left pending.
    """
    for delivery_id in ids:

        def send(delivery_id=delivery_id):
            signature(SEND_DELIVERY, args=(delivery_id,)).delay()

        # A named function: Django logs a robust callback's failure by its __qualname__.
        transaction.on_commit(send, robust=True)


def _create_deliveries(alert: Alert, users, *, level: int, now: datetime) -> list[int]:
    urgent = alert.severity == Severity.URGENT
    channel = Channel.EMAIL if urgent else Channel.DIGEST
    status = OutboxStatus.PENDING if urgent else OutboxStatus.WAITING
    created = []
    for user in users:
        try:
            with transaction.atomic():
                delivery, made = Delivery.objects.get_or_create(
                    alert=alert,
                    recipient=user,
                    channel=channel,
                    escalation_level=level,
                    defaults={"status": status, "address": user.email, "created_at": now},
                )
        except IntegrityError:  # a concurrent escalation made it first
            continue
        if made and urgent:
            created.append(delivery.pk)
    queue_deliveries(created)
    return created


def _vetted(course: TreatmentCourse, text: str) -> tuple[str, bool]:
    """The alert text with any patient identifier rewritten, and whether one was.

    Never a refusal: a guard that protects privacy must not cost a patient their
    alert. TrackerText (the pipeline's own wording) is not searched at all.
    """
    clean = redact_identifiers(text, [course.patient], placeholder=_("[identifier removed]"))
    return clean, clean != text


def raise_alert(
    *,
    kind: str,
    severity: str,
    course: TreatmentCourse,
    about: models.Model,
    dedupe_key: str,
    summary: str,
    episode_term: str | None = None,
    grade: int | None = None,
    recommended_action: str = "",
) -> Alert:
    """Records an alert (or a repeat within its episode) and queues its emails on commit.

    Idempotent per dedupe_key: raising the same key again returns the same alert
    and sends nothing. Call it from the evaluation pipeline, e.g. with
    dedupe_key=f"visit:{visit.pk}:{term}:grade{grade}".
    """
    if kind not in AlertKind.values:
        raise ValidationError({"kind": _("Unknown alert kind %(kind)r.") % {"kind": kind}})
    if severity not in Severity.values:
        raise ValidationError(
            {"severity": _("Unknown severity %(severity)r.") % {"severity": severity}}
        )
    if not summary.strip():
        raise ValidationError({"summary": _("Say what happened.")})
    if grade is not None and not 1 <= grade <= 5:
        raise ValidationError({"grade": _("A CTCAE grade is 1 to 5.")})
    summary, summary_rewritten = _vetted(course, summary)
    recommended_action, action_rewritten = _vetted(course, recommended_action)
    reason = "Raised"
    if summary_rewritten or action_rewritten:
        # Ids only: the text itself held the identifier.
        log.warning("Alert text for course %s held a patient identifier; rewritten", course.pk)
        reason = "Raised (a patient identifier in its text was removed)"
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _raise(
                    kind=kind,
                    severity=severity,
                    course=course,
                    about=about,
                    dedupe_key=dedupe_key,
                    summary=summary.strip(),
                    episode_term=episode_term or "",
                    grade=grade,
                    recommended_action=recommended_action.strip(),
                    reason=reason,
                )
        except IntegrityError:
            # Another worker raised the same key or opened the same episode at the
            # same moment; it has committed, so the second pass finds its alert.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _raise(
    *,
    kind,
    severity,
    course,
    about,
    dedupe_key,
    summary,
    episode_term,
    grade,
    recommended_action,
    reason,
) -> Alert:
    now = timezone.now()
    about_type = ContentType.objects.get_for_model(about)
    seen = AlertOccurrence.objects.select_related("alert").filter(dedupe_key=dedupe_key).first()
    if seen is not None:
        return seen.alert
    occurrence = {
        "dedupe_key": dedupe_key,
        "grade": grade,
        "summary": summary,
        "about_type": about_type,
        "about_id": about.pk,
        "seen_at": now,
    }
    previous = None
    if episode_term:
        current = (
            Alert.objects.select_for_update()
            .filter(course=course, episode_term=episode_term, episode_ended_at__isnull=True)
            .first()
        )
        quiet = timedelta(days=settings.ALERT_EPISODE_QUIET_DAYS)
        if current is not None and now - current.last_seen_at > quiet:
            _end(current, now=now, reason=f"Episode ended: no repeat for {quiet.days} days")
            current = None
        if current is not None and (grade or 0) <= (current.grade or 0):
            current.occurrences += 1
            current.last_seen_at = now
            current.summary = summary
            current.recommended_action = recommended_action or current.recommended_action
            current.about_type, current.about_id = about_type, about.pk
            audit(current, actor=None, reason="Repeat within the episode")
            current.save()
            AlertOccurrence.objects.create(alert=current, **occurrence)
            return current
        if current is not None:
            _end(current, now=now, reason=f"Episode worsened to grade {grade}")
            previous = current

    site_id = course.patient.site_id
    urgent = severity == Severity.URGENT
    alert = Alert(
        kind=kind,
        severity=severity,
        grade=grade,
        course=course,
        about_type=about_type,
        about_id=about.pk,
        dedupe_key=dedupe_key,
        summary=summary,
        recommended_action=recommended_action,
        episode_term=episode_term,
        last_seen_at=now,
        previous=previous,
        created_at=now,
    )
    users = routing.recipients(kind, course, level=0)
    if urgent and not users:
        log.error("Alert kind %s at site %s routes to nobody; telling site admins", kind, site_id)
        users = routing.site_admins(course)
    if urgent and routing.level_count(site_id, kind) > 1:
        alert.escalate_at = now + routing.escalation_delay(site_id)
    audit(alert, actor=None, reason=reason)
    alert.save()
    AlertOccurrence.objects.create(alert=alert, **occurrence)
    if not users:
        log.error("Alert %s has no recipient with an email address", alert.pk)
    _create_deliveries(alert, users, level=0, now=now)
    return alert


def _end(alert: Alert, *, now: datetime, reason: str) -> None:
    alert.episode_ended_at = now
    alert.escalate_at = None
    audit(alert, actor=None, reason=reason)
    alert.save()


@transaction.atomic
def end_episode(*, course: TreatmentCourse, term: str) -> Alert | None:
    """The term is graded below the alert threshold again: the episode is over."""
    alert = (
        Alert.objects.select_for_update()
        .filter(course=course, episode_term=term, episode_ended_at__isnull=True)
        .first()
    )
    if alert is not None:
        _end(alert, now=timezone.now(), reason="Episode ended: graded below the alert threshold")
    return alert


CLINICAL_ROLES = (Role.NURSE, Role.ONCOLOGIST)


def may_acknowledge(role: str | None, alert: Alert) -> bool:
    """Urgent clinical alerts are for the clinical roles; an undelivered email (told
    to the site's administrators) and routine items for anyone of the site."""
    if role not in ACKNOWLEDGING_ROLES:
        return False
    clinical = alert.severity == Severity.URGENT and alert.kind != AlertKind.DELIVERY_FAILED
    return role in CLINICAL_ROLES or not clinical


@transaction.atomic
def acknowledge_alert(*, actor, alert: Alert, via: str = "app", acknowledgement: str = "") -> Alert:
    """Any clinician of the alert's site may acknowledge it; doing it twice changes nothing.

    A pharmacist reads the site's alerts but does not acknowledge them: an
    acknowledgement stops the escalation, so it is left to those who act on the patient.
    `acknowledgement` says what acting on the alert was, when it was acknowledged by
    doing something (a signed decision); no patient identifiers.
    """
    alert = Alert.objects.select_for_update().select_related("course__patient").get(pk=alert.pk)
    role = role_at(actor, alert.course.patient.site_id)
    if role is None:
        raise PermissionDenied(_("You do not work at this alert's site."))
    if role not in ACKNOWLEDGING_ROLES:
        raise PermissionDenied(
            _(
                "A pharmacist does not acknowledge alerts; the nurse or oncologist "
                "acting on it does."
            )
        )
    if not may_acknowledge(role, alert):
        # Acknowledging stops the escalation: a clinical act, for the clinical team.
        raise PermissionDenied(
            _("An urgent clinical alert is acknowledged by a nurse or oncologist.")
        )
    if alert.acknowledged_at is not None:
        return alert
    now = timezone.now()
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.escalate_at = None
    alert.acknowledgement = acknowledgement[:300]
    audit(alert, actor=actor, reason=f"Acknowledged ({via})")
    alert.save()
    # Escalations and digest items not yet sent are no longer needed.
    Delivery.objects.filter(
        Q(escalation_level__gt=0) | Q(channel=Channel.DIGEST),
        alert=alert,
        digest__isnull=True,
        status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.WAITING],
    ).update(status=OutboxStatus.CANCELLED, last_error="Acknowledged before sending")
    return alert


def ack_token(delivery: Delivery) -> str:
    return signing.dumps({"d": delivery.pk, "a": delivery.alert_id}, salt=ACK_LINK_SALT)


def delivery_for_token(token: str) -> Delivery:
    """The delivery an acknowledge link was sent with, if the link is genuine and in date."""
    try:
        data = signing.loads(
            token, salt=ACK_LINK_SALT, max_age=timedelta(hours=settings.ALERT_ACK_LINK_HOURS)
        )
    except signing.SignatureExpired:
        raise LinkRefused(_("This link has expired. Open the alert in the tracker.")) from None
    except signing.BadSignature:
        raise LinkRefused(_("This link is not valid.")) from None
    delivery = (
        Delivery.objects.select_related("alert__course__patient")
        .filter(pk=data.get("d"), alert_id=data.get("a"))
        .first()
    )
    if delivery is None:
        raise LinkRefused(_("This link is not valid."))
    return delivery


@transaction.atomic
def acknowledge_by_link(*, actor, token: str) -> Alert:
    """Acknowledges from an email's one-time link, for the recipient it was sent to."""
    delivery = delivery_for_token(token)
    if delivery.recipient_id != actor.pk:
        raise LinkRefused(_("This link was sent to someone else."))
    used = Delivery.objects.filter(pk=delivery.pk, link_used_at__isnull=True).update(
        link_used_at=timezone.now()
    )
    if not used:
        raise LinkRefused(_("This link has already been used."))
    return acknowledge_alert(actor=actor, alert=delivery.alert, via="email link")


def escalate_due_alerts() -> list[int]:
    """Beat job: tells the next level about urgent alerts nobody acknowledged in time."""
    due = Alert.objects.filter(
        escalate_at__lte=timezone.now(),
        acknowledged_at__isnull=True,
        episode_ended_at__isnull=True,
    ).values_list("pk", flat=True)
    return [alert_id for alert_id in list(due[:500]) if escalate_alert(alert_id)]


@transaction.atomic
def escalate_alert(alert_id: int) -> bool:
    now = timezone.now()
    alert = (
        Alert.objects.select_for_update()
        .select_related("course__patient")
        .filter(pk=alert_id)
        .first()
    )
    if (
        alert is None
        or alert.acknowledged_at is not None
        or alert.escalate_at is None
        or alert.escalate_at > now
    ):
        return False  # someone else escalated or acknowledged it first
    site_id = alert.course.patient.site_id
    levels = routing.level_count(site_id, alert.kind)
    told = set(alert.deliveries.values_list("recipient_id", flat=True))
    level, users = alert.escalation_level + 1, []
    while level < levels:
        users = routing.recipients(alert.kind, alert.course, level=level, told=told)
        if users:
            break
        level += 1
    if users:
        alert.escalation_level = level
        _create_deliveries(alert, users, level=level, now=now)
        reason = f"Escalated to level {level}"
    else:
        reason = "Not acknowledged; nobody further to escalate to"
    more = users and level + 1 < levels
    alert.escalate_at = now + routing.escalation_delay(site_id) if more else None
    audit(alert, actor=None, reason=reason)
    alert.save()
    return bool(users)
