"""evaluate_visit: once per visit revision, newest visit wins, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Role
from tests.factories import PatientFactory, member
from tests.toxicity.conftest import NORMAL_BP, START, at, hypertension
from toxicity.models import Recommendation, Visit
from toxicity.services import evaluation
from toxicity.services import visits as visit_services

pytestmark = pytest.mark.django_db


def test_evaluating_a_visit_twice_stores_one_recommendation(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    first = Recommendation.objects.get(visit=visit)

    again = evaluation.evaluate_visit(visit.pk)

    assert again == first
    assert Recommendation.objects.filter(visit=visit).count() == 1


def test_an_evaluation_that_lost_its_bookkeeping_still_adds_no_second_recommendation(
    course, nurse, log
):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    Visit._base_manager.filter(pk=visit.pk).update(evaluated_at=None)

    evaluation.evaluate_visit(visit.pk)

    assert Recommendation.objects.filter(visit=visit).count() == 1


def test_the_visit_is_marked_evaluated_with_the_engines_answer(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    visit.refresh_from_db()
    assert visit.evaluated_at is not None
    assert visit.evaluated_revision == 1
    assert visit.evaluation["action"] == "continue"


def test_a_plain_continue_produces_no_recommendation(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    assert not Recommendation.objects.filter(visit=visit).exists()


def test_a_first_grade_3_without_optimal_therapy_is_flagged_for_review(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="started")
    recommendation = Recommendation.objects.get(visit=visit)
    assert recommendation.needs_review
    assert recommendation.action == "continue"


def test_a_newer_visit_supersedes_the_older_pending_recommendation(course, nurse, log):
    old = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    newer = log(nurse, course, at(21), [hypertension(NORMAL_BP)])

    old_recommendation = Recommendation.objects.get(visit=old)
    assert old_recommendation.status == "superseded"
    assert old_recommendation.superseded_by_visit == newer


def test_an_older_visit_evaluated_late_does_not_displace_the_newer_one(
    course, nurse, log, django_capture_on_commit_callbacks
):
    # The older visit is saved while the broker is down: no evaluation yet.
    with django_capture_on_commit_callbacks(execute=False):
        old = visit_services.log_visit(
            actor=nurse,
            course=course,
            occurred_at=at(19),
            observations=[hypertension()],
            antihypertensive_therapy="optimal",
        )
    newer = log(nurse, course, at(21), [hypertension()], antihypertensive_therapy="optimal")

    evaluation.evaluate_visit(old.pk)

    assert Recommendation.objects.get(visit=newer).status == "pending"
    assert Recommendation.objects.get(visit=old).status == "superseded"


def test_an_ended_course_is_evaluated_as_skipped(course, nurse, oncologist, log):
    from patients.services import apply_dose_change

    apply_dose_change(
        actor=oncologist, course=course, kind="discontinue", dose_after_mg=0, reason="Progression"
    )
    visit = log(nurse, course, at(28), [hypertension()])
    visit.refresh_from_db()
    assert "skipped" in visit.evaluation
    assert not Recommendation.objects.filter(visit=visit).exists()


def _course_with_history(site, oncologist, nurse, log, earlier_visits: int):
    from patients import services as patient_services

    patient = PatientFactory(site=site)
    course = patient_services.start_course(
        actor=oncologist, patient=patient, drug="lenvatinib", start_date=START, starting_dose_mg=24
    )
    for i in range(earlier_visits):
        log(nurse, course, at(7, minute=i), [hypertension(NORMAL_BP)])
    return course


def _queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


@pytest.mark.parametrize("operation", ["log", "evaluate"])
def test_queries_per_visit_do_not_grow_with_the_patients_history(
    site, oncologist, log, time_machine, operation, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(20), tick=False)
    nurse = member(site, Role.NURSE)
    short = _course_with_history(site, oncologist, nurse, log, 2)
    long = _course_with_history(site, oncologist, nurse, log, 50)

    def log_only(course):
        with django_capture_on_commit_callbacks(execute=False):
            return visit_services.log_visit(
                actor=nurse,
                course=course,
                occurred_at=at(20),
                observations=[hypertension(), {"term": "fatigue", "grade": 1}],
                antihypertensive_therapy="optimal",
            )

    if operation == "log":
        counts = [_queries(lambda c=c: log_only(c)) for c in (short, long)]
    else:
        visits = [log_only(c) for c in (short, long)]
        counts = [_queries(lambda v=v: evaluation.evaluate_visit(v.pk)) for v in visits]

    assert counts[0] == counts[1], counts
    assert counts[0] <= 30


def _count_replays(monkeypatch) -> list[int]:
    from patients import dosing

    calls: list[int] = []
    replay = dosing.derive_dose_state

    def counted(entries):
        calls.append(1)
        return replay(entries)

    monkeypatch.setattr(dosing, "derive_dose_state", counted)
    return calls


def test_the_newest_visit_is_evaluated_on_one_replay_of_the_ledger(course, nurse, monkeypatch):
    visit = visit_services.log_visit(
        actor=nurse, course=course, occurred_at=at(20), observations=[hypertension(NORMAL_BP)]
    )
    calls = _count_replays(monkeypatch)

    evaluation.evaluate_visit(visit.pk)

    assert len(calls) == 1


def test_a_visit_older_than_a_ledger_change_is_evaluated_as_of_its_time_and_checked_as_of_now(
    course, nurse, oncologist, monkeypatch
):
    from patients.services import apply_dose_change

    visit = visit_services.log_visit(
        actor=nurse, course=course, occurred_at=at(20), observations=[hypertension(NORMAL_BP)]
    )
    apply_dose_change(
        actor=oncologist, course=course, kind="reduce", dose_after_mg=20, reason="Fatigue"
    )
    calls = _count_replays(monkeypatch)

    evaluation.evaluate_visit(visit.pk)

    assert len(calls) == 2  # the ledger as of the visit, then the whole ledger
    assert Visit.objects.get(pk=visit.pk).evaluation["dose_mg_per_day"] != 20
