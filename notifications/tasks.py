"""Celery tasks: each takes ids, calls one function, and owns its retry policy.

Retries of a failed send are rows with a next-attempt time (see outbox), swept by
beat, not long countdowns in the broker: Redis redelivers a task whose delay
exceeds its visibility timeout.
"""

from __future__ import annotations

from celery import shared_task

from notifications import outbox, services
from notifications.models import Delivery, Digest


@shared_task(name=services.SEND_DELIVERY)
def send_delivery(delivery_id: int) -> str:
    return outbox.send_delivery(delivery_id)


@shared_task(name="notifications.send_digest")
def send_digest(digest_id: int) -> str:
    return outbox.send_digest(digest_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Beat: re-queues deliveries and digests whose retry is due or whose task was lost."""
    delivery_ids = outbox.due_for_sending(Delivery)
    digest_ids = outbox.due_for_sending(Digest)
    for delivery_id in delivery_ids:
        send_delivery.delay(delivery_id)
    for digest_id in digest_ids:
        send_digest.delay(digest_id)
    return len(delivery_ids) + len(digest_ids)


@shared_task(name="notifications.escalate_alerts")
def escalate_alerts() -> int:
    """Beat: urgent alerts not acknowledged in time go to the next level."""
    return len(services.escalate_due_alerts())


@shared_task(name="notifications.send_due_digests")
def send_due_digests() -> int:
    """Beat: each user's daily digest of routine alerts, at their digest time."""
    digest_ids = outbox.collect_digests()
    for digest_id in digest_ids:
        send_digest.delay(digest_id)
    return len(digest_ids)
