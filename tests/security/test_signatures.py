"""Signed decisions hold: who signed, when (UTC), what it meant and a SHA-256 of what
was signed; a signed record is never edited, and a correction is a new signed record
that references it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone

from tests.factories import PASSWORD
from toxicity.models import (
    CORRECTION_MEANING,
    SIGNATURE_MEANING,
    DecisionCorrection,
    Recommendation,
    SignedRecordError,
)
from toxicity.services import corrections, decisions, signatures, visits


@pytest.fixture
def signed(world):
    return decisions.decide_recommendation(
        actor=world.users["oncologist"],
        recommendation=world.recommendation,
        decision="approve",
        password=PASSWORD,
    )


def reloaded(recommendation) -> Recommendation:
    return Recommendation.objects.get(pk=recommendation.pk)


def test_a_signed_approval_names_the_signer_the_utc_time_and_the_meaning(world, signed):
    row = reloaded(signed)
    assert row.signer_name == "Olga Oncologist"
    assert row.decided_by == world.users["oncologist"]
    assert row.decided_at.utcoffset() == timedelta(0)
    assert row.signature_meaning == SIGNATURE_MEANING == "approved dose change"


def test_the_stored_hash_is_the_sha256_of_the_signed_content(signed):
    row = reloaded(signed)
    assert row.signature_sha256 == hashlib.sha256(signatures.signed_content(row)).hexdigest()
    assert signatures.signature_is_valid(row)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decision_reason", "Approved after discussion"),
        ("signer_name", "Someone Else"),
        ("signature_meaning", "rejected dose recommendation"),
        ("approved_dose_mg", "14.0"),
        ("status", "rejected"),
    ],
)
def test_a_row_changed_behind_the_app_no_longer_matches_its_signature(signed, field, value):
    # A plain QuerySet: what someone with database access could do, bypassing the app.
    QuerySet(Recommendation).filter(pk=signed.pk).update(**{field: value})
    assert not signatures.signature_is_valid(reloaded(signed))


def test_a_changed_signing_time_no_longer_matches_its_signature(signed):
    QuerySet(Recommendation).filter(pk=signed.pk).update(
        decided_at=signed.decided_at + timedelta(seconds=1)
    )
    assert not signatures.signature_is_valid(reloaded(signed))


def test_the_service_refuses_to_decide_a_signed_recommendation_again(world, signed):
    with pytest.raises(decisions.RecommendationAlreadyDecided):
        decisions.decide_recommendation(
            actor=world.users["oncologist"],
            recommendation=reloaded(signed),
            decision="reject",
            reason="Changed my mind",
            password=PASSWORD,
        )


def test_the_model_refuses_to_save_a_signed_recommendation(signed):
    row = reloaded(signed)
    row.decision_reason = "Quietly rewritten"
    with pytest.raises(SignedRecordError):
        row.save()
    assert reloaded(signed).decision_reason == ""


def test_the_api_answers_409_to_a_second_decision(world, signed, api):
    response = api(world.users["oncologist"]).post(
        f"/api/v1/recommendations/{signed.pk}/decision/",
        {"decision": "reject", "reason": "Changed my mind", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 409
    assert "errors" in response.json()


def correct(world, recommendation, *, actor=None, password=PASSWORD, **fields):
    fields.setdefault("corrected_reason", "Grade 3 hypertension despite three agents")
    fields.setdefault("explanation", "The reason was left empty at signing")
    return corrections.correct_decision(
        actor=actor or world.users["oncologist"],
        recommendation=recommendation,
        password=password,
        **fields,
    )


def test_a_correction_is_a_new_signed_record_that_references_the_decision(world, signed):
    correction = correct(world, signed)
    assert correction.recommendation_id == signed.pk
    assert correction.signer_name == "Olga Oncologist"
    assert correction.corrected_at.utcoffset() == timedelta(0)
    assert correction.signature_meaning == CORRECTION_MEANING
    row = DecisionCorrection.objects.get(pk=correction.pk)
    assert row.signature_sha256 == hashlib.sha256(signatures.correction_content(row)).hexdigest()


def test_a_correction_leaves_the_signed_decision_as_it_was_signed(world, signed):
    before = reloaded(signed)
    correct(world, signed)
    after = reloaded(signed)
    assert signatures.signed_content(after) == signatures.signed_content(before)
    assert signatures.signature_is_valid(after)


def test_a_correction_is_audited_with_its_signer(world, signed):
    correction = correct(world, signed)
    entry = correction.history.get()
    assert entry.history_user == world.users["oncologist"]
    assert entry.history_change_reason == f"Signed: {CORRECTION_MEANING}"


def test_a_second_correction_replaces_the_first_and_says_so(world, signed):
    first = correct(world, signed)
    second = correct(world, signed, corrected_reason="Withheld for grade 3 hypertension")
    assert second.replaces == first


def test_a_correction_needs_the_signers_password(world, signed):
    with pytest.raises(ValidationError) as refused:
        correct(world, signed, password="not the password")
    assert "password" in refused.value.message_dict
    assert not DecisionCorrection.objects.exists()


def test_a_nurse_cannot_correct_a_signed_decision(world, signed):
    with pytest.raises(PermissionDenied):
        correct(world, signed, actor=world.users["nurse"])


def test_an_unsigned_recommendation_is_not_corrected_but_decided(world):
    with pytest.raises(ValidationError) as refused:
        correct(world, world.recommendation)
    assert "recommendation" in refused.value.message_dict


def test_a_correction_needs_an_explanation(world, signed):
    with pytest.raises(ValidationError) as refused:
        correct(world, signed, explanation="  ")
    assert "explanation" in refused.value.message_dict


def test_a_saved_correction_cannot_be_changed(world, signed):
    correction = correct(world, signed)
    correction.explanation = "Rewritten"
    with pytest.raises(SignedRecordError):
        correction.save()


def test_a_changed_correction_no_longer_matches_its_signature(world, signed):
    correction = correct(world, signed)
    QuerySet(DecisionCorrection).filter(pk=correction.pk).update(corrected_reason="Other")
    assert not signatures.correction_is_valid(DecisionCorrection.objects.get(pk=correction.pk))


def test_the_printable_record_shows_name_utc_time_meaning_and_hash(world, signed, client):
    correction = correct(world, signed)
    client.force_login(world.users["nurse"])
    response = client.get(f"/patients/{world.patient.pk}/record/")
    page = response.content.decode()
    assert response.status_code == 200
    row = reloaded(signed)
    assert "Olga Oncologist" in page
    assert row.decided_at.strftime("%Y-%m-%d %H:%M:%S") in page
    assert "approved dose change" in page
    assert row.signature_sha256 in page
    assert "(matches the record)" in page
    assert correction.signature_sha256 in page
    assert CORRECTION_MEANING in page


def test_the_printable_record_shows_a_tampered_decision_as_not_matching(world, signed, client):
    QuerySet(Recommendation).filter(pk=signed.pk).update(decision_reason="Rewritten")
    client.force_login(world.users["oncologist"])
    page = client.get(f"/patients/{world.patient.pk}/record/").content.decode()
    assert "does not match the record" in page


def test_the_signed_decisions_panel_for_the_patient_page_shows_name_time_and_meaning(world, signed):
    from django.template import Context, Template

    html = Template("{% load signed_records %}{% signed_decisions patient %}").render(
        Context({"patient": world.patient})
    )
    assert "Olga Oncologist" in html
    # Shown in the clinic's zone, with the zone, as every time on the clinicians' pages.
    decided_at = timezone.localtime(reloaded(signed).decided_at)
    assert formats.date_format(decided_at, "DATETIME_FORMAT") in html
    assert "approved dose change" in html


@pytest.fixture
def revised_after_signing(world, signed):
    visit = world.visit
    visit.refresh_from_db()
    visits.edit_visit(
        actor=world.users["nurse"],
        visit=visit,
        reason="Note added after signing",
        note="Seen again",
        revision=visit.revision,
    )
    return signed


def test_the_printable_record_says_the_signature_covers_an_earlier_revision(
    world, revised_after_signing, client
):
    client.force_login(world.users["oncologist"])
    page = client.get(f"/patients/{world.patient.pk}/record/").content.decode()
    signed_for = reloaded(revised_after_signing).visit_revision
    assert f"covers revision {signed_for} of the visit, which was revised after signing" in page
    assert "(matches the record)" not in page


def test_the_patient_page_says_the_signature_covers_an_earlier_revision(
    world, revised_after_signing, client
):
    client.force_login(world.users["oncologist"])
    page = client.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "the visit was revised since" in page
