"""Monitoring schedules as data, due checks per course, and the overdue claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from patients import services as patient_services
from tests.toxicity.conftest import NORMAL_BP, at, hypertension
from toxicity import monitoring
from toxicity.models import DueCheck
from toxicity.selectors import due_checks
from toxicity.services import due_checks as due_check_services

START = datetime(2025, 1, 6, tzinfo=UTC)
LENVATINIB_BP = monitoring.SCHEDULES["lenvatinib"][0]


def test_lenvatinib_bp_is_first_due_after_one_week():
    due = monitoring.next_due(LENVATINIB_BP, start=START, last_done=None)
    assert due.due_at == START + timedelta(days=7)


def test_lenvatinib_bp_is_due_every_two_weeks_in_the_first_two_months():
    due = monitoring.next_due(LENVATINIB_BP, start=START, last_done=START + timedelta(days=7))
    assert due.due_at == START + timedelta(days=21)


def test_lenvatinib_bp_is_due_monthly_after_two_months():
    last = START + timedelta(days=60)
    assert monitoring.next_due(
        LENVATINIB_BP, start=START, last_done=last
    ).due_at == last + timedelta(days=30)


def test_unconfirmed_schedules_say_so():
    liver = next(s for s in monitoring.SCHEDULES["lenvatinib"] if s.kind == "liver")
    assert not liver.confirmed
    assert LENVATINIB_BP.confirmed


def test_conditional_checks_are_not_scheduled_for_everyone():
    assert "ecg" not in {s.kind for s in monitoring.scheduled("lenvatinib")}


@pytest.mark.django_db
def test_a_visit_with_bp_satisfies_the_due_check_and_schedules_the_next(course, nurse, log):
    due_check_services.refresh_due_checks(course)
    assert DueCheck.objects.get(course=course, kind="blood_pressure").due_at == at(13, hour=0)

    log(nurse, course, at(13), [hypertension(NORMAL_BP)])

    checks = DueCheck.objects.filter(course=course, kind="blood_pressure").order_by("due_at")
    assert [(c.due_at, c.satisfied_at is not None) for c in checks] == [
        (at(13, hour=0), True),
        (at(27), False),
    ]


@pytest.mark.django_db
def test_a_bp_days_before_the_due_time_satisfies_the_check_and_reschedules_from_it(
    course, nurse, log
):
    due_check_services.refresh_due_checks(course)  # the check after one week, due on the 13th
    log(nurse, course, at(13), [hypertension(NORMAL_BP)])  # next due two weeks on, the 27th

    log(nurse, course, at(20), [hypertension(NORMAL_BP)])  # a week early, after the last one

    checks = DueCheck.objects.filter(course=course, kind="blood_pressure").order_by("due_at")
    assert [(c.due_at, c.satisfied_at) for c in checks] == [
        (at(13, hour=0), at(13)),
        (at(27), at(20)),
        (at(34), None),  # two weeks after the new measurement
    ]


@pytest.mark.django_db
def test_a_bp_dated_before_the_last_one_leaves_the_due_check_as_it_is(course, nurse, log):
    log(nurse, course, at(13), [hypertension(NORMAL_BP)])

    log(nurse, course, at(10), [hypertension(NORMAL_BP)])  # entered late, measured earlier

    checks = DueCheck.objects.filter(course=course, kind="blood_pressure")
    assert [(c.due_at, c.satisfied_at) for c in checks] == [(at(27), None)]


@pytest.mark.django_db
def test_an_overdue_check_is_claimed_once(course, time_machine):
    due_check_services.refresh_due_checks(course)
    first = due_check_services.mark_overdue_checks()
    second = due_check_services.mark_overdue_checks()
    assert first and not second
    assert {c.kind for c in due_checks(course) if c.overdue} >= {"blood_pressure"}


@pytest.mark.django_db
def test_a_course_not_yet_seen_at_a_visit_gets_its_first_bp_check_from_the_sweep(course):
    assert due_check_services.schedule_first_checks() == 1
    assert DueCheck.objects.get(course=course, kind="blood_pressure").due_at == at(13, hour=0)


@pytest.mark.django_db
def test_the_first_checks_are_scheduled_once_however_often_the_sweep_runs(course):
    due_check_services.schedule_first_checks()
    rows = sorted(DueCheck.objects.filter(course=course).values_list("pk", "kind", "due_at"))
    assert due_check_services.schedule_first_checks() == 0
    assert (
        sorted(DueCheck.objects.filter(course=course).values_list("pk", "kind", "due_at")) == rows
    )


@pytest.mark.django_db
def test_a_course_seen_at_a_visit_is_left_to_its_evaluation(course, nurse, log):
    log(nurse, course, at(13), [hypertension(NORMAL_BP)])
    DueCheck.objects.filter(course=course).delete()  # operational rows, as after a course ended
    assert due_check_services.courses_awaiting_first_checks() == []


@pytest.mark.django_db
def test_a_course_that_ended_before_its_first_visit_gets_no_checks(course, oncologist):
    patient_services.apply_dose_change(
        actor=oncologist,
        course=course,
        kind="discontinue",
        dose_after_mg=0,
        effective_at=at(20),
        reason="Patient's choice",
    )
    assert due_check_services.schedule_first_checks() == 0
    assert not DueCheck.objects.filter(course=course).exists()
