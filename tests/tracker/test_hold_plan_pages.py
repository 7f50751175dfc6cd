"""A signed hold is a plan: held since, for which terms, when and at what dose it
resumes, and the oncologist's reason, wherever the decision shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from toxicity.services import decisions

REASON = "Frail; resume two levels down"


@pytest.fixture
def held(oncologist, recommendation):
    """The withhold approved with 14 mg/day as the resume dose."""
    return decisions.decide_recommendation(
        actor=oncologist,
        recommendation=recommendation,
        decision="approve_modified",
        password=PASSWORD,
        reason=REASON,
        dose_mg=14,
    )


def test_the_patient_page_shows_the_hold_plan_with_the_reason(logged_in, oncologist, held):
    course = held.course
    response = logged_in(oncologist).get(reverse("tracker:patient", args=[course.patient_id]))
    plan = response.context["page"].courses[0].hold_plan
    assert plan.terms == ["hypertension"]
    assert plan.resume_when == "hypertension <= grade 2"
    assert plan.resume_dose_mg == 14
    assert plan.signed == held
    html = response.content.decode()
    block = html[html.index(f'id="hold-plan-{course.pk}"') :]
    block = block[: block.index("</div>")]
    for text in ("Held since", "Hypertension", "hypertension &lt;= grade 2", "14 mg/day", REASON):
        assert text in block, text


def test_the_ledger_row_of_the_hold_carries_the_oncologists_reason(logged_in, oncologist, held):
    html = (
        logged_in(oncologist)
        .get(reverse("tracker:patient", args=[held.course.patient_id]))
        .content.decode()
    )
    assert f"s reason: {REASON}</span>" in html
    assert "hold now, resume at 14 mg/day once recovered" in html


def test_the_signed_decisions_say_what_was_decided_and_why(logged_in, oncologist, held):
    html = (
        logged_in(oncologist)
        .get(reverse("tracker:patient", args=[held.course.patient_id]))
        .content.decode()
    )
    section = html[html.index('class="signed-decisions"') :]
    assert "Hold now; resume at 14 mg/day once recovered" in section
    assert REASON in section
    assert "approved hold, resume at 14 mg/day" in section


def test_the_printed_record_shows_the_plan_the_decision_and_the_reason(logged_in, oncologist, held):
    html = (
        logged_in(oncologist)
        .get(reverse("tracker:record", args=[held.course.patient_id]))
        .content.decode()
    )
    plan = html[html.index(f'id="hold-plan-{held.course_id}"') :]
    plan = plan[: plan.index("</section>")]
    for text in ("On hold now", "Hypertension", "hypertension &lt;= grade 2", "14 mg/day"):
        assert text in plan, text
    decision = html[html.index(f'id="decision-{held.pk}"') :]
    assert "Hold now; resume at 14 mg/day once recovered" in decision
    assert REASON in decision


def test_the_inbox_history_shows_the_decision_with_its_reason(logged_in, oncologist, held):
    html = logged_in(oncologist).get(reverse("tracker:inbox")).content.decode()
    history = html[html.index('id="signed-history"') :]
    assert f"R{held.pk}" in history
    assert REASON in history


def test_after_recovery_the_inbox_offers_the_resumption_at_the_signed_dose(
    logged_in, oncologist, nurse, held
):
    from tests.tracker import data

    visit = data.log_visit(
        nurse, held.course, days_ago=0, observations=[data.hypertension(data.NORMAL_BP)]
    )
    resume = visit.recommendations.get()
    assert (resume.action, resume.dose_mg_per_day) == ("resume", 14)
    html = logged_in(oncologist).get(reverse("tracker:inbox")).content.decode()
    card = html[html.index(f'id="rec-{resume.pk}"') :]
    assert "resume dose 14 mg/day as Olga Oncologist signed" in card
    assert "s next level is 20 mg/day</span>" in card


def test_an_outsider_sees_no_hold_plan(logged_in, outsider, held):
    response = logged_in(outsider).get(reverse("tracker:record", args=[held.course.patient_id]))
    assert response.status_code == 404
