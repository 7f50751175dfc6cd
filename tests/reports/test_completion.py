"""Who was due to send the weekly report, who sent it, and who missed two weeks running.

The clinic is in Auckland (UTC+13 in November), so its weeks start on a Sunday
morning in UTC: a week counted in UTC would put the edge reports in the wrong week.
Today is Wednesday 18 November 2026; the last full week is 9-15 November, the
one before it 2-8 November.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from patients import services as patient_services
from patients.models import Role
from reports import completion
from tests.factories import PatientFactory, SiteFactory, member
from tests.reports.factories import patient_account, weekly_report
from tracker import selectors as tracker_selectors

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Pacific/Auckland")
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=ZONE)
LAST_WEEK_MONDAY = datetime(2026, 11, 9, 0, 0, tzinfo=ZONE)
WEEK_BEFORE_MONDAY = datetime(2026, 11, 2, 0, 0, tzinfo=ZONE)
LONG_AGO = datetime(2026, 9, 1, 9, 0, tzinfo=ZONE)


def local(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of November 2026 on the clinic's clock."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def clinic(db):
    site = SiteFactory(name="Harbour Clinic", code="hbr", time_zone="Pacific/Auckland")
    return {
        "site": site,
        "nurse": member(site, Role.NURSE),
        "oncologist": member(site, Role.ONCOLOGIST),
    }


def enrol(clinic, *, enrolled=LONG_AGO, started=LONG_AGO, ended=None, reports=(), active=True):
    """A patient of the clinic enrolled, on a course and reporting at the given times."""
    patient = PatientFactory(site=clinic["site"])
    with time_machine.travel(started, tick=False):
        course = patient_services.start_course(
            actor=clinic["oncologist"],
            patient=patient,
            drug="lenvatinib",
            start_date=started.date(),
            starting_dose_mg=24,
        )
    with time_machine.travel(enrolled, tick=False):
        account = patient_account(clinic["nurse"], patient)
    if not active:
        account.user.is_active = False
        account.user.save(update_fields=["is_active"])
    if ended is not None:
        with time_machine.travel(ended + timedelta(minutes=1), tick=False):
            patient_services.apply_dose_change(
                actor=clinic["oncologist"],
                course=course,
                kind="discontinue",
                dose_after_mg=0,
                effective_at=ended,
                reason="Progression",
            )
    for at in reports:
        with time_machine.travel(at, tick=False):
            weekly_report(account)
    return patient


def last_full_week(clinic):
    figures = completion.site_completion(clinic["site"], now=NOW).weeks[1]
    assert figures.week.first_day.isoformat() == "2026-11-09"
    return figures.due, figures.answered


# (what, enrol() arguments, (due, answered) in the week of 9-15 November)
LAST_WEEK_EDGES = [
    ("enrolled long before, reported midweek", {"reports": [local(11)]}, (1, 1)),
    ("enrolled long before, no report", {}, (1, 0)),
    ("enrolled in the week's first minute", {"enrolled": LAST_WEEK_MONDAY}, (0, 0)),
    (
        "enrolled the minute before the week",
        {"enrolled": LAST_WEEK_MONDAY - timedelta(minutes=1)},
        (1, 0),
    ),
    (
        "enrolled midweek, reported that week",
        {"enrolled": local(11), "reports": [local(12)]},
        (0, 0),
    ),
    ("report in the week's first minute", {"reports": [LAST_WEEK_MONDAY]}, (1, 1)),
    ("report in the week's last minute", {"reports": [local(15, 23, 59)]}, (1, 1)),
    (
        "report in the last minute before the week",
        {"reports": [LAST_WEEK_MONDAY - timedelta(minutes=1)]},
        (1, 0),
    ),
    ("report in the next week's first minute", {"reports": [local(16, 0, 0)]}, (1, 0)),
    ("course started on the week's Monday", {"started": LAST_WEEK_MONDAY}, (1, 0)),
    ("course started midweek", {"started": local(11, 0)}, (0, 0)),
    ("course ended midweek", {"ended": local(12), "reports": [local(11)]}, (0, 0)),
    ("course ended the week before", {"ended": local(4)}, (0, 0)),
    ("course ended after the week", {"ended": local(17), "reports": [local(11)]}, (1, 1)),
    ("account closed", {"active": False, "reports": [local(11)]}, (0, 0)),
]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [case[1:] for case in LAST_WEEK_EDGES],
    ids=[case[0] for case in LAST_WEEK_EDGES],
)
def test_due_and_answered_at_the_edges_of_the_clinics_week(clinic, arguments, expected):
    enrol(clinic, **arguments)
    assert last_full_week(clinic) == expected


def test_the_weeks_are_mondays_to_sundays_on_the_clinics_clock():
    week = completion.week_of(local(15, 23, 59), ZONE)
    assert (week.start, week.end) == (LAST_WEEK_MONDAY, local(16, 0, 0))
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2026-11-09", "2026-11-15")
    # The same moment is a Sunday morning in UTC: the week is still the clinic's.
    assert week.start.astimezone(ZoneInfo("UTC")).weekday() == 6


def test_a_carers_report_answers_for_the_patient(clinic):
    patient = enrol(clinic)
    with time_machine.travel(LONG_AGO, tick=False):
        carer = patient_account(clinic["nurse"], patient, carer_name="Sam Carer")
    with time_machine.travel(local(12), tick=False):
        weekly_report(carer)
    assert last_full_week(clinic) == (1, 1)


def test_the_page_shows_this_week_and_the_four_before_with_the_share(clinic):
    enrol(clinic, reports=[local(11)])
    enrol(clinic, reports=[local(17)])
    figures = completion.site_completion(clinic["site"], now=NOW).weeks
    assert [w.week.first_day.day for w in figures] == [16, 9, 2, 26, 19]
    assert figures[0].current and not any(w.current for w in figures[1:])
    assert [(w.due, w.answered, w.share) for w in figures[:2]] == [(2, 1, 50), (2, 1, 50)]


def test_nobody_due_has_no_share(clinic):
    figures = completion.site_completion(clinic["site"], now=NOW).weeks
    assert figures[1].due == 0 and figures[1].share is None


# (what, enrol() arguments, missed the last two full weeks running)
MISSED_CASES = [
    ("due both weeks, answered neither", {}, True),
    ("answered the week before last only", {"reports": [local(5)]}, False),
    ("answered last week only", {"reports": [local(15, 23, 59)]}, False),
    ("answered only this week", {"reports": [local(16, 0, 0)]}, True),
    ("answered three weeks ago only", {"reports": [local(1, 23, 59)]}, True),
    ("enrolled during the week before last", {"enrolled": local(4)}, False),
    ("course ended last week", {"ended": local(12)}, False),
    ("account closed", {"active": False}, False),
]


@pytest.mark.parametrize(
    ("arguments", "missed"),
    [case[1:] for case in MISSED_CASES],
    ids=[case[0] for case in MISSED_CASES],
)
def test_who_missed_two_weeks_running(clinic, arguments, missed):
    patient = enrol(clinic, **arguments)
    page = completion.site_completion(clinic["site"], now=NOW)
    assert ([p.pk for p in page.missed] == [patient.pk]) is missed
    assert (completion.missed_two_weeks([clinic["site"].pk], now=NOW) == {patient.pk}) is missed


def test_missed_two_weeks_is_three_queries_for_any_number_of_patients(
    clinic, django_assert_num_queries
):
    for _ in range(6):
        enrol(clinic)
    other = SiteFactory(time_zone="Europe/London")
    with django_assert_num_queries(3):
        missed = completion.missed_two_weeks([clinic["site"].pk, other.pk], now=NOW)
    assert len(missed) == 6


def test_sites_where_nobody_reports_from_home_cost_one_query(clinic, django_assert_num_queries):
    PatientFactory(site=clinic["site"])
    with django_assert_num_queries(1):
        assert completion.missed_two_weeks([clinic["site"].pk], now=NOW) == set()


def test_each_site_counts_its_weeks_in_its_own_zone(clinic):
    """A report on Monday 9 November 08:00 in London is in London's week of 9-15 November,
    which for an Auckland clock began on the Monday evening."""
    london = SiteFactory(time_zone="Europe/London")
    london_clinic = {
        "site": london,
        "nurse": member(london, Role.NURSE),
        "oncologist": member(london, Role.ONCOLOGIST),
    }
    sent = datetime(2026, 11, 9, 8, 0, tzinfo=ZoneInfo("Europe/London"))
    enrol(london_clinic, reports=[sent])
    enrol(clinic, reports=[sent])  # Monday 21:00 in Auckland: the same week there too
    in_london = completion.site_completion(london, now=NOW).weeks[1]
    assert (in_london.week.first_day.day, in_london.due, in_london.answered) == (9, 1, 1)
    early = datetime(2026, 11, 8, 12, 0, tzinfo=ZoneInfo("UTC"))  # Monday 01:00 in Auckland
    enrol(clinic, reports=[early])
    assert last_full_week(clinic) == (2, 2)
    assert completion.missed_two_weeks([london.pk, clinic["site"].pk], now=NOW) == set()


# --- the worklist's reason ------------------------------------------------------------------


def test_missing_two_weeks_puts_the_patient_on_the_worklist(clinic):
    patient = enrol(clinic)
    (row,) = tracker_selectors.worklist(clinic["nurse"], now=NOW)
    assert row.course.patient_id == patient.pk
    assert row.reasons == ["missed_reports"]
    assert "Missed two weeks of home reports" in row.why


def test_a_patient_who_answered_last_week_is_not_on_the_worklist(clinic):
    enrol(clinic, reports=[local(10)])
    assert tracker_selectors.worklist(clinic["nurse"], now=NOW) == []


def test_the_worklist_filters_by_the_missed_reports_need(clinic):
    enrol(clinic)
    rows = tracker_selectors.worklist(clinic["nurse"], now=NOW, need="missed_reports")
    assert len(rows) == 1
    assert tracker_selectors.worklist(clinic["nurse"], now=NOW, need="overdue") == []


def test_the_worklist_page_says_why(client, clinic):
    enrol(clinic)
    client.force_login(clinic["nurse"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("tracker:home")).content.decode()
    assert "<li>Missed two weeks of home reports</li>" in page


# --- the clinic's page ------------------------------------------------------------------


def test_the_page_lists_who_missed_with_a_link_to_their_patient_page(client, clinic):
    missed = enrol(clinic)
    answered = enrol(clinic, reports=[local(12)])
    client.force_login(clinic["nurse"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("patient-reports:completion"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbour Clinic" in page and "Pacific/Auckland" in page
    assert reverse("tracker:patient", args=[missed.pk]) in page
    assert reverse("tracker:patient", args=[answered.pk]) not in page
    assert '<td class="share">50 %</td>' in page
    assert "Mon 9 Nov – Sun 15 Nov 2026" in page


def test_the_page_shows_only_the_users_own_sites(client, clinic):
    other = SiteFactory(name="Faraway Clinic")
    client.force_login(clinic["nurse"])
    page = client.get(reverse("patient-reports:completion")).content.decode()
    assert "Harbour Clinic" in page and other.name not in page
