"""The beat sweep: one email per reminder row, one follow-up only when no survey came,
nothing for a patient who stopped them, has reported, or whose treatment has ended."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from patients import services as patient_services
from reports import reminders, tasks
from reports.models import Reminder, ReminderKind, ReminderStatus, SkipReason
from tests.reports.factories import emailed_account, weekly_report

pytestmark = pytest.mark.django_db

# Monday 5 January 2026 (GMT, so London time is UTC); reminders Monday 18:00.
CHOSEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
FOLLOW_UP = DUE + timedelta(hours=48)


@pytest.fixture
def account(nurse, patient, site):
    site.time_zone = "Europe/London"
    site.save()
    return emailed_account(nurse, patient)


@pytest.fixture
def scheduled(account):
    with time_machine.travel(CHOSEN, tick=False):
        reminders.set_schedule(account=account, enabled=True, weekday=0, time_of_day=time(18, 0))
    return account


def sweep_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return tasks.sweep_reminders()


def test_nothing_is_sent_before_the_chosen_time(scheduled):
    sweep_at(DUE - timedelta(minutes=1))
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_the_same_sweep_run_twice_sends_one_email(scheduled):
    sweep_at(DUE + timedelta(minutes=2))
    sweep_at(DUE + timedelta(minutes=2))
    sweep_at(DUE + timedelta(minutes=7))
    assert [m.to for m in mail.outbox] == [["cora@example.org"]]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.status, reminder.sent_at) == (
        ReminderKind.REMINDER,
        ReminderStatus.SENT,
        DUE + timedelta(minutes=2),
    )


def test_a_row_sent_already_is_not_claimed_again(scheduled):
    sweep_at(DUE)
    reminder = Reminder.objects.get()
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        assert reminders.send_reminder(reminder.pk) == "not claimed"
    assert len(mail.outbox) == 1


def test_the_email_names_the_clinic_links_the_survey_and_a_stop_link_and_not_the_patient(
    scheduled, patient, settings
):
    settings.SITE_URL = "https://tracker.example.org"
    sweep_at(DUE)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "Northgate" in message.subject
    for body in (message.body, html):
        assert "https://tracker.example.org/me/week/" in body
        assert "https://tracker.example.org/me/reminders/stop/" in body
        for identifier in (
            patient.mrn,
            patient.given_name,
            patient.family_name,
            patient.reference_code,
            patient.date_of_birth.strftime("%d/%m/%Y"),
            patient.date_of_birth.isoformat(),
        ):
            assert identifier not in body + message.subject


def test_a_time_chosen_after_this_weeks_reminder_starts_next_week(account):
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        reminders.set_schedule(account=account, enabled=True, weekday=0, time_of_day=time(18, 0))
    sweep_at(DUE + timedelta(hours=2))
    assert mail.outbox == []
    sweep_at(DUE + timedelta(days=7))
    assert Reminder.objects.get().week.isoformat() == "2026-01-12"
    assert len(mail.outbox) == 1


def test_no_reminder_when_this_weeks_survey_was_sent(scheduled):
    with time_machine.travel(DUE - timedelta(hours=3), tick=False):
        weekly_report(scheduled)
    sweep_at(DUE)
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.SURVEY_SENT


def test_last_weeks_survey_does_not_count_for_this_week(scheduled):
    with time_machine.travel(datetime(2026, 1, 4, 20, 0, tzinfo=UTC), tick=False):  # Sunday
        weekly_report(scheduled)
    sweep_at(DUE)
    assert len(mail.outbox) == 1


def test_the_follow_up_goes_48_hours_later_when_no_survey_came(scheduled):
    sweep_at(DUE)
    sweep_at(FOLLOW_UP - timedelta(minutes=1))
    assert len(mail.outbox) == 1
    sweep_at(FOLLOW_UP)
    sweep_at(FOLLOW_UP + timedelta(minutes=5))
    assert len(mail.outbox) == 2
    assert "still open" in mail.outbox[1].subject
    follow_up = Reminder.objects.get(kind=ReminderKind.FOLLOW_UP)
    assert (follow_up.due_at, follow_up.status) == (FOLLOW_UP, ReminderStatus.SENT)


def test_no_follow_up_when_the_survey_came_after_the_reminder(scheduled):
    sweep_at(DUE)
    with time_machine.travel(DUE + timedelta(hours=20), tick=False):
        weekly_report(scheduled)
    sweep_at(FOLLOW_UP)
    assert len(mail.outbox) == 1
    follow_up = Reminder.objects.get(kind=ReminderKind.FOLLOW_UP)
    assert (follow_up.status, follow_up.skip_reason) == (
        ReminderStatus.SKIPPED,
        SkipReason.SURVEY_SENT,
    )


def test_the_follow_up_waits_for_a_setting_of_hours(scheduled, settings):
    settings.REMINDER_FOLLOW_UP_HOURS = 24
    sweep_at(DUE)
    sweep_at(DUE + timedelta(hours=24))
    assert len(mail.outbox) == 2


def test_no_follow_up_for_a_reminder_that_was_not_sent(scheduled):
    with time_machine.travel(DUE - timedelta(hours=3), tick=False):
        weekly_report(scheduled)
    sweep_at(DUE)
    sweep_at(FOLLOW_UP)
    assert not Reminder.objects.filter(kind=ReminderKind.FOLLOW_UP).exists()


def test_reminders_turned_off_send_nothing(scheduled):
    with time_machine.travel(DUE - timedelta(hours=1), tick=False):
        reminders.set_schedule(account=scheduled, enabled=False)
    sweep_at(DUE)
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_due_row_of_reminders_stopped_meanwhile_is_skipped(scheduled):
    with time_machine.travel(DUE, tick=False):
        reminders.create_due_reminders()
        reminders.set_schedule(account=scheduled, enabled=False)
        reminders.send_reminder(Reminder.objects.get().pk)
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.STOPPED


def test_the_follow_up_of_reminders_stopped_after_the_reminder_is_not_sent(scheduled):
    sweep_at(DUE)
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        reminders.set_schedule(account=scheduled, enabled=False)
    sweep_at(FOLLOW_UP)
    assert len(mail.outbox) == 1


def test_an_inactive_account_gets_no_reminder(scheduled):
    user = scheduled.user
    user.is_active = False
    user.save()
    sweep_at(DUE)
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.INACTIVE


def test_an_account_whose_address_was_removed_gets_no_reminder(scheduled):
    user = scheduled.user
    user.email = ""
    user.save()
    sweep_at(DUE)
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.NO_EMAIL


def test_no_reminder_once_the_treatment_course_has_ended(scheduled, oncologist, patient):
    course = patient_services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=datetime(2025, 10, 1).date(),
        starting_dose_mg=24,
    )
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=UTC), tick=False):
        patient_services.apply_dose_change(
            actor=oncologist,
            course=course,
            kind="discontinue",
            dose_after_mg=0,
            reason="Progression on imaging",
        )
    sweep_at(DUE)
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.COURSE_ENDED


def test_a_running_course_is_reminded(scheduled, oncologist, patient):
    patient_services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=datetime(2025, 10, 1).date(),
        starting_dose_mg=24,
    )
    sweep_at(DUE)
    assert len(mail.outbox) == 1


def test_a_reminder_the_beat_could_not_send_for_a_day_is_dropped(scheduled):
    sweep_at(DUE + timedelta(hours=25))
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == SkipReason.TOO_LATE


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")


def test_a_failed_send_is_retried_by_the_next_sweep(scheduled, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    sweep_at(DUE)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.PENDING, 1)
    assert "Connection refused" in reminder.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep_at(DUE + timedelta(minutes=5))
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().status == ReminderStatus.SENT


def test_a_send_that_keeps_failing_gives_up(scheduled, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    for minutes in range(0, 5 * reminders.MAX_ATTEMPTS + 10, 5):
        sweep_at(DUE + timedelta(minutes=minutes))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, reminders.MAX_ATTEMPTS)


def test_reminders_stopped_by_the_link_send_nothing_more(scheduled, client):
    sweep_at(DUE)
    token = mail.outbox[0].body.split("/me/reminders/stop/")[1].split("/")[0]
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        assert client.post(f"/me/reminders/stop/{token}/").status_code == 200
    sweep_at(FOLLOW_UP)
    sweep_at(DUE + timedelta(days=7))
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(kind=ReminderKind.FOLLOW_UP).skip_reason == SkipReason.STOPPED
