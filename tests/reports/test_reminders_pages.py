"""The patient's reminder page (/me/reminders/) and the stop link in the emails."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse

from reports import reminders
from reports.models import ReminderSchedule
from tests.reports.factories import emailed_account, reminder_with_stop_link

pytestmark = pytest.mark.django_db

URL = "/me/reminders/"
MONDAY_MORNING = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def emailed(nurse, patient, site):
    site.time_zone = "Europe/London"
    site.save()
    return emailed_account(nurse, patient, username="dora")


def history_reasons(schedule) -> list[str]:
    return list(
        schedule.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )


# --- the page ------------------------------------------------------------------------


def test_the_page_offers_the_days_and_times_and_names_the_clinics_zone(client, emailed):
    client.force_login(emailed.user)
    page = client.get(URL).content.decode()
    assert 'name="weekday" value="6"' in page and "Sunday" in page
    assert '<option value="06:00">' in page and '<option value="22:00">' in page
    assert "Europe/London" in page
    assert "<script" not in page


def test_choosing_a_day_and_time_turns_reminders_on_and_is_audited(client, emailed):
    client.force_login(emailed.user)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        response = client.post(URL, {"enabled": "on", "weekday": "2", "time_of_day": "18:30"})
        assert response.status_code == 302
        page = client.get(URL).content.decode()
    schedule = ReminderSchedule.objects.get(account=emailed)
    assert (schedule.enabled, schedule.weekday, schedule.time_of_day) == (True, 2, time(18, 30))
    assert history_reasons(schedule) == [
        "Reminders turned on by the patient: Wednesday at 18:30 (Europe/London)"
    ]
    assert schedule.history.get().history_user == emailed.user
    # Wednesday 7 January 2026, 18:30 GMT
    assert "Wednesday, 7 Jan 2026, 18:30" in page


def test_turning_them_off_keeps_the_choice_and_is_audited(client, emailed):
    reminders.set_schedule(account=emailed, enabled=True, weekday=0, time_of_day=time(9, 0))
    client.force_login(emailed.user)
    client.post(URL, {"enabled": "off", "weekday": "0", "time_of_day": "09:00"})
    schedule = ReminderSchedule.objects.get(account=emailed)
    assert (schedule.enabled, schedule.weekday) == (False, 0)
    assert history_reasons(schedule)[-1] == "Reminders turned off by the patient"


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"weekday": "0", "time_of_day": "09:00"}, "enabled", "Choose yes or no."),
        ({"enabled": "on", "time_of_day": "09:00"}, "weekday", "Choose the day of the week."),
        (
            {"enabled": "on", "weekday": "7", "time_of_day": "09:00"},
            "weekday",
            "Choose the day of the week.",
        ),
        ({"enabled": "on", "weekday": "0"}, "time_of_day", "Choose a time from the list."),
        (
            {"enabled": "on", "weekday": "0", "time_of_day": "03:00"},
            "time_of_day",
            "Choose a time from the list.",
        ),
        (
            {"enabled": "on", "weekday": "0", "time_of_day": "09:07"},
            "time_of_day",
            "Choose a time from the list.",
        ),
    ],
)
def test_a_wrong_choice_is_shown_again_on_its_field_and_nothing_is_saved(
    client, emailed, posted, field, message
):
    client.force_login(emailed.user)
    response = client.post(URL, posted)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="#field-{field}"' in page and message in page
    assert not ReminderSchedule.objects.exists()


def test_an_account_without_email_is_told_reminders_need_one_and_cannot_turn_them_on(
    client, account
):
    client.force_login(account.user)
    assert 'id="needs-email"' in client.get(URL).content.decode()
    response = client.post(URL, {"enabled": "on", "weekday": "0", "time_of_day": "09:00"})
    assert "has no email address" in response.content.decode()
    assert 'href="#field-enabled"' in response.content.decode()
    assert not ReminderSchedule.objects.exists()


def test_another_patients_schedule_is_not_shown_or_changed(client, emailed, other_account):
    reminders.set_schedule(account=emailed, enabled=True, weekday=3, time_of_day=time(7, 0))
    client.force_login(other_account.user)
    page = client.get(URL).content.decode()
    assert 'id="next-reminder"' not in page
    client.post(URL, {"enabled": "off"})
    assert ReminderSchedule.objects.get(account=emailed).enabled


def test_the_home_page_links_the_reminder_page(client, emailed):
    client.force_login(emailed.user)
    assert f'href="{URL}"' in client.get(reverse("reports:home")).content.decode()


# --- the stop link -------------------------------------------------------------------


def test_opening_the_stop_link_asks_and_does_not_stop(client, emailed):
    _reminder, token = reminder_with_stop_link(emailed)
    response = client.get(f"/me/reminders/stop/{token}/")
    assert response.status_code == 200
    assert 'id="stop"' in response.content.decode()
    assert ReminderSchedule.objects.get(account=emailed).enabled


def test_pressing_the_button_stops_reminders_without_signing_in_and_is_audited(client, emailed):
    reminder, token = reminder_with_stop_link(emailed)
    response = client.post(f"/me/reminders/stop/{token}/")
    assert response.status_code == 200
    assert 'id="stopped"' in response.content.decode()
    schedule = ReminderSchedule.objects.get(account=emailed)
    assert not schedule.enabled
    assert history_reasons(schedule)[-1] == (
        f"Reminders stopped from the link in reminder email {reminder.pk}"
    )
    assert schedule.history.order_by("history_id").last().history_user == emailed.user


def test_pressing_it_again_changes_nothing(client, emailed):
    _reminder, token = reminder_with_stop_link(emailed)
    client.post(f"/me/reminders/stop/{token}/")
    client.post(f"/me/reminders/stop/{token}/")
    assert ReminderSchedule.objects.get(account=emailed).history.count() == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_made_up_token_is_404_and_stops_nothing(client, emailed, method):
    _reminder, token = reminder_with_stop_link(emailed)
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = getattr(client, method)(f"/me/reminders/stop/{wrong}/")
    assert response.status_code == 404
    schedule = ReminderSchedule.objects.get(account=emailed)
    assert schedule.enabled and schedule.history.count() == 1


def test_only_the_tokens_digest_is_stored(emailed):
    reminder, token = reminder_with_stop_link(emailed)
    reminder.refresh_from_db()
    assert reminder.stop_digest == reminders.digest_of(token) and token not in reminder.stop_digest


def test_reminders_stopped_by_link_can_be_turned_on_again_on_the_page(client, emailed):
    _reminder, token = reminder_with_stop_link(emailed)
    client.post(f"/me/reminders/stop/{token}/")
    client.force_login(emailed.user)
    client.post(URL, {"enabled": "on", "weekday": "4", "time_of_day": "10:00"})
    schedule = ReminderSchedule.objects.get(account=emailed)
    assert (schedule.enabled, schedule.weekday) == (True, 4)
