"""A patient's own language: their pages and reminder emails, else their clinic's;
choosing it changes nothing for the clinicians."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from patients.models import UserPreference
from reports import reminders, services, tasks
from tests.reports.factories import PATIENT_PASSWORD, emailed_account

pytestmark = pytest.mark.django_db

CHOSEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday; reminders Monday 18:00
DUE = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


@pytest.fixture
def chinese_site(site):
    site.language = "zh-hans"
    site.time_zone = "Europe/London"
    site.save()
    return site


def sign_in(client, username="cora"):
    client.post(reverse("reports:sign-in"), {"username": username, "password": PATIENT_PASSWORD})


def test_a_patient_of_a_chinese_clinic_reads_their_pages_in_chinese(client, account, chinese_site):
    sign_in(client)
    page = client.get(reverse("reports:home"))
    assert page.headers["Content-Language"] == "zh-hans"
    assert "我的报告" in page.content.decode()


def test_the_patients_own_choice_wins_over_the_clinics(client, account, chinese_site):
    sign_in(client)
    response = client.post(reverse("reports:language"), {"language": "en-gb"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=account.user).language == "en-gb"
    page = client.get(reverse("reports:home"))
    assert page.headers["Content-Language"] == "en-gb"
    assert "My reports" in page.content.decode()


def test_a_language_not_offered_is_a_field_error_and_nothing_is_stored(client, account):
    sign_in(client)
    response = client.post(reverse("reports:language"), {"language": "fr"})
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not UserPreference.objects.filter(user=account.user).exists()


def test_a_patients_choice_leaves_the_nurses_language_alone(client, account, nurse, chinese_site):
    sign_in(client)
    client.post(reverse("reports:language"), {"language": "en-gb"})
    assert not UserPreference.objects.filter(user=nurse).exists()
    client.logout()
    client.force_login(nurse)
    client.get("/")  # the session's language is read at first sight
    assert client.get(reverse("tracker:home")).headers["Content-Language"] == "zh-hans"


def reminder_subject(account) -> str:
    """The subject of the one reminder this account is sent on Monday at 18:00."""
    with time_machine.travel(CHOSEN, tick=False):
        reminders.set_schedule(account=account, enabled=True, weekday=0, time_of_day=time(18, 0))
    with time_machine.travel(DUE, tick=False):
        tasks.sweep_reminders()
    (message,) = mail.outbox
    return message.subject


def test_the_reminder_email_is_in_the_patients_language(nurse, patient, chinese_site):
    account = emailed_account(nurse, patient)
    assert reminder_subject(account) == f"{chinese_site.name}：该填写每周报告了"


def test_the_reminder_follows_a_patient_who_chose_english(nurse, patient, chinese_site):
    account = emailed_account(nurse, patient)
    UserPreference.objects.create(user=account.user, language="en-gb")
    assert reminder_subject(account) == f"{chinese_site.name}: time for your weekly report"


def test_the_invitation_email_is_in_the_clinics_language(nurse, patient, chinese_site):
    new = services.invite(actor=nurse, patient=patient, channel="email", email="c@example.org")
    services.send_invitation(new)
    (message,) = mail.outbox
    assert message.subject == f"{chinese_site.name}：在家告诉我们您的情况"
