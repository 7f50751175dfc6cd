"""Alert emails are template triplets with the minimum necessary about the patient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import emails, tasks
from notifications.models import OutboxStatus
from patients import languages

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_the_same_fragment_is_in_both_bodies(routed, raise_grade3):
    alert = raise_grade3(routed)
    delivery = alert.deliveries.first()
    message = emails.alert_message(delivery, ack_token="token")
    html = message.alternatives[0][0]
    assert "BP 172/104 mmHg" in message.body
    assert "BP 172/104 mmHg" in html


def test_text_bodies_are_not_html_escaped(routed, raise_grade3):
    alert = raise_grade3(
        routed, summary="Proteinuria grade 3: UPCR >= 3.5 & 24 h urine protein 4 g."
    )
    message = emails.alert_message(alert.deliveries.first(), ack_token="token")
    assert "UPCR >= 3.5 & 24 h" in message.body
    assert "UPCR &gt;= 3.5 &amp; 24 h" in message.alternatives[0][0]


def test_each_delivery_has_its_own_stable_message_id(routed, raise_grade3):
    alert = raise_grade3(routed)
    delivery = alert.deliveries.first()
    first = emails.alert_message(delivery, ack_token="a")
    again = emails.alert_message(delivery, ack_token="b")
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]


REMOVED = "[identifier removed]"


def test_a_summary_naming_the_patient_is_rewritten_and_still_raised(
    smtp_server, routed, patient, raise_grade3
):
    name = f"{patient.given_name} {patient.family_name}"
    alert = raise_grade3(routed, summary=f"{name}: BP 180/110")
    assert alert.summary == f"{REMOVED}: BP 180/110"
    assert len(smtp_server.received) == 2
    assert name not in smtp_server.received[0].text


def test_a_recommendation_holding_the_mrn_is_rewritten_and_still_raised(
    smtp_server, routed, patient, raise_grade3
):
    alert = raise_grade3(routed, recommended_action=f"Call about {patient.mrn}")
    assert alert.recommended_action == f"Call about {REMOVED}"
    assert patient.mrn not in smtp_server.received[0].text


def test_a_summary_holding_the_date_of_birth_is_rewritten(routed, patient, raise_grade3):
    born = patient.date_of_birth.strftime("%d/%m/%Y")
    alert = raise_grade3(routed, summary=f"Patient born {born}: grade 3 diarrhoea")
    assert alert.summary == f"Patient born {REMOVED}: grade 3 diarrhoea"


def test_a_date_of_birth_written_the_chinese_way_is_rewritten(routed, patient, raise_grade3):
    dob = patient.date_of_birth
    born = f"{dob.year}年{dob.month}月{dob.day}日"
    alert = raise_grade3(routed, summary=f"出生于{born}: grade 3 diarrhoea")
    assert alert.summary == f"出生于{REMOVED}: grade 3 diarrhoea"


def test_a_chinese_name_written_without_a_space_is_rewritten(routed, raise_grade3):
    routed.patient.family_name, routed.patient.given_name = "王", "小明"
    alert = raise_grade3(routed, summary="王小明腹泻3级")
    assert alert.summary == f"{REMOVED}腹泻3级"


def test_two_recipients_of_one_alert_read_it_each_in_their_own_language(
    routed, nurse, oncologist, raise_grade3
):
    languages.set_language(actor=nurse, language="zh-hans")
    alert = raise_grade3(routed)
    bodies = {
        d.recipient: emails.alert_message(d, ack_token="t").body
        for d in alert.deliveries.filter(recipient__in=[nurse, oncologist])
    }
    assert "发生了什么" in bodies[nurse] and "What happened" not in bodies[nurse]
    assert "What happened" in bodies[oncologist] and "发生了什么" not in bodies[oncologist]


def test_the_audit_says_the_text_was_rewritten(routed, patient, raise_grade3):
    alert = raise_grade3(routed, summary=f"{patient.mrn}: grade 3")
    assert alert.history.earliest().history_change_reason == (
        "Raised (a patient identifier in its text was removed)"
    )


def test_the_trackers_own_text_is_not_searched(patient):
    patient.mrn = "mg"
    text = emails.TrackerText("Reduce lenvatinib to 20 mg/day")
    assert emails.redact_identifiers(text, [patient], placeholder="X") == text


def test_a_name_in_full_is_found_in_any_written_order(patient):
    full_name = f"{patient.family_name.upper()}, {patient.given_name}"
    assert emails.redact_identifiers(f"about {full_name}", [patient], placeholder="X") == "about X"


def test_a_name_wrapped_over_two_lines_is_still_found(patient):
    text = f"about {patient.given_name}\n  {patient.family_name}"
    assert emails.redact_identifiers(text, [patient], placeholder="X") == "about X"


def test_a_given_name_that_is_an_ordinary_word_is_left_alone(patient):
    patient.given_name = "May"
    text = "Grade 3: you may want to withhold the drug"
    assert emails.redact_identifiers(text, [patient], placeholder="X") == text


def test_a_name_inside_another_word_is_not_an_identifier(patient):
    patient.family_name = "Ash"
    text = "Rash grade 3 (hand-foot skin reaction)"
    assert emails.redact_identifiers(text, [patient], placeholder="X") == text


def test_the_builder_refuses_a_template_that_prints_the_mrn(patient):
    def render():
        return (f"Patient {patient.reference_code}, MRN {patient.mrn}",)

    with pytest.raises(emails.IdentifierInEmail):
        emails.check_rendered_email(render, [patient])


def test_the_builder_refuses_a_template_that_prints_the_date_of_birth(patient):
    def render():
        return (f"born {patient.date_of_birth:%d %b %Y}",)

    with pytest.raises(emails.IdentifierInEmail):
        emails.check_rendered_email(render, [patient])


def test_the_builder_puts_the_patient_back_as_it_was(patient):
    before = (patient.mrn, patient.given_name, patient.family_name, patient.date_of_birth)
    with pytest.raises(emails.IdentifierInEmail):
        emails.check_rendered_email(lambda: (patient.mrn,), [patient])
    assert (patient.mrn, patient.given_name, patient.family_name, patient.date_of_birth) == before


@pytest.mark.parametrize("mrn", ["24", "20", "2026", "hours"])
def test_an_mrn_the_email_holds_by_coincidence_does_not_stop_it(patient, mrn):
    patient.mrn = mrn

    def render():
        return ("Alert 20 of 02 Mar 2026: the link works for 24 hours",)

    assert emails.check_rendered_email(render, [patient]) == (render()[0],)


def test_an_email_that_would_leak_is_never_sent(
    smtp_server, routed, patient, raise_grade3, settings, tmp_path
):
    # A template bug prints the MRN: the email must not go.
    leaky = tmp_path / "notifications" / "emails"
    leaky.mkdir(parents=True)
    (leaky / "alert-body.txt").write_text("About {{ alert.course.patient.mrn }}")
    settings.TEMPLATES = [settings.TEMPLATES[0] | {"DIRS": [tmp_path]}]
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False) as clock:
        alert = raise_grade3(routed)
        smtp_server.start()
        clock.shift(timedelta(minutes=5))
        tasks.sweep_outbox()
    assert smtp_server.received == []
    assert set(alert.deliveries.values_list("status", flat=True)) == {OutboxStatus.FAILED}


def test_an_oncologist_with_the_patients_own_name_still_gets_the_alert(
    routed, patient, raise_grade3
):
    alert = raise_grade3(routed)
    delivery = alert.deliveries.first()
    recipient = delivery.recipient
    recipient.first_name, recipient.last_name = patient.given_name, patient.family_name
    recipient.save()
    delivery.refresh_from_db()
    message = emails.alert_message(delivery, ack_token="token")
    assert f"{patient.given_name} {patient.family_name}" in message.body  # the greeting


def test_a_nurse_who_switches_to_chinese_changes_only_her_own_emails(
    client, routed, nurse, oncologist, raise_grade3
):
    client.force_login(nurse)
    client.post("/accounts/language/", {"language": "zh-hans"})
    alert = raise_grade3(routed)
    subjects = {
        d.recipient: emails.alert_message(d, ack_token="t").subject
        for d in alert.deliveries.filter(recipient__in=[nurse, oncologist])
    }
    bodies = {
        d.recipient: emails.alert_message(d, ack_token="t").body
        for d in alert.deliveries.filter(recipient__in=[nurse, oncologist])
    }
    assert "发生了什么" in bodies[nurse]
    assert "What happened" in bodies[oncologist] and "发生了什么" not in bodies[oncologist]
    assert subjects[nurse] != subjects[oncologist]
