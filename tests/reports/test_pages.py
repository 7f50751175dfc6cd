"""The patient pages work as plain HTML forms: a POST without JavaScript is a report."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reports.models import DoseReport, HomeBloodPressure, SymptomReport, TriageItem

pytestmark = pytest.mark.django_db


def test_the_survey_page_asks_every_question_as_radio_buttons(client, account):
    client.force_login(account.user)
    page = client.get(reverse("reports:weekly")).content.decode()
    assert 'name="diarrhea__frequency" value="4"' in page
    assert "Almost constantly" in page
    assert "unconfirmed" not in page.lower()  # the mark is the clinic's, not the patient's


def test_a_plain_post_stores_the_report_with_grades(client, account):
    client.force_login(account.user)
    taken = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("reports:weekly"),
        {
            "diarrhea__frequency": "4",
            "morning_taken_at": taken,
            "morning_sbp1": "165",
            "morning_dbp1": "102",
            "morning_sbp2": "165",
            "morning_dbp2": "102",
            "anything_else": "Worse since Tuesday",
        },
    )
    assert response.status_code == 302
    report = SymptomReport.objects.get()
    assert report.answers.get(item="diarrhea").composite_grade == 3
    assert report.home_bp.get().ctcae_grade == 3


def _submission_of(page: str) -> str:
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)


def test_sending_one_survey_form_twice_stores_one_report_and_one_triage_item(client, account):
    client.force_login(account.user)
    submission = _submission_of(client.get(reverse("reports:weekly")).content.decode())
    form = {"diarrhea__frequency": "4", "submission": submission}
    first = client.post(reverse("reports:weekly"), form)
    again = client.post(reverse("reports:weekly"), form | {"anything_else": "Also dizzy"})
    assert (first.status_code, again.status_code) == (302, 302)
    report = SymptomReport.objects.get()
    assert (report.anything_else, TriageItem.objects.count()) == ("", 1)
    told = [str(m) for m in get_messages(again.wsgi_request)]
    assert any("already sent" in m and "send a new report" in m for m in told)


def test_each_new_survey_form_has_its_own_id(client, account):
    client.force_login(account.user)
    pages = [client.get(reverse("reports:weekly")).content.decode() for _ in range(2)]
    assert _submission_of(pages[0]) != _submission_of(pages[1])


def test_a_half_answered_item_is_shown_again_with_the_error_on_it(client, account):
    client.force_login(account.user)
    response = client.post(reverse("reports:weekly"), {"nausea__frequency": "3"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page and 'href="#field-nausea__severity"' in page
    assert not SymptomReport.objects.exists()


def test_the_bp_page_stores_morning_readings(client, account):
    client.force_login(account.user)
    taken = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("reports:blood-pressure"),
        {"morning_taken_at": taken, "morning_sbp1": "142", "morning_dbp1": "91"},
    )
    assert HomeBloodPressure.objects.get().ctcae_grade == 2


def test_the_dose_page_stores_a_missed_day(client, account):
    client.force_login(account.user)
    client.post(
        reverse("reports:doses"),
        {"date": timezone.localdate().isoformat(), "status": "missed", "reason": "Forgot"},
    )
    assert DoseReport.objects.get().status == "missed"


def test_the_clinic_page_marks_composites_and_unconfirmed_wording(client, nurse, account):
    client.force_login(account.user)
    client.post(reverse("reports:weekly"), {"diarrhea__frequency": "4"})
    client.force_login(nurse)
    page = client.get(reverse("patient-reports:reports", args=[account.patient_id])).content
    page = page.decode()
    assert "PRO-CTCAE composite (not CTCAE)" in page
    assert "unconfirmed against the NCI form" in page
