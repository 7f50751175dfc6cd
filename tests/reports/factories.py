"""Patient accounts and reports, made through the services as a nurse and a patient would."""

from __future__ import annotations

from itertools import count

from reports import services

PATIENT_PASSWORD = "a long patient password 42"
_names = count(1)


def patient_account(nurse, patient, *, carer_name: str = "", username: str | None = None):
    """An account opened from a printed invitation, as the patient opens it."""
    new = services.invite(actor=nurse, patient=patient, channel="printed", carer_name=carer_name)
    return services.accept_invitation(
        code=new.code,
        username=username or f"patient{next(_names)}",
        password=PATIENT_PASSWORD,
        password2=PATIENT_PASSWORD,
    )


def weekly_report(account, answers=None, **kwargs):
    return services.submit_weekly_report(
        account=account,
        answers=answers or {"fatigue": {"severity": 1, "interference": 1}},
        **kwargs,
    )


def emailed_account(nurse, patient, *, email: str = "cora@example.org", username: str = "cora"):
    """An account opened from an emailed invitation: it has the address reminders go to."""
    new = services.invite(actor=nurse, patient=patient, channel="email", email=email)
    return services.accept_invitation(
        code=new.code, username=username, password=PATIENT_PASSWORD, password2=PATIENT_PASSWORD
    )


def reminder_with_stop_link(account, *, weekday: int = 0, at: str = "18:00"):
    """Reminders on, and a reminder row carrying a stop link: (reminder, token)."""
    from datetime import time

    from django.utils import timezone

    from reports import reminders
    from reports.models import Reminder, ReminderKind

    reminders.set_schedule(
        account=account, enabled=True, weekday=weekday, time_of_day=time.fromisoformat(at)
    )
    now = timezone.now()
    reminder = Reminder.objects.create(
        account=account,
        week=reminders.week_of(now, account.patient.site.zone),
        kind=ReminderKind.REMINDER,
        due_at=now,
        created_at=now,
    )
    return reminder, reminders.issue_stop_token(reminder)
