"""A report that needs grading alerts the nurse team, once, without naming the patient."""

from __future__ import annotations

import pytest

from notifications.models import Alert, AlertKind, Delivery, Severity
from patients.models import Role
from reports import criteria, triage
from reports.models import TriageItem
from tests.factories import member
from tests.reports.factories import weekly_report

pytestmark = pytest.mark.django_db

SEVERE_DIARRHOEA = {"diarrhea": {"frequency": 4}}  # composite 3


@pytest.fixture
def nurses(site, nurse):
    return [nurse, member(site, Role.NURSE, username="nurse2")]


def test_a_report_needing_grading_raises_one_patient_report_alert(account, on_lenvatinib):
    report = weekly_report(account, SEVERE_DIARRHOEA)
    item = TriageItem.objects.get(report=report)
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.course) == (
        AlertKind.PRO_REPORT,
        Severity.URGENT,
        on_lenvatinib,
    )
    assert (item.alert, item.course, alert.about) == (alert, on_lenvatinib, item)


def test_worsening_or_text_alone_is_a_routine_alert(account, on_lenvatinib):
    weekly_report(account, {"diarrhea": {"frequency": 0}}, anything_else="A little tired")
    assert Alert.objects.get().severity == Severity.ROUTINE


def test_the_alert_goes_to_the_nurse_team(account, on_lenvatinib, nurses, oncologist):
    weekly_report(account, SEVERE_DIARRHOEA)
    told = set(Delivery.objects.values_list("recipient__username", flat=True))
    assert told == {"nurse", "nurse2"}


def test_the_alert_names_no_patient_identifier(account, on_lenvatinib, patient):
    weekly_report(account, SEVERE_DIARRHOEA, anything_else=f"I am {patient.family_name}")
    alert = Alert.objects.get()
    assert alert.summary == (
        "Patient report: diarrhoea composite 3 (not CTCAE); text in 'anything else'"
    )
    for identifier in (patient.family_name, patient.given_name, patient.mrn):
        assert identifier not in alert.summary + alert.recommended_action


def test_triage_run_again_for_the_same_report_adds_nothing(account, on_lenvatinib):
    report = weekly_report(account, SEVERE_DIARRHOEA)
    again = triage.raise_for_report(report)
    assert again == TriageItem.objects.get()
    assert (TriageItem.objects.count(), Alert.objects.count()) == (1, 1)


def test_a_report_that_meets_no_criterion_alerts_nobody(account, on_lenvatinib):
    weekly_report(account, {"diarrhea": {"frequency": 1}})
    assert not Alert.objects.exists()
    assert not TriageItem.objects.exists()


def test_a_worker_that_missed_a_raced_item_adds_no_item_and_no_alert(account, on_lenvatinib):
    """Two requests triage one report at once: the second one's look-up found nothing,
    then the first committed; its insert hits the unique report and it stops there."""
    report = weekly_report(account, SEVERE_DIARRHOEA)
    first = TriageItem.objects.get(report=report)
    found = [criteria.Reason(criteria.COMPOSITE, "diarrhea", "Diarrhoea", 3)]
    second = triage._raise(report.patient, found, raised_at=report.submitted_at, report=report)
    assert second == first
    assert (TriageItem.objects.count(), Alert.objects.count()) == (1, 1)


def test_the_nurses_email_says_what_needs_grading_without_the_patients_name(
    account, on_lenvatinib, nurse, patient, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        weekly_report(account, SEVERE_DIARRHOEA)
    (email,) = [m for m in mailoutbox if nurse.email in m.to]
    assert "Patient report: diarrhoea composite 3 (not CTCAE)" in email.body
    item = TriageItem.objects.get()
    assert f"/patient-reports/triage/{item.pk}/" in email.body  # where to grade it
    for identifier in (patient.family_name, patient.mrn):
        assert identifier not in email.body + email.subject
