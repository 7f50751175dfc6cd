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

    kinds = [(c.kind, c.dose_after_mg, c.recommendation_id, c.reason_terms) for c in ledger(course)]
    assert kinds == [
        ("start", Decimal(24), None, []),
        ("hold", Decimal(0), withhold.pk, ["hypertension"]),
        ("resume", Decimal(20), resume.pk, []),
    ]
    state = dose_state(course)
    assert (state.status, state.dose_mg_per_day, state.reductions) == ("active", 20, 1)
