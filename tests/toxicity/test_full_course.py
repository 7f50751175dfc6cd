"""A full course, through the services: start, grade 3 hypertension, hold, recover, resume."""

from __future__ import annotations

from decimal import Decimal

from patients.selectors import dose_state, ledger
from tests.toxicity.conftest import NORMAL_BP, at, hypertension
from toxicity.models import Recommendation


def test_a_lenvatinib_course_is_held_for_grade_3_hypertension_and_resumed_at_20_mg(
    course, nurse, oncologist, log, sign, time_machine
):
    time_machine.move_to(at(20), tick=False)
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")

    withhold = Recommendation.objects.get(visit=visit)
    assert withhold.action == "withhold"
    assert withhold.resume_dose_mg_per_day == Decimal(20)
    assert withhold.reason_terms == ["hypertension"]
    sign(oncologist, withhold)

    time_machine.move_to(at(27), tick=False)
    recovered = log(nurse, course, at(27), [hypertension(NORMAL_BP)])
    resume = Recommendation.objects.get(visit=recovered)
    assert (resume.action, resume.dose_mg_per_day) == ("resume", Decimal(20))
    sign(oncologist, resume)

    carried_out = dict(
        Recommendation.objects.filter(course=course)
        .exclude(dose_change=None)
        .values_list("dose_change_id", "pk")
    )
    kinds = [
        (c.kind, c.dose_after_mg, carried_out.get(c.pk), c.reason_terms) for c in ledger(course)
    ]
    assert kinds == [
        ("start", Decimal(24), None, []),
        ("hold", Decimal(0), withhold.pk, ["hypertension"]),
        ("resume", Decimal(20), resume.pk, []),
    ]
    state = dose_state(course)
    assert (state.status, state.dose_mg_per_day, state.reductions) == ("active", 20, 1)


def test_a_withhold_modified_to_14_mg_holds_now_and_resumes_at_14_later(
    course, nurse, oncologist, log, sign, time_machine
):
    time_machine.move_to(at(20), tick=False)
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    withhold = Recommendation.objects.get(visit=visit)
    sign(oncologist, withhold, "approve_modified", reason="Frail; two levels down", dose_mg=14)
    assert dose_state(course).on_hold

    time_machine.move_to(at(27), tick=False)
    recovered = log(nurse, course, at(27), [hypertension(NORMAL_BP)])
    resume = Recommendation.objects.get(visit=recovered)
    # The engine's own answer is kept as it was (the label's next level) ...
    assert (resume.decision["action"], resume.decision["dose_mg_per_day"]) == ("resume", 20)
    # ... and the recommendation follows the signed plan.
    assert (resume.action, resume.dose_mg_per_day, resume.resume_plan) == (
        "resume",
        Decimal(14),
        withhold,
    )
    sign(oncologist, resume)

    assert [(c.kind, c.dose_after_mg) for c in ledger(course)] == [
        ("start", Decimal(24)),
        ("hold", Decimal(0)),
        ("resume", Decimal(14)),
    ]
    assert dose_state(course).dose_mg_per_day == 14


def test_while_still_held_the_stay_on_hold_answer_keeps_the_signed_resume_dose(
    course, nurse, oncologist, log, sign, time_machine
):
    time_machine.move_to(at(20), tick=False)
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    sign(
        oncologist,
        Recommendation.objects.get(visit=visit),
        "approve_modified",
        reason="Frail",
        dose_mg=14,
    )
    time_machine.move_to(at(24), tick=False)
    # Still grade 3 and a new grade 3 diarrhoea: a new withhold while held.
    later = log(
        nurse,
        course,
        at(24),
        [hypertension(), {"term": "diarrhea", "stools_per_day": 9, "baseline_stools_per_day": 1}],
        antihypertensive_therapy="optimal",
    )
    stay = Recommendation.objects.get(visit=later)
    assert stay.action == "withhold"
    assert stay.resume_dose_mg_per_day == Decimal(14)
