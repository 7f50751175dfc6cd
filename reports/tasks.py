"""Celery tasks of the patient reports: each takes ids and calls one function.

Reminders due in days are rows with a due time (reports.reminders), swept by beat,
never countdowns in the broker: Redis redelivers a task whose delay exceeds its
visibility timeout.
"""

from __future__ import annotations

from celery import shared_task

from reports import reminders


@shared_task(name="reports.send_reminder")
def send_reminder(reminder_id: int) -> str:
    return reminders.send_reminder(reminder_id)


@shared_task(name="reports.sweep_reminders")
def sweep_reminders() -> int:
    """Beat: makes the reminders and follow-ups that fell due, and queues every due
    one. Queuing a row twice is harmless: its sender claims it first."""
    reminders.create_due_reminders()
    reminder_ids = reminders.due_for_sending()
    for reminder_id in reminder_ids:
        send_reminder.delay(reminder_id)
    return len(reminder_ids)
