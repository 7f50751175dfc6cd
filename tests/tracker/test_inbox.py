"""The oncologist's inbox page: pending recommendations, signed with the password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.models import Role
from tests.factories import PASSWORD, member
from tests.tracker import data
from toxicity.models import Recommendation

URL = reverse("tracker:inbox")


def decide_url(recommendation) -> str:
    return reverse("tracker:decide", args=[recommendation.pk])


def refreshed(recommendation) -> Recommendation:
    return Recommendation.objects.get(pk=recommendation.pk)


def test_it_lists_the_pending_recommendation_with_its_reasons_and_sources(
    logged_in, oncologist, recommendation
):
    html = logged_in(oncologist).get(URL).content.decode()
    assert f'id="rec-{recommendation.pk}"' in html
    for reason in recommendation.decision["reasons"]:
        assert reason["source"] in html
    assert "166/102, 162/100 mm Hg" in html  # the triggering values
    assert 'class="sign"' in html


def test_the_most_severe_comes_first(logged_in, oncologist, recommendation, nurse, site):
    from tests.factories import PatientFactory

    other = data.start_course(oncologist, PatientFactory(site=site), days_ago=30)
    data.log_visit(
        nurse,
        other,
        days_ago=1,
        observations=[{"term": "fatigue", "grade": 2, "intolerable": True}],
    )
    items = logged_in(oncologist).get(URL).context["cards"]
    severities = [card["rec"].severity for card in items]
    assert len(items) == 2
    assert severities == sorted(severities, reverse=True)
    assert items[0]["rec"] == recommendation


def test_with_the_same_action_a_grade_3_comes_before_an_older_grade_2(
    logged_in, oncologist, course, nurse, site
):
    from tests.factories import PatientFactory

    other = data.start_course(oncologist, PatientFactory(site=site), days_ago=30)
    fatigue = data.log_visit(
        nurse,
        other,
        days_ago=3,
        observations=[{"term": "fatigue", "grade": 2, "intolerable": True}],
    ).recommendations.get()
    pressure = data.log_visit(
        nurse,
        course,
        days_ago=2,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    ).recommendations.get()
    assert fatigue.action == pressure.action == "withhold"
    assert fatigue.created_at <= pressure.created_at
    cards = logged_in(oncologist).get(URL).context["cards"]
    assert [card["rec"] for card in cards] == [pressure, fatigue]


def test_approving_with_the_password_signs_and_writes_the_ledger(
    logged_in, oncologist, recommendation
):
    response = logged_in(oncologist).post(
        decide_url(recommendation), {"decision": "approve", "password": PASSWORD}
    )
    assert response.status_code == 302
    signed = refreshed(recommendation)
    assert (signed.status, signed.decided_by) == ("approved", oncologist)
    assert signed.dose_change.kind == "hold"


def test_a_wrong_password_signs_nothing(logged_in, oncologist, recommendation):
    response = logged_in(oncologist).post(
        decide_url(recommendation), {"decision": "approve", "password": "not my password"}
    )
    assert response.status_code == 400
    assert "password is not correct" in response.content.decode()
    assert refreshed(recommendation).status == "pending"


def test_a_refused_signature_is_said_at_the_top_of_the_page_with_the_focus_on_it(
    logged_in, oncologist, recommendation
):
    response = logged_in(oncologist).post(
        decide_url(recommendation), {"decision": "approve", "password": "not my password"}
    )
    page = response.content.decode()
    summary = page.index('id="signing-refused"')
    assert summary < page.index('class="rec-card')
    top = page[summary : page.index("</div>", summary)]
    assert "autofocus" in top
    assert f"Nothing was signed for R{recommendation.pk}." in top
    assert "password is not correct" in top
    assert f'href="#rec-{recommendation.pk}"' in top
    assert refreshed(recommendation).status == "pending"


def test_rejecting_needs_a_reason(logged_in, oncologist, recommendation):
    response = logged_in(oncologist).post(
        decide_url(recommendation), {"decision": "reject", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert refreshed(recommendation).status == "pending"


def test_rejecting_with_a_reason_is_signed(logged_in, oncologist, recommendation):
    logged_in(oncologist).post(
        decide_url(recommendation),
        {"decision": "reject", "password": PASSWORD, "reason": "White-coat effect"},
    )
    rejected = refreshed(recommendation)
    assert (rejected.status, rejected.decision_reason) == ("rejected", "White-coat effect")


def test_approving_a_withhold_with_another_dose_needs_a_reason_and_sets_the_resume_dose(
    logged_in, oncologist, recommendation
):
    client = logged_in(oncologist)
    form = {"decision": "approve_modified", "password": PASSWORD, "dose_mg": "14"}
    assert client.post(decide_url(recommendation), form).status_code == 400
    assert refreshed(recommendation).status == "pending"
    client.post(decide_url(recommendation), {**form, "reason": "Two levels down on recovery"})
    modified = refreshed(recommendation)
    assert modified.status == "approved_modified"
    # Held now, whatever dose was chosen; the chosen dose is the one it resumes at.
    assert (modified.dose_change.kind, modified.dose_change.dose_after_mg) == ("hold", 0)
    assert (modified.approved_dose_mg, modified.approved_resume_dose_mg) == (0, 14)
    assert modified.signature_meaning == "approved hold, resume at 14 mg/day"


def test_the_withhold_form_asks_for_the_resume_dose(logged_in, oncologist, recommendation):
    html = logged_in(oncologist).get(URL).content.decode()
    assert "Resume dose once recovered (mg/day)" in html
    assert "the drug is held now either way" in html


@pytest.fixture
def discontinue(course, oncologist, nurse):
    """Lenvatinib reduced to 20 mg/day, then an arterial thromboembolism: discontinue."""
    from patients.services import apply_dose_change

    apply_dose_change(
        actor=oncologist, course=course, kind="reduce", dose_after_mg=20, reason="Fatigue"
    )
    visit = data.log_visit(
        nurse, course, days_ago=1, observations=[{"term": "arterial_thromboembolism", "grade": 3}]
    )
    recommendation = visit.recommendations.get()
    assert recommendation.action == "discontinue"
    return recommendation


def test_a_discontinue_card_says_stop_the_drug_not_a_dose_of_nothing(
    client, oncologist, discontinue
):
    client.force_login(oncologist)
    html = client.get("/inbox/").content.decode()
    card = html[html.index(f'id="rec-{discontinue.pk}"') :]
    heading = card[: card.index("</strong>") + len("</strong>")]
    assert "<strong>stop the drug</strong>" in heading
    assert "0 mg/day" not in heading


def offered_doses(html: str, recommendation) -> list[str]:
    import re

    card = html[html.index(f'id="rec-{recommendation.pk}"') :]
    select = card[card.index('name="dose_mg"') : card.index("</select>")]
    return re.findall(r'<option value="(\d+)"', select)


def test_another_dose_for_a_discontinue_offers_none_above_the_dose_now(
    logged_in, oncologist, discontinue
):
    html = logged_in(oncologist).get(URL).content.decode()
    assert offered_doses(html, discontinue) == ["20", "14", "10"]


def test_another_dose_above_the_dose_now_is_refused_and_nothing_is_signed(
    logged_in, oncologist, course, discontinue
):
    from patients.models import DoseChange

    ledger = list(DoseChange.objects.filter(course=course).values_list("pk", flat=True))
    form = {
        "decision": "approve_modified",
        "password": PASSWORD,
        "dose_mg": "24",
        "reason": "Keep going",
    }
    response = logged_in(oncologist).post(decide_url(discontinue), form)
    assert response.status_code == 400
    assert "raises the dose" in response.content.decode()
    assert offered_doses(response.content.decode(), discontinue) == ["20", "14", "10"]
    assert (refreshed(discontinue).status, refreshed(discontinue).decided_at) == ("pending", None)
    assert list(DoseChange.objects.filter(course=course).values_list("pk", flat=True)) == ledger


def test_the_second_of_two_deciders_is_told(logged_in, oncologist, site, recommendation, client):
    colleague = member(site, Role.ONCOLOGIST, first_name="Second", last_name="Signer")
    form = {"decision": "approve", "password": PASSWORD}
    first = logged_in(colleague)
    assert first.post(decide_url(recommendation), form).status_code == 302
    client.logout()
    second = logged_in(oncologist)
    response = second.post(decide_url(recommendation), form, follow=True)
    assert "already approved by Second Signer" in response.content.decode()
    assert refreshed(recommendation).decided_by == colleague
    assert recommendation.course.dose_changes.exclude(kind="start").count() == 1
    assert refreshed(recommendation).dose_change is not None


def test_a_nurse_sees_the_recommendation_but_no_sign_button(logged_in, nurse, recommendation):
    html = logged_in(nurse).get(URL).content.decode()
    assert f'id="rec-{recommendation.pk}"' in html
    assert 'class="sign"' not in html and 'name="password"' not in html


def test_a_nurse_cannot_sign_by_posting(logged_in, nurse, recommendation):
    response = logged_in(nurse).post(
        decide_url(recommendation), {"decision": "approve", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert refreshed(recommendation).status == "pending"


def test_an_outsider_sees_nothing_and_gets_404_on_posting(logged_in, outsider, recommendation):
    client = logged_in(outsider)
    assert f'id="rec-{recommendation.pk}"' not in client.get(URL).content.decode()
    response = client.post(
        decide_url(recommendation), {"decision": "approve", "password": PASSWORD}
    )
    assert response.status_code == 404


def test_signing_needs_a_post(logged_in, oncologist, recommendation):
    assert logged_in(oncologist).get(decide_url(recommendation)).status_code == 405


@pytest.mark.parametrize("missing", [999999])
def test_a_recommendation_that_does_not_exist_is_404(logged_in, oncologist, missing):
    url = reverse("tracker:decide", args=[missing])
    assert logged_in(oncologist).post(url, {"decision": "approve"}).status_code == 404


def test_a_card_shows_values_in_words_and_the_dose_now(logged_in, oncologist, recommendation):
    page = logged_in(oncologist).get("/inbox/").content.decode()
    assert "Dose now: <strong>24 mg/day</strong>" in page
    assert "mean 164/101 mm Hg" in page
    assert "readings" not in page
    assert "optimal antihypertensive therapy True" not in page


def test_an_empty_inbox_does_not_tell_an_oncologist_that_only_an_oncologist_signs(
    logged_in, oncologist
):
    html = logged_in(oncologist).get(URL).content.decode()
    assert "Nothing waiting for a signature." in html
    assert "Only an oncologist can sign." not in html
