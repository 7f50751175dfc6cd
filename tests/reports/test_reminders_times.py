"""When a reminder is due: the patient's weekday and wall-clock time in the clinic's
zone, stored in UTC, the same wall-clock time on both sides of a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from reports import reminders

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Europe/London: BST began on Sunday 29 March 2026 at 01:00 UTC and ends on
# Sunday 25 October 2026 at 01:00 UTC.
WEEK_BEFORE_SPRING = date(2026, 3, 23)  # Monday
WEEK_OF_SPRING = date(2026, 3, 23 + 7)  # Monday 30 March, the first week of BST


def test_a_monday_evening_reminder_in_winter_is_that_hour_utc_in_london():
    due = reminders.due_at(date(2026, 1, 5), 0, time(18, 0), LONDON)
    assert due == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def test_the_same_choice_after_the_spring_change_is_an_hour_earlier_in_utc():
    before = reminders.due_at(WEEK_BEFORE_SPRING, 2, time(9, 0), LONDON)
    after = reminders.due_at(WEEK_OF_SPRING, 2, time(9, 0), LONDON)
    assert before == datetime(2026, 3, 25, 9, 0, tzinfo=UTC)
    assert after == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    assert after.astimezone(LONDON).time() == before.astimezone(LONDON).time() == time(9, 0)


def test_a_reminder_on_the_day_of_the_change_keeps_its_wall_clock_time():
    # Sunday 29 March 2026, 18:00 BST (the clocks went forward that morning).
    due = reminders.due_at(WEEK_BEFORE_SPRING, 6, time(18, 0), LONDON)
    assert due == datetime(2026, 3, 29, 17, 0, tzinfo=UTC)


def test_after_the_autumn_change_the_same_choice_is_an_hour_later_in_utc():
    before = reminders.due_at(date(2026, 10, 19), 5, time(18, 0), LONDON)  # Sat 24 Oct, BST
    after = reminders.due_at(date(2026, 10, 26), 5, time(18, 0), LONDON)  # Sat 31 Oct, GMT
    assert before == datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 31, 18, 0, tzinfo=UTC)


def test_another_clinics_zone_changes_on_its_own_date():
    # America/New_York: EDT from Sunday 8 March 2026.
    before = reminders.due_at(date(2026, 3, 2), 0, time(9, 0), NEW_YORK)
    after = reminders.due_at(date(2026, 3, 9), 0, time(9, 0), NEW_YORK)
    assert (before.hour, after.hour) == (14, 13)


def test_the_follow_up_two_days_later_keeps_the_wall_clock_time_across_the_change(settings):
    settings.REMINDER_FOLLOW_UP_HOURS = 48
    reminder = reminders.due_at(WEEK_BEFORE_SPRING, 4, time(18, 0), LONDON)  # Fri 27 Mar GMT
    follow_up = reminders.follow_up_due_at(reminder, LONDON)
    assert follow_up.astimezone(LONDON) == datetime(2026, 3, 29, 18, 0, tzinfo=LONDON)
    assert follow_up - reminder == timedelta(hours=47)  # the clocks went forward meanwhile


def test_a_moment_belongs_to_the_week_of_its_monday_on_the_clinics_calendar():
    # Sunday 23:30 in New York is Monday 04:30 UTC: still the week before, there.
    moment = datetime(2026, 1, 12, 4, 30, tzinfo=UTC)
    assert reminders.week_of(moment, NEW_YORK) == date(2026, 1, 5)
    assert reminders.week_of(moment, LONDON) == date(2026, 1, 12)


@pytest.mark.parametrize("choice", reminders.TIME_CHOICES)
def test_no_time_offered_falls_in_a_daylight_saving_gap_in_london(choice):
    day = date(2026, 3, 29)
    due = reminders.due_at(WEEK_BEFORE_SPRING, 6, choice, LONDON)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime.combine(day, choice)
