"""The pharmacist's pages (review, row confirmation, sign-off) and what every
recommendation says about its rule set's sign-off: inbox, patient page, API, alert."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications.emails import alert_message
from notifications.models import Alert
from notifications.services import ack_token
from tests.factories import PASSWORD
from tests.tracker import data
from toxicity import signoff
from toxicity.alerts import alerts_for_evaluation
from toxicity.models import RuleRowConfirmation, RuleSetSignOff
from toxicity.rules import RULE_SETS
from toxicity.services import decisions

KEY = ("lenvatinib", "us_pi")
NOT_SIGNED = "Rule set not yet signed off at this site"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def review_url(site, key=KEY):
    return reverse("tracker:rule-set", args=[site.pk, *key])


def confirm_url(site):
    return reverse("tracker:rule-confirm", args=[site.pk, *KEY])


def sign_url(site):
    return reverse("tracker:rule-signoff", args=[site.pk, *KEY])


def unconfirmed_rule_id() -> str:
    row = next((r for r in RULE_SETS[KEY].rules if not r.confirmed), None)
    assert row is not None, "the rule set has no unconfirmed row"
    return row.rule_id


def signed_off(pharmacist, site):
    return signoff.sign_off_rule_set(
        actor=pharmacist,
        site=site,
        drug=KEY[0],
        rule_set=KEY[1],
        fingerprint=signoff.current_fingerprint(*KEY),
        password=PASSWORD,
    )


# --- the review page -------------------------------------------------------------------------


def test_the_review_page_shows_every_row_with_its_source_and_confirmed_state(
    logged_in, pharmacist, site
):
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    for row in RULE_SETS[KEY].rules:
        assert f'data-rule="{row.rule_id}"' in html
        assert escape(row.source) in html
    assert html.count('class="unconfirmed"') == sum(
        1 for r in RULE_SETS[KEY].rules if not r.confirmed
    )


def test_the_review_page_shows_the_version_engine_and_policy_it_signs(logged_in, pharmacist, site):
    review = signoff.review(site, *KEY)
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    assert review.fingerprint in html
    assert review.engine_version in html
    for setting in review.policy:
        assert f"<th>{setting}</th>" in html
    assert NOT_SIGNED in html


def test_the_overview_lists_each_rule_set_with_its_status(logged_in, pharmacist, site):
    signed_off(pharmacist, site)
    response = logged_in(pharmacist).get(reverse("tracker:rules"))
    html = response.content.decode()
    for drug, rule_set in RULE_SETS:
        assert f'data-rule-set="{drug}/{rule_set}"' in html
    assert "Signed off by Priya Pharmacist" in html
    assert html.count(NOT_SIGNED) == len(RULE_SETS) - 1


def test_a_nurse_reads_the_review_but_is_offered_no_confirmation_or_signature(
    logged_in, nurse, site
):
    html = logged_in(nurse).get(review_url(site)).content.decode()
    assert 'class="confirm-row"' not in html
    assert 'class="sign-off"' not in html
    assert "A pharmacist at this site signs it off." in html


def test_an_unknown_rule_set_is_not_found(logged_in, pharmacist, site):
    assert logged_in(pharmacist).get(review_url(site, ("lenvatinib", "jp_pi"))).status_code == 404


# --- confirming a row ----------------------------------------------------------------------


def test_a_pharmacist_confirms_a_row_from_the_page(logged_in, pharmacist, site):
    rule_id = unconfirmed_rule_id()
    today = timezone.localdate()
    response = logged_in(pharmacist).post(
        confirm_url(site),
        {"rule_id": rule_id, "label_section": "LENVIMA PI 2.6", "checked_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#row-{rule_id}")
    made = RuleRowConfirmation.objects.get()
    assert (made.rule_id, made.label_section, made.checked_on) == (rule_id, "LENVIMA PI 2.6", today)
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    assert "checked against LENVIMA PI 2.6" in html


def test_a_confirmation_without_a_section_is_shown_again_with_the_error(
    logged_in, pharmacist, site
):
    rule_id = unconfirmed_rule_id()
    response = logged_in(pharmacist).post(
        confirm_url(site),
        {"rule_id": rule_id, "label_section": "", "checked_on": "2025-01-20"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "This field is required." in html
    assert 'value="2025-01-20"' in html  # what was typed is kept
    assert not RuleRowConfirmation.objects.exists()


def test_a_confirmation_with_a_future_date_is_refused(logged_in, pharmacist, site):
    tomorrow = timezone.localdate() + timedelta(days=2)
    response = logged_in(pharmacist).post(
        confirm_url(site),
        {
            "rule_id": unconfirmed_rule_id(),
            "label_section": "LENVIMA PI 2.6",
            "checked_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The date you checked the row is in the future." in response.content.decode()
    assert not RuleRowConfirmation.objects.exists()


# --- signing off ---------------------------------------------------------------------------


def test_a_pharmacist_signs_off_from_the_page(logged_in, pharmacist, site):
    client = logged_in(pharmacist)
    fingerprint = signoff.current_fingerprint(*KEY)
    response = client.post(sign_url(site), {"fingerprint": fingerprint, "password": PASSWORD})
    assert response.status_code == 302
    signed = RuleSetSignOff.objects.get()
    assert signed.fingerprint == fingerprint
    html = client.get(review_url(site)).content.decode()
    assert "This version was signed off by Priya Pharmacist" in html
    assert signed.signature_sha256 in html


def test_a_wrong_password_on_the_page_signs_nothing(logged_in, pharmacist, site):
    response = logged_in(pharmacist).post(
        sign_url(site),
        {"fingerprint": signoff.current_fingerprint(*KEY), "password": "not my password"},
    )
    assert response.status_code == 400
    assert "The password is not correct; nothing was signed." in response.content.decode()
    assert not RuleSetSignOff.objects.exists()


def test_wrong_sign_off_passwords_lock_like_a_sign_in_and_then_the_right_one_signs_nothing(
    logged_in, pharmacist, site
):
    client = logged_in(pharmacist)
    fingerprint = signoff.current_fingerprint(*KEY)
    answers = [
        client.post(sign_url(site), {"fingerprint": fingerprint, "password": "not my password"})
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    right = client.post(sign_url(site), {"fingerprint": fingerprint, "password": PASSWORD})
    assert right.status_code == 429
    assert "Too many wrong passwords" in right.content.decode()
    assert not RuleSetSignOff.objects.exists()


# --- what a recommendation says ---------------------------------------------------------------


def test_the_inbox_card_says_the_rule_set_is_not_yet_signed_off(
    logged_in, oncologist, recommendation
):
    html = logged_in(oncologist).get(reverse("tracker:inbox")).content.decode()
    assert NOT_SIGNED in html


def test_the_inbox_card_of_a_recommendation_under_a_sign_off_says_so(
    logged_in, oncologist, pharmacist, site, course, nurse
):
    signed_off(pharmacist, site)
    data.log_visit(
        nurse,
        course,
        days_ago=2,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    html = logged_in(oncologist).get(reverse("tracker:inbox")).content.decode()
    assert NOT_SIGNED not in html
    assert "Rule set signed off at this site" in html


def test_the_patient_page_says_the_rule_set_is_not_yet_signed_off(
    logged_in, nurse, patient, recommendation
):
    html = logged_in(nurse).get(reverse("tracker:patient", args=[patient.pk])).content.decode()
    assert NOT_SIGNED in html


def test_the_api_says_whether_the_rule_set_was_signed_off(
    api, oncologist, pharmacist, site, course, nurse, recommendation
):
    url = reverse("api-recommendation", args=[recommendation.pk])
    before = api(oncologist).get(url).json()["recommendation"]["rule_set_validation"]
    assert before == {
        "validated": False,
        "status": "rule set not yet signed off at this site",
        "signoff": None,
    }
    signed = signed_off(pharmacist, site)
    newer = data.log_visit(
        nurse,
        course,
        days_ago=1,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    ).recommendations.get()
    after = api(oncologist).get(reverse("api-recommendation", args=[newer.pk])).json()
    validation = after["recommendation"]["rule_set_validation"]
    assert validation["validated"] is True
    assert validation["signoff"]["fingerprint"] == signed.fingerprint
    assert validation["signoff"]["signed_by"] == "Priya Pharmacist"


def test_the_alert_email_says_the_rule_set_is_not_yet_signed_off(recommendation, oncologist):
    alerts_for_evaluation(recommendation.visit_id)
    alert = Alert.objects.get(
        course=recommendation.course, recommended_action__startswith="Withhold"
    )
    delivery = alert.deliveries.get(recipient=oncologist)
    message = alert_message(delivery, ack_token=ack_token(delivery))
    assert "rule set not yet signed off at this site" in message.body
    assert "rule set not yet signed off at this site" in message.alternatives[0][0]


def test_the_printable_record_says_a_decision_was_made_before_any_sign_off(
    logged_in, oncologist, patient, recommendation
):
    decisions.decide_recommendation(
        actor=oncologist, recommendation=recommendation, decision="approve", password=PASSWORD
    )
    html = logged_in(oncologist).get(reverse("tracker:record", args=[patient.pk])).content.decode()
    assert f"R{recommendation.pk}" in html
    assert NOT_SIGNED in html


def test_each_row_shows_its_words_first_and_every_other_field_on_request(
    logged_in, pharmacist, site
):
    row = RULE_SETS[KEY].rules[0]
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    start = html.index(f'data-rule="{row.rule_id}"')
    cell = html[start : html.index("</tr>", start)]
    words, _, rest = cell.partition("<details>")
    assert escape(row.condition.text) in words
    assert "min grade" in rest  # a field in numbers, one click away


def test_counts_of_rows_are_said_in_the_singular_for_one(logged_in, pharmacist, site):
    unconfirmed = [r.rule_id for r in RULE_SETS[KEY].rules if not r.confirmed]
    assert len(unconfirmed) > 1
    for rule_id in unconfirmed[1:]:
        signoff.confirm_rule_row(
            actor=pharmacist,
            site=site,
            drug=KEY[0],
            rule_set=KEY[1],
            rule_id=rule_id,
            label_section="LENVIMA PI 2.6",
            checked_on=timezone.localdate(),
        )
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    assert "1 row stays unconfirmed; its reasons keep saying so." in html
    signed_off(pharmacist, site)
    html = logged_in(pharmacist).get(review_url(site)).content.decode()
    assert "rows confirmed and 1 unconfirmed." in html
    assert not re.search(r"\b1 rows", html)
