"""decide_recommendation: oncologists sign with their password; one decision wins."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patients.models import DoseChange, Role
from patients.selectors import dose_state
from tests.factories import member
from tests.toxicity.conftest import at, hypertension
from toxicity.models import Recommendation
from toxicity.services import decisions, signatures

pytestmark = pytest.mark.django_db


@pytest.fixture
def withhold(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    return Recommendation.objects.get(visit=visit)


def test_a_nurse_cannot_sign(withhold, nurse, sign):
    with pytest.raises(PermissionDenied):
        sign(nurse, withhold)
    assert DoseChange.objects.count() == 1  # the start only


def test_an_oncologist_of_another_site_cannot_sign(withhold, outsider, sign):
    with pytest.raises(PermissionDenied):
        sign(outsider, withhold)


def test_a_wrong_password_signs_nothing(withhold, oncologist, sign):
    with pytest.raises(ValidationError) as refused:
        sign(oncologist, withhold, password="not my password")
    assert "password" in refused.value.message_dict
    withhold.refresh_from_db()
    assert withhold.status == "pending"


def test_approval_records_who_when_and_the_meaning(withhold, oncologist, sign):
    decided = sign(oncologist, withhold)
    assert decided.status == "approved"
    assert decided.decided_by == oncologist
    assert decided.decided_at == at(28)
    assert decided.signature_meaning == "approved dose change"
    assert decided.signer_name == "Olga Oncologist"
    assert signatures.signature_is_valid(decided)


def test_approval_appends_the_hold_linked_to_the_recommendation(withhold, oncologist, sign):
    sign(oncologist, withhold)
    hold = DoseChange.objects.get(kind="hold")
    assert hold.recommendation == withhold
    assert hold.reason_terms == ["hypertension"]
    assert hold.history.get().history_user == oncologist


def test_the_signature_is_audited(withhold, oncologist, sign):
    sign(oncologist, withhold)
    latest = withhold.history.latest()
    assert (latest.history_user, latest.status) == (oncologist, "approved")
    assert latest.history_change_reason == "Signed: approved dose change"


def test_rejection_needs_a_reason_and_writes_no_ledger_row(withhold, oncologist, sign):
    with pytest.raises(ValidationError) as refused:
        sign(oncologist, withhold, "reject")
    assert "reason" in refused.value.message_dict

    decided = sign(oncologist, withhold, "reject", reason="BP controlled at home since")
    assert decided.status == "rejected"
    assert DoseChange.objects.count() == 1


def test_approval_with_another_dose_needs_a_ladder_level(withhold, oncologist, sign):
    with pytest.raises(ValidationError) as refused:
        sign(oncologist, withhold, "approve_modified", reason="Frail", dose_mg=15)
    assert "dose_mg" in refused.value.message_dict


def test_a_withhold_approved_with_another_dose_holds_now_at_that_resume_dose(
    course, withhold, oncologist, sign
):
    sign(oncologist, withhold, "approve_modified", reason="Two levels down", dose_mg=14)
    state = dose_state(course)
    assert (state.status, state.dose_mg_per_day, state.held_at_dose_mg) == ("on_hold", 0, 24)
    withhold.refresh_from_db()
    assert (withhold.status, withhold.approved_dose_mg, withhold.approved_resume_dose_mg) == (
        "approved_modified",
        Decimal(0),
        Decimal(14),
    )
    assert withhold.signature_meaning == "approved hold, resume at 14 mg/day"
    (hold,) = DoseChange.objects.filter(course=course, kind="hold")
    assert "hold now, resume at 14 mg/day once recovered" in hold.reason


def test_the_signature_covers_the_resume_dose(course, withhold, oncologist, sign):
    signed = sign(oncologist, withhold, "approve_modified", reason="Two levels down", dose_mg=14)
    assert signatures.signature_is_valid(Recommendation.objects.get(pk=signed.pk))
    signed.approved_resume_dose_mg = Decimal(20)
    assert not signatures.signature_is_valid(signed)


def test_a_resume_dose_above_the_dose_before_the_hold_is_refused_and_nothing_is_signed(
    course, withhold, oncologist, site, sign
):
    from patients.services import apply_dose_change

    apply_dose_change(
        actor=oncologist, course=course, kind="reduce", dose_after_mg=20, reason="Fatigue"
    )
    with pytest.raises(ValidationError) as refused:
        sign(oncologist, withhold, "approve_modified", reason="Back up", dose_mg=24)
    assert "dose_mg" in refused.value.message_dict
    withhold.refresh_from_db()
    assert withhold.status == "pending"
    assert not DoseChange.objects.filter(course=course, kind="hold").exists()


@pytest.fixture
def discontinue(course, oncologist, nurse, log):
    """An arterial thromboembolism on lenvatinib reduced to 20 mg/day: discontinue."""
    from patients.services import apply_dose_change

    apply_dose_change(
        actor=oncologist, course=course, kind="reduce", dose_after_mg=20, reason="Fatigue"
    )
    visit = log(nurse, course, at(20), [{"term": "arterial_thromboembolism", "grade": 3}])
    recommendation = Recommendation.objects.get(visit=visit)
    assert recommendation.action == "discontinue"
    return recommendation


def test_a_discontinue_approved_with_a_dose_above_the_current_one_is_refused_and_nothing_kept(
    course, discontinue, oncologist, sign
):
    ledger = list(DoseChange.objects.filter(course=course).values_list("pk", flat=True))
    history = discontinue.history.count()
    with pytest.raises(ValidationError) as refused:
        sign(oncologist, discontinue, "approve_modified", reason="Keep going", dose_mg=24)
    assert "raises the dose" in refused.value.message_dict["dose_mg"][0]
    discontinue.refresh_from_db()
    assert (discontinue.status, discontinue.decided_by, discontinue.approved_dose_mg) == (
        "pending",
        None,
        None,
    )
    assert discontinue.history.count() == history
    assert list(DoseChange.objects.filter(course=course).values_list("pk", flat=True)) == ledger
    assert dose_state(course).dose_mg_per_day == 20


def test_a_discontinue_approved_with_a_lower_dose_reduces_instead(
    course, discontinue, oncologist, sign
):
    sign(oncologist, discontinue, "approve_modified", reason="Cause found", dose_mg=14)
    state = dose_state(course)
    assert (state.status, state.dose_mg_per_day) == ("active", 14)


def test_a_second_decision_is_told_it_was_already_decided(withhold, oncologist, site, sign):
    colleague = member(site, Role.ONCOLOGIST)
    sign(oncologist, withhold)
    with pytest.raises(decisions.RecommendationAlreadyDecided):
        sign(colleague, withhold)
    assert DoseChange.objects.filter(kind="hold").count() == 1


def test_a_superseded_recommendation_cannot_be_signed(
    course, withhold, nurse, oncologist, log, sign
):
    log(nurse, course, at(21), [hypertension()], antihypertensive_therapy="optimal")
    with pytest.raises(decisions.RecommendationAlreadyDecided):
        sign(oncologist, withhold)
