"""The tumour board: any clinician lists a patient with a question; an oncologist
signs the meeting's decision with their password; every write is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disease.models import BoardDecision, BoardEntry
from disease.services import board
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_time", "fast_password_hashing"),
]

MEETING = date(2026, 6, 1)


@pytest.fixture
def entry(nurse, patient):
    return board.add_board_entry(actor=nurse, patient=patient, question="Start an MKI now?")


def decide(actor, entry, **fields):
    values = {
        "meeting_on": MEETING,
        "outcome": "start_mki",
        "drug": "lenvatinib",
        "attendees": "Dr Oncologist, Dr Surgeon, Dr Radiologist, Nurse Specialist",
        "reason": "RECIST progression within 12 months; asymptomatic; efficacy first",
        "password": PASSWORD,
    } | fields
    return board.decide_board_entry(actor=actor, entry=entry, **values)


def unchanged(entry):
    entry.refresh_from_db()
    return entry.status == "open" and not BoardDecision.objects.exists()


def test_any_clinician_who_writes_lists_a_patient_with_a_question(entry, nurse, site):
    assert (entry.site, entry.question, entry.added_by, entry.status) == (
        site,
        "Start an MKI now?",
        nurse,
        "open",
    )
    assert entry.history.get().history_user == nurse


def test_a_patient_is_listed_once_while_the_question_is_open(entry, oncologist, patient):
    with pytest.raises(ValidationError) as refused:
        board.add_board_entry(actor=oncologist, patient=patient, question="Again?")
    assert "patient" in refused.value.message_dict
    assert BoardEntry.objects.count() == 1


def test_a_question_is_required(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        board.add_board_entry(actor=nurse, patient=patient, question="  ")
    assert "question" in refused.value.message_dict
    assert not BoardEntry.objects.exists()


def test_a_pharmacist_lists_no_patient(pharmacist, patient):
    with pytest.raises(PermissionDenied):
        board.add_board_entry(actor=pharmacist, patient=patient, question="?")
    assert not BoardEntry.objects.exists()


def test_the_oncologist_signs_the_decision_and_the_entry_is_decided(entry, oncologist):
    decision = decide(oncologist, entry)
    entry.refresh_from_db()
    assert entry.status == "decided"
    assert (decision.outcome, decision.drug, decision.decided_by) == (
        "start_mki",
        "lenvatinib",
        oncologist,
    )
    assert decision.signer_name == "Olga Oncologist"
    assert board.signature_is_valid(decision)
    assert decision.history.get().history_change_reason.startswith("Signed:")


def test_a_changed_decision_no_longer_matches_its_signature(entry, oncologist):
    decision = decide(oncologist, entry)
    decision.reason = "Something else"
    assert not board.signature_is_valid(decision)


def test_a_wrong_password_signs_nothing(entry, oncologist):
    with pytest.raises(ValidationError) as refused:
        decide(oncologist, entry, password="not my password")
    assert "password" in refused.value.message_dict
    assert unchanged(entry)


def test_a_nurse_cannot_sign(entry, nurse):
    with pytest.raises(PermissionDenied):
        decide(nurse, entry)
    assert unchanged(entry)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"attendees": " "}, "attendees"),
        ({"reason": ""}, "reason"),
        ({"outcome": "operate"}, "outcome"),
        ({"outcome": "watch"}, "drug"),
        ({"drug": "selpercatinib"}, "drug"),
        ({"outcome": "other", "drug": ""}, "detail"),
        ({"meeting_on": date(2026, 6, 2)}, "meeting_on"),
        ({"meeting_on": date(2026, 5, 31)}, "meeting_on"),
    ],
    ids=[
        "no attendees",
        "no reason",
        "unknown outcome",
        "drug for watch",
        "targeted drug for MKI",
        "other without detail",
        "future meeting",
        "meeting before listing",
    ],
)
def test_a_bad_decision_is_refused_on_its_field_and_nothing_is_signed(
    entry, oncologist, fields, field
):
    with pytest.raises(ValidationError) as refused:
        decide(oncologist, entry, **fields)
    assert field in refused.value.message_dict
    assert unchanged(entry)


def test_a_targeted_drug_goes_with_start_targeted_therapy(entry, oncologist):
    decision = decide(oncologist, entry, outcome="start_targeted_therapy", drug="selpercatinib")
    assert decision.get_drug_display() == "selpercatinib"


def test_a_decided_entry_cannot_be_signed_again(entry, oncologist):
    decide(oncologist, entry)
    with pytest.raises(board.AlreadyDecided):
        decide(oncologist, entry, outcome="watch", drug="")
    assert BoardDecision.objects.get().outcome == "start_mki"


def test_after_the_decision_the_patient_can_be_listed_again(entry, oncologist, patient):
    decide(oncologist, entry)
    again = board.add_board_entry(actor=oncologist, patient=patient, question="Review on MKI")
    assert again.status == "open"
