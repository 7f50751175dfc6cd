"""The pharmacist's sign-off of a site's rule set, row confirmations, and the version
each recommendation was made under (toxicity.signoff)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patients.models import Role
from tests.factories import PASSWORD, member
from tests.toxicity.conftest import at, hypertension
from toxicity import signoff
from toxicity.models import Recommendation, RuleRowConfirmation, RuleSetSignOff
from toxicity.rules import RULE_SETS

pytestmark = pytest.mark.django_db

KEY = ("lenvatinib", "us_pi")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is tested in tests/config/test_security.py; here it would cost seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now(time_machine):
    moment = datetime(2025, 1, 28, 14, 30, tzinfo=UTC)
    time_machine.move_to(moment, tick=False)
    return moment


def unconfirmed_row(key=KEY):
    row = next((r for r in RULE_SETS[key].rules if not r.confirmed), None)
    assert row is not None, f"{key} has no unconfirmed row to confirm"
    return row


def confirmed_row(key=KEY):
    row = next((r for r in RULE_SETS[key].rules if r.confirmed), None)
    assert row is not None, f"{key} has no confirmed row"
    return row


def sign_off(actor, site, *, key=KEY, password=PASSWORD, fingerprint=None):
    return signoff.sign_off_rule_set(
        actor=actor,
        site=site,
        drug=key[0],
        rule_set=key[1],
        fingerprint=fingerprint or signoff.current_fingerprint(*key),
        password=password,
    )


def confirm(actor, site, *, rule_id=None, section="LENVIMA PI 2.6, table 1", day=date(2025, 1, 20)):
    return signoff.confirm_rule_row(
        actor=actor,
        site=site,
        drug=KEY[0],
        rule_set=KEY[1],
        rule_id=rule_id or unconfirmed_row().rule_id,
        label_section=section,
        checked_on=day,
    )


def change_first_row(monkeypatch, key=KEY, **changes):
    """The rule data as it would be after an edit of one row (a new label version)."""
    rule_set = RULE_SETS[key]
    first = dataclasses.replace(rule_set.rules[0], **changes)
    monkeypatch.setitem(
        RULE_SETS, key, dataclasses.replace(rule_set, rules=(first, *rule_set.rules[1:]))
    )


# --- signing off ---------------------------------------------------------------------------


def test_a_pharmacist_signs_off_the_rule_set_as_it_is_now(pharmacist, site, now):
    signed = sign_off(pharmacist, site)
    assert signed.fingerprint == signoff.current_fingerprint(*KEY)
    assert (signed.site, signed.drug, signed.rule_set) == (site, *KEY)
    assert signed.signed_by == pharmacist
    assert signed.signer_name == "Priya Pharmacist"
    assert signed.signed_at == now
    assert signed.signature_meaning == "signed off rule set for use at this site"
    assert signoff.current_signoff(site_id=site.pk, drug=KEY[0], rule_set=KEY[1]) == signed


def test_the_signature_hashes_the_canonical_content(pharmacist, site, now):
    signed = RuleSetSignOff.objects.get(pk=sign_off(pharmacist, site).pk)  # a database round trip
    assert signed.signature_sha256 == hashlib.sha256(signoff.signoff_content(signed)).hexdigest()
    assert signoff.signoff_is_valid(signed)
    signed.content = {**signed.content, "unconfirmed_rule_ids": []}
    assert not signoff.signoff_is_valid(signed)


def test_the_sign_off_counts_the_rows_confirmed_and_lists_those_that_are_not(pharmacist, site, now):
    rows = RULE_SETS[KEY].rules
    signed = sign_off(pharmacist, site)
    assert signed.confirmed_rows == sum(1 for r in rows if r.confirmed)
    assert signed.unconfirmed_rows == sum(1 for r in rows if not r.confirmed)
    assert signed.content["unconfirmed_rule_ids"] == [r.rule_id for r in rows if not r.confirmed]
    assert signed.content["policy"]["engine_version"] == signed.engine_version


def test_the_sign_off_is_audited(pharmacist, site, now):
    signed = sign_off(pharmacist, site)
    record = signed.history.get()
    assert record.history_user == pharmacist
    assert record.history_change_reason == "Signed: signed off rule set for use at this site"


@pytest.mark.parametrize("role", [Role.NURSE, Role.ONCOLOGIST, Role.SITE_ADMIN])
def test_only_a_pharmacist_signs_off(site, now, role):
    other = member(site, role)
    with pytest.raises(PermissionDenied):
        sign_off(other, site)
    assert not RuleSetSignOff.objects.exists()


def test_a_pharmacist_of_another_site_cannot_sign_off_this_one(site, other_site, now):
    elsewhere = member(other_site, Role.PHARMACIST)
    with pytest.raises(PermissionDenied):
        sign_off(elsewhere, site)
    assert not RuleSetSignOff.objects.exists()


def test_a_wrong_password_signs_nothing(pharmacist, site, now):
    with pytest.raises(ValidationError) as refused:
        sign_off(pharmacist, site, password="not my password")
    assert "password" in refused.value.message_dict
    assert not RuleSetSignOff.objects.exists()


def test_a_rule_set_changed_since_the_review_is_not_signed(pharmacist, site, now, monkeypatch):
    reviewed = signoff.current_fingerprint(*KEY)
    change_first_row(monkeypatch, source="LENVIMA PI 2026, 2.6")
    with pytest.raises(ValidationError) as refused:
        sign_off(pharmacist, site, fingerprint=reviewed)
    assert "fingerprint" in refused.value.message_dict
    assert not RuleSetSignOff.objects.exists()


def test_one_version_is_signed_off_once_per_site(pharmacist, site, now):
    sign_off(pharmacist, site)
    with pytest.raises(ValidationError) as refused:
        sign_off(pharmacist, site)
    assert "already signed off" in refused.value.message_dict["fingerprint"][0]
    assert RuleSetSignOff.objects.count() == 1


def test_a_sign_off_is_for_its_site_only(pharmacist, site, other_site, now):
    sign_off(pharmacist, site)
    assert signoff.current_signoff(site_id=other_site.pk, drug=KEY[0], rule_set=KEY[1]) is None


def test_a_sign_off_is_for_its_rule_set_only(pharmacist, site, now):
    sign_off(pharmacist, site)
    assert signoff.current_signoff(site_id=site.pk, drug="lenvatinib", rule_set="eu_smpc") is None


def test_a_changed_row_needs_a_new_sign_off(pharmacist, site, now, monkeypatch):
    old = sign_off(pharmacist, site)
    change_first_row(monkeypatch, source="LENVIMA PI 2026, 2.6")
    assert signoff.current_signoff(site_id=site.pk, drug=KEY[0], rule_set=KEY[1]) is None
    new = sign_off(pharmacist, site)
    assert new.fingerprint != old.fingerprint
    review = signoff.review(site, *KEY)
    assert (review.signoff, review.earlier_signoffs) == (new, [old])


def test_a_new_engine_version_needs_a_new_sign_off(pharmacist, site, now, monkeypatch):
    sign_off(pharmacist, site)
    monkeypatch.setattr("toxicity.rules.engine.ENGINE_VERSION", "9.9.9")
    assert signoff.current_signoff(site_id=site.pk, drug=KEY[0], rule_set=KEY[1]) is None
    assert sign_off(pharmacist, site).engine_version == "9.9.9"


def test_a_signed_sign_off_is_never_edited(pharmacist, site, now):
    signed = sign_off(pharmacist, site)
    signed.signer_name = "Someone else"
    with pytest.raises(Exception, match="cannot be changed"):
        signed.save()


# --- row confirmations -------------------------------------------------------------------


def test_a_pharmacist_confirms_an_unconfirmed_row_with_the_label_section_and_date(
    pharmacist, site, now
):
    row = unconfirmed_row()
    made = confirm(pharmacist, site, section="LENVIMA PI 2.6, table 1", day=date(2025, 1, 20))
    assert (made.rule_id, made.label_section, made.checked_on) == (
        row.rule_id,
        "LENVIMA PI 2.6, table 1",
        date(2025, 1, 20),
    )
    assert (made.confirmed_by, made.confirmed_at, made.site) == (pharmacist, now, site)
    reviewed = next(r for r in signoff.review(site, *KEY).rows if r.rule_id == row.rule_id)
    assert reviewed.confirmation == made and reviewed.confirmed


def test_a_confirmation_is_audited(pharmacist, site, now):
    made = confirm(pharmacist, site, section="LENVIMA PI 2.6")
    record = made.history.get()
    assert record.history_user == pharmacist
    assert record.history_change_reason == "Row confirmed against LENVIMA PI 2.6"


def test_a_confirmation_is_counted_in_the_sign_off(pharmacist, site, now):
    before = signoff.review(site, *KEY).confirmed_count
    made = confirm(pharmacist, site)
    signed = sign_off(pharmacist, site)
    assert signed.confirmed_rows == before + 1
    assert made.rule_id not in signed.content["unconfirmed_rule_ids"]
    assert signed.content["site_confirmations"] == [
        {
            "rule_id": made.rule_id,
            "row_sha256": made.row_sha256,
            "label_section": made.label_section,
            "checked_on": "2025-01-20",
            "confirmed_by": pharmacist.pk,
        }
    ]


def test_a_confirmation_is_for_its_site_only(pharmacist, site, other_site, now):
    made = confirm(pharmacist, site)
    reviewed = next(r for r in signoff.review(other_site, *KEY).rows if r.rule_id == made.rule_id)
    assert reviewed.confirmation is None and not reviewed.confirmed


def test_a_confirmation_no_longer_counts_once_its_row_changes(pharmacist, site, now, monkeypatch):
    row = unconfirmed_row()
    made = confirm(pharmacist, site, rule_id=row.rule_id)
    rule_set = RULE_SETS[KEY]
    changed = tuple(
        dataclasses.replace(r, source=r.source + " (revised)") if r.rule_id == row.rule_id else r
        for r in rule_set.rules
    )
    monkeypatch.setitem(RULE_SETS, KEY, dataclasses.replace(rule_set, rules=changed))
    reviewed = next(r for r in signoff.review(site, *KEY).rows if r.rule_id == row.rule_id)
    assert reviewed.confirmation is None and not reviewed.confirmed
    assert reviewed.earlier_confirmations == [made]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"section": "  "}, "label_section"),
        ({"section": "x" * 201}, "label_section"),
        ({"day": None}, "checked_on"),
        ({"day": date(2025, 1, 30)}, "checked_on"),  # after today, in any zone
        ({"rule_id": "lenvatinib.us_pi.no_such_row"}, "rule_id"),
    ],
)
def test_a_confirmation_with_bad_input_is_refused_on_its_field(
    pharmacist, site, now, changes, field
):
    with pytest.raises(ValidationError) as refused:
        confirm(pharmacist, site, **changes)
    assert field in refused.value.message_dict
    assert not RuleRowConfirmation.objects.exists()


def test_a_row_the_data_already_confirms_is_not_confirmed_again(pharmacist, site, now):
    with pytest.raises(ValidationError) as refused:
        confirm(pharmacist, site, rule_id=confirmed_row().rule_id)
    assert "already confirmed" in refused.value.message_dict["rule_id"][0]
    assert not RuleRowConfirmation.objects.exists()


def test_a_row_is_confirmed_once_per_site(pharmacist, site, now):
    confirm(pharmacist, site)
    with pytest.raises(ValidationError):
        confirm(pharmacist, site)
    assert RuleRowConfirmation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.NURSE, Role.ONCOLOGIST, Role.SITE_ADMIN])
def test_only_a_pharmacist_confirms_a_row(site, now, role):
    with pytest.raises(PermissionDenied):
        confirm(member(site, role), site)
    assert not RuleRowConfirmation.objects.exists()


# --- the version each recommendation was made under ---------------------------------------


def test_a_recommendation_before_any_sign_off_records_none(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    assert Recommendation.objects.get(visit=visit).rule_set_signoff is None


def test_a_recommendation_records_the_sign_off_current_when_it_was_made(
    course, nurse, pharmacist, site, log
):
    signed = sign_off(pharmacist, site)
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    assert Recommendation.objects.get(visit=visit).rule_set_signoff == signed


def test_a_recommendation_after_the_rules_changed_records_none(
    course, nurse, pharmacist, site, log, monkeypatch
):
    sign_off(pharmacist, site)
    change_first_row(monkeypatch, source="LENVIMA PI 2026, 2.6")
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    assert Recommendation.objects.get(visit=visit).rule_set_signoff is None


def test_another_sites_sign_off_does_not_count_here(course, nurse, other_site, log):
    sign_off(member(other_site, Role.PHARMACIST), other_site)
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    assert Recommendation.objects.get(visit=visit).rule_set_signoff is None


def test_a_later_sign_off_leaves_earlier_recommendations_as_they_were(
    course, nurse, pharmacist, site, log
):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    sign_off(pharmacist, site)
    assert Recommendation.objects.get(visit=visit).rule_set_signoff is None
