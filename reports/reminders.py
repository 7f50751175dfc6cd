"""Weekly reminder emails: the patient's chosen day and time, one follow-up, a stop link.

The patient chooses a weekday and a time of day on /me/reminders/, in the clinic's
time zone (patients.Site.time_zone). Nothing waits in the broker: each week's
reminder, and its follow-up, is a ``Reminder`` row with a due time in UTC, made
by the beat sweep when that time has come (``create_due_reminders``) and sent by
``send_reminder``:

* one row per (account, week, kind), by a unique constraint: a sweep run twice,
  or two sweeps at once, make one row;
* the sender claims the row with one conditional UPDATE (pending, or claimed so
  long ago that its worker must have died -> sending), as notifications.outbox
  claims deliveries, and acts only if that updated one row: one row is one email;
* just before sending, the row is skipped, with the reason stored, when the
  reminders are off, the account is inactive or has no email address, the week's
  survey came in already (the follow-up: since the reminder), the patient's
  treatment courses have all ended, or the beat was down so long that the email
  would come a day late.

The email names the clinic only (never the patient, their MRN or date of birth),
links to the week's survey, and carries a stop link whose token is stored as a
SHA-256 only. The stop page asks before it stops: mail scanners open (GET) every
link in an email, so only the button (POST) stops.

At-least-once edge, as for alert emails: a worker killed after the mail server
accepted a reminder but before its row was marked sent resends it once the claim
goes stale (same Message-ID, so mail clients show it once); the first email's
stop link then no longer works, the second's does.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.emails import IdentifierInEmail, check_rendered_email
from patients.audit import audit
from patients.selectors import dose_state, with_ledger
from reports import languages
from reports.models import (
    PatientAccount,
    Reminder,
    ReminderKind,
    ReminderSchedule,
    ReminderStatus,
    SkipReason,
    SymptomReport,
    Weekday,
)

log = logging.getLogger(__name__)

S = ReminderStatus
# The times offered: every half hour from 06:00 to 22:00 in the clinic's zone. Nobody
# is emailed at night, and no choice falls in a daylight-saving gap (the changes are
# between 00:00 and 04:00 in the zones clinics use).
TIME_CHOICES = tuple(time(hour, minute) for hour in range(6, 23) for minute in (0, 30))[:-1]
DEFAULT_TIME = time(18, 0)
# A reminder the beat could not send within this long after its due time (the beat
# or the mail server was down) is skipped: a day-late "this week's report" confuses.
LATEST = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=5)  # > CELERY_TASK_TIME_LIMIT: the claimant is gone
# Failed sends are retried by the next sweeps (every 5 minutes), this many times at most.
MAX_ATTEMPTS = 5
TOKEN_BYTES = 32  # 256 bits: the stop link cannot be guessed
SWEEP_BATCH = 500


# --- times ---------------------------------------------------------------------------


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the week `moment` falls in, on the clinic's calendar."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def _wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at wall-clock `at` in `zone`, in UTC.

    Daylight saving: an hour that happens twice (autumn) means its first time; a
    time that does not exist (spring) means the same minutes past the gap (02:30
    on the spring change in London is 03:30 BST), as zoneinfo resolves them.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def due_at(week: date, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The reminder's due time in `week` (its Monday): the chosen weekday and time."""
    return _wall_clock(week + timedelta(days=weekday), at, zone)


def follow_up_due_at(reminder_due: datetime, zone: ZoneInfo) -> datetime:
    """REMINDER_FOLLOW_UP_HOURS after the reminder by the clinic's clock, so a
    reminder at 18:00 is followed up at 18:00 two days later, across a clock change too."""
    local = reminder_due.astimezone(zone)
    later = local.replace(tzinfo=None) + timedelta(hours=settings.REMINDER_FOLLOW_UP_HOURS)
    return _wall_clock(later.date(), later.time(), zone)


def next_due(schedule: ReminderSchedule, now: datetime | None = None) -> datetime | None:
    """When the next reminder goes, for the page; None while reminders are off."""
    if not schedule.enabled:
        return None
    now = now or timezone.now()
    zone = schedule.account.patient.site.zone
    week = week_of(now, zone)
    when = due_at(week, schedule.weekday, schedule.time_of_day, zone)
    if when <= now or when < schedule.changed_at:
        when = due_at(week + timedelta(days=7), schedule.weekday, schedule.time_of_day, zone)
    return when


def describe(schedule: ReminderSchedule) -> str:
    """'Monday at 18:00 (Europe/London)': for the audit history, in English."""
    day = Weekday(schedule.weekday).label
    with translation.override("en"):
        day = str(day)
    return f"{day} at {schedule.time_of_day:%H:%M} ({schedule.account.patient.site.time_zone})"


# --- the patient's choice ------------------------------------------------------------


def schedule_of(account: PatientAccount) -> ReminderSchedule | None:
    return ReminderSchedule.objects.filter(account=account).first()


def needs_email(account: PatientAccount) -> bool:
    return not (account.user.email or "").strip()


@transaction.atomic
def set_schedule(
    *,
    account: PatientAccount,
    enabled: bool,
    weekday: int | None = None,
    time_of_day: time | None = None,
) -> ReminderSchedule | None:
    """Turns the weekly reminder on at a weekday and time, or off.

    Turning them on checks the whole choice first and writes nothing when any of
    it is wrong. Turning them off keeps the last choice, to offer it again.
    """
    schedule = (
        ReminderSchedule.objects.select_for_update()
        .select_related("account__patient__site")
        .filter(account=account)
        .first()
    )
    now = timezone.now()
    if not enabled:
        if schedule is None or not schedule.enabled:
            return schedule
        schedule.enabled = False
        schedule.changed_at = now
        audit(schedule, actor=account.user, reason="Reminders turned off by the patient")
        schedule.save()
        return schedule
    errors: dict[str, str] = {}
    if needs_email(account):
        errors["enabled"] = _(
            "Reminders are sent by email, and your account has no email address. "
            "Ask your clinic to add one."
        )
    if weekday not in Weekday.values:
        errors["weekday"] = _("Choose the day of the week.")
    if time_of_day not in TIME_CHOICES:
        errors["time_of_day"] = _("Choose a time from the list.")
    if errors:
        raise ValidationError(errors)
    assert weekday is not None and time_of_day is not None  # checked above
    if schedule is None:
        schedule = ReminderSchedule(account=account)
    elif schedule.enabled and (schedule.weekday, schedule.time_of_day) == (weekday, time_of_day):
        return schedule  # nothing changed: the week's reminder stays as planned
    schedule.enabled = True
    schedule.weekday = weekday
    schedule.time_of_day = time_of_day
    schedule.changed_at = now
    audit(
        schedule,
        actor=account.user,
        reason=f"Reminders turned on by the patient: {describe(schedule)}",
    )
    schedule.save()
    return schedule


# --- the stop link -------------------------------------------------------------------


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_stop_token(reminder: Reminder) -> str:
    """A new stop link token for this reminder's email; only its digest is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    Reminder.objects.filter(pk=reminder.pk).update(stop_digest=digest_of(token))
    reminder.stop_digest = digest_of(token)
    return token


def stop_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("reports:reminders-stop", args=[token])


def find_by_stop_token(token: str) -> Reminder | None:
    """The reminder whose email carried this stop link, or None."""
    token = token or ""
    if not 20 <= len(token) <= 100:
        return None
    return (
        Reminder.objects.select_related("account__patient__site", "account__user")
        .filter(stop_digest=digest_of(token))
        .first()
    )


@transaction.atomic
def stop_by_link(reminder: Reminder) -> ReminderSchedule | None:
    """Turns reminders off from the link in an email (the button, not the link's GET).

    Works without signing in: the link's token is the proof. Nothing more is sent;
    the patient can turn reminders on again on /me/reminders/.
    """
    schedule = (
        ReminderSchedule.objects.select_for_update()
        .select_related("account__patient__site")
        .filter(account_id=reminder.account_id)
        .first()
    )
    if schedule is None or not schedule.enabled:
        return schedule
    schedule.enabled = False
    schedule.changed_at = timezone.now()
    audit(
        schedule,
        actor=reminder.account.user,
        reason=f"Reminders stopped from the link in reminder email {reminder.pk}",
    )
    schedule.save()
    return schedule


# --- the sweep -----------------------------------------------------------------------


def _create(account_id: int, week: date, kind: str, due: datetime, now: datetime) -> int | None:
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                account_id=account_id,
                week=week,
                kind=kind,
                defaults={"due_at": due, "created_at": now},
            )
    except IntegrityError:
        return None  # another sweep made it at the same moment
    return reminder.pk if created else None


def create_due_reminders(now: datetime | None = None) -> list[int]:
    """Makes this week's reminder rows whose time has come, and their follow-ups.

    A reminder is made for the week only if it fell due after the patient chose
    (a time chosen on Wednesday for Monday starts next week). A follow-up is made
    for a reminder that was sent; whether it goes is decided when it is sent.
    """
    now = now or timezone.now()
    made = []
    schedules = ReminderSchedule.objects.filter(enabled=True).select_related(
        "account__patient__site"
    )
    for schedule in schedules:
        zone = schedule.account.patient.site.zone
        week = week_of(now, zone)
        due = due_at(week, schedule.weekday, schedule.time_of_day, zone)
        if schedule.changed_at <= due <= now:
            pk = _create(schedule.account_id, week, ReminderKind.REMINDER, due, now)
            if pk is not None:
                made.append(pk)
    followed = Reminder.objects.filter(
        account_id=OuterRef("account_id"), week=OuterRef("week"), kind=ReminderKind.FOLLOW_UP
    )
    sent = (
        Reminder.objects.filter(
            kind=ReminderKind.REMINDER,
            status=S.SENT,
            due_at__gte=now - timedelta(hours=settings.REMINDER_FOLLOW_UP_HOURS) - 2 * LATEST,
        )
        .exclude(Exists(followed))
        .select_related("account__patient__site")
    )
    for reminder in sent:
        due = follow_up_due_at(reminder.due_at, reminder.account.patient.site.zone)
        if due <= now:
            pk = _create(reminder.account_id, reminder.week, ReminderKind.FOLLOW_UP, due, now)
            if pk is not None:
                made.append(pk)
    return made


def _claimable(now: datetime) -> Q:
    return Q(due_at__lte=now) & (
        Q(status=S.PENDING) | Q(status=S.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )


def due_for_sending(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(_claimable(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def claim(reminder_id: int, now: datetime) -> bool:
    updated = Reminder.objects.filter(_claimable(now), pk=reminder_id).update(
        status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return updated == 1


def _courses_ended(account: PatientAccount) -> bool:
    """The patient has treatment courses and every one has ended (discontinued or
    completed, by its ledger). A patient invited before the first course is reminded."""
    courses = list(with_ledger(account.patient.courses.all()))
    return bool(courses) and all(dose_state(course).ended for course in courses)


def _week_start(reminder: Reminder) -> datetime:
    return _wall_clock(reminder.week, time(0, 0), reminder.account.patient.site.zone)


def why_not_send(reminder: Reminder, now: datetime) -> str | None:
    """The reason this reminder must not go now, or None when it should."""
    account = reminder.account
    schedule = schedule_of(account)
    if schedule is None or not schedule.enabled:
        return SkipReason.STOPPED
    if not account.user.is_active:
        return SkipReason.INACTIVE
    if needs_email(account):
        return SkipReason.NO_EMAIL
    if now > reminder.due_at + LATEST:
        return SkipReason.TOO_LATE
    # The week's survey: since the week began (reminder), since the reminder (follow-up).
    if reminder.kind == ReminderKind.REMINDER:
        since = _week_start(reminder)
    else:
        since = (
            Reminder.objects.filter(
                account_id=reminder.account_id, week=reminder.week, kind=ReminderKind.REMINDER
            )
            .values_list("due_at", flat=True)
            .get()
        )
    answered = SymptomReport.objects.filter(patient_id=account.patient_id, submitted_at__gte=since)
    if answered.exists():
        return SkipReason.SURVEY_SENT
    if _courses_ended(account):
        return SkipReason.COURSE_ENDED
    return None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_email(reminder: Reminder, *, token: str) -> Rendered:
    """The email in the patient's language (reports.languages: theirs, else the clinic's).

    Checked like alert emails (notifications.emails.check_rendered_email): it is
    refused if the patient's name, MRN or date of birth would show.
    """
    account = reminder.account
    context = {
        "site": account.patient.site.name,
        "follow_up": reminder.kind == ReminderKind.FOLLOW_UP,
        "survey_url": settings.SITE_URL.rstrip("/") + reverse("reports:weekly"),
        "settings_url": settings.SITE_URL.rstrip("/") + reverse("reports:reminders"),
        "stop_url": stop_url(token),
    }

    def render() -> tuple[str, ...]:
        with translation.override(languages.patient_language(account)):
            return tuple(
                render_to_string(f"reports/email/reminder-{part}", context)
                for part in ("subject.txt", "body.txt", "body.html")
            )

    subject, text, html = check_rendered_email(render, [account.patient])
    return Rendered(" ".join(subject.split()), text, html)


def _message(reminder: Reminder, rendered: Rendered) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.account.user.email],
        headers={
            # Stable per row: a resend after a crash shows once in the patient's mail.
            "Message-ID": f"<patient-reminder-{reminder.pk}@{domain}>",
            "X-Tracker-Reminder": str(reminder.pk),
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def _finish(reminder_id: int, **fields) -> None:
    Reminder.objects.filter(pk=reminder_id, status=S.SENDING).update(**fields)


def send_reminder(reminder_id: int) -> str:
    """Claims one due reminder and emails it, or skips it with the reason.

    Returns what happened, for logs and tests. Logs name the row, never the patient.
    """
    now = timezone.now()
    if not claim(reminder_id, now):
        return "not claimed"
    reminder = Reminder.objects.select_related("account__patient__site", "account__user").get(
        pk=reminder_id
    )
    reason = why_not_send(reminder, now)
    if reason is not None:
        _finish(reminder_id, status=S.SKIPPED, skip_reason=reason)
        return f"skipped: {reason}"
    token = issue_stop_token(reminder)
    try:
        _message(reminder, render_email(reminder, token=token)).send(fail_silently=False)
    except (smtplib.SMTPException, OSError, IdentifierInEmail) as error:
        text = f"{type(error).__name__}: {error}"[:1000]
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused | IdentifierInEmail)
        if permanent or reminder.attempts >= MAX_ATTEMPTS:
            _finish(reminder_id, status=S.FAILED, last_error=text)
            log.warning("Reminder %s failed for good: %s", reminder_id, type(error).__name__)
            return "failed"
        _finish(reminder_id, status=S.PENDING, last_error=text, claimed_at=None)
        log.warning("Reminder %s attempt %s failed", reminder_id, reminder.attempts)
        return "retrying"
    _finish(reminder_id, status=S.SENT, sent_at=timezone.now(), last_error="")
    return "sent"
