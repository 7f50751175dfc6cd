"""Sends deliveries and digests exactly once, retrying when the mail server fails.

A sender first claims its row with one conditional UPDATE
(pending, or retrying and due, or claimed so long ago that its worker must have
died) -> sending, and acts only if that updated one row: a duplicated task, a
task redelivered by the broker, or the sweep racing the queued task send nothing
twice. A failed attempt is stored on the row with the time of the next one
(exponential backoff from ALERT_RETRY_BASE_SECONDS, at most 15 minutes); the
beat sweep re-queues due rows, so no task waits in the broker with a long
countdown. After ALERT_DELIVERY_MAX_ATTEMPTS the row is failed and a "delivery
failed" alert goes to the site's administrators (and shows in the app).

At-least-once edge: a worker killed after the mail server accepted a message but
before the row was marked sent resends it once its claim goes stale. The message
keeps the same Message-ID, so mail clients show it once.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import emails, services
from notifications.models import (
    AlertKind,
    Channel,
    Delivery,
    Digest,
    NotificationPreference,
    OutboxStatus,
    Severity,
)

log = logging.getLogger(__name__)

S = OutboxStatus
STALE_CLAIM = timedelta(minutes=5)  # > CELERY_TASK_TIME_LIMIT: the claimant is gone
LOST_IN_QUEUE = timedelta(minutes=2)  # pending this long: its task never reached a worker
MAX_BACKOFF = timedelta(minutes=15)
DEFAULT_DIGEST_TIME = NotificationPreference._meta.get_field("digest_time").default
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, emails.IdentifierInEmail)


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: base, 2 x base, 4 x base ... at most 15 minutes."""
    return min(
        timedelta(seconds=settings.ALERT_RETRY_BASE_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF
    )


def _due(now: datetime) -> Q:
    return (
        Q(status=S.PENDING)
        | Q(status=S.RETRYING, next_attempt_at__lte=now)
        | Q(status=S.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )


def claim(model, pk: int, now: datetime) -> bool:
    updated = model.objects.filter(_due(now), pk=pk).update(
        status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return updated == 1


def _sent(model, pk: int) -> None:
    model.objects.filter(pk=pk, status=S.SENDING).update(
        status=S.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )


def _failed_attempt(row, error: Exception, *, permanent: bool) -> bool:
    """Stores the error; True when the row has now failed for good."""
    text = f"{type(error).__name__}: {error}"[:1000]
    if permanent or row.attempts >= settings.ALERT_DELIVERY_MAX_ATTEMPTS:
        type(row).objects.filter(pk=row.pk, status=S.SENDING).update(
            status=S.FAILED, last_error=text, next_attempt_at=None
        )
        return True
    type(row).objects.filter(pk=row.pk, status=S.SENDING).update(
        status=S.RETRYING, last_error=text, next_attempt_at=timezone.now() + backoff(row.attempts)
    )
    return False


def send_delivery(delivery_id: int) -> str:
    """Claims one delivery and emails it. Returns what happened, for logs and tests."""
    if not claim(Delivery, delivery_id, timezone.now()):
        return "not claimed"
    delivery = Delivery.objects.select_related("alert__course__patient", "recipient").get(
        pk=delivery_id
    )
    if delivery.escalation_level > 0 and delivery.alert.acknowledged_at is not None:
        Delivery.objects.filter(pk=delivery_id, status=S.SENDING).update(
            status=S.CANCELLED, last_error="Acknowledged before sending"
        )
        return "cancelled"
    try:
        message = emails.alert_message(delivery, ack_token=services.ack_token(delivery))
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError, emails.IdentifierInEmail) as error:
        failed = _failed_attempt(delivery, error, permanent=isinstance(error, PERMANENT_ERRORS))
        log.warning(
            "Alert delivery %s attempt %s failed: %s", delivery_id, delivery.attempts, error
        )
        if failed:
            _delivery_failed(delivery)
            return "failed"
        return "retrying"
    _sent(Delivery, delivery_id)
    return "sent"


def _delivery_failed(delivery: Delivery) -> None:
    alert = delivery.alert
    if alert.kind == AlertKind.DELIVERY_FAILED:
        log.error("Delivery-failed alert %s could not be emailed either", alert.pk)
        return
    services.raise_alert(
        kind=AlertKind.DELIVERY_FAILED,
        severity=Severity.URGENT,
        course=alert.course,
        about=delivery,
        dedupe_key=f"delivery-failed:{delivery.pk}",
        summary=emails.TrackerText(
            f"An alert email ({alert.get_kind_display()}, alert {alert.pk}) to "
            f"{delivery.address} could not be delivered after {delivery.attempts} attempts."
        ),
        recommended_action=emails.TrackerText(
            "Tell the recipient by another route, then check the mail server and their address."
        ),
    )


def send_digest(digest_id: int) -> str:
    if not claim(Digest, digest_id, timezone.now()):
        return "not claimed"
    digest = Digest.objects.select_related("recipient").get(pk=digest_id)
    deliveries = list(
        digest.deliveries.select_related("alert__course__patient").order_by("alert__created_at")
    )
    try:
        emails.digest_message(digest, deliveries).send(fail_silently=False)
    except (smtplib.SMTPException, OSError, emails.IdentifierInEmail) as error:
        log.warning("Digest %s attempt %s failed: %s", digest_id, digest.attempts, error)
        if _failed_attempt(digest, error, permanent=isinstance(error, PERMANENT_ERRORS)):
            log.error("Digest %s failed for good; its alerts remain in the app", digest_id)
            digest.deliveries.update(status=S.FAILED, last_error=f"Digest {digest_id} failed")
            return "failed"
        return "retrying"
    _sent(Digest, digest_id)
    digest.deliveries.update(status=S.SENT, sent_at=timezone.now())
    return "sent"


def due_for_sending(model, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    lost = Q(status=S.PENDING, created_at__lte=now - LOST_IN_QUEUE)
    due = Q(status=S.RETRYING, next_attempt_at__lte=now) | Q(
        status=S.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return list(model.objects.filter(lost | due).order_by("pk").values_list("pk", flat=True)[:500])


def collect_digests(now: datetime | None = None) -> list[int]:
    """Opens today's digest for each user whose digest time has come and who has items."""
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    waiting = Delivery.objects.filter(channel=Channel.DIGEST, status=S.WAITING, digest__isnull=True)
    user_ids = set(waiting.values_list("recipient_id", flat=True))
    times = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "digest_time"
        )
    )
    emails_by_user = dict(
        get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "email")
    )
    opened = []
    for user_id in sorted(user_ids):
        if local.time() < times.get(user_id, DEFAULT_DIGEST_TIME):
            continue
        try:
            with transaction.atomic():
                digest, created = Digest.objects.get_or_create(
                    recipient_id=user_id,
                    local_date=local.date(),
                    defaults={
                        "status": S.PENDING,
                        "address": emails_by_user[user_id],
                        "created_at": now,
                    },
                )
                if not created:
                    continue  # today's went already; these wait for tomorrow's
                mine = waiting.filter(recipient_id=user_id)
                mine.filter(alert__acknowledged_at__isnull=False).update(
                    status=S.CANCELLED, last_error="Acknowledged before the digest"
                )
                if mine.filter(status=S.WAITING).update(digest=digest) == 0:
                    Digest.objects.filter(pk=digest.pk).update(status=S.CANCELLED)
                    continue
        except IntegrityError:
            continue  # another beat run opened it
        opened.append(digest.pk)
    return opened
