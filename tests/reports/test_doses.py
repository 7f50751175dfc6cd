"""Missed and lower doses as the patient reports them: stored, never a dose change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import DoseChange
from reports import services
from reports.models import DoseReport
from tests.tracker import data

pytestmark = pytest.mark.django_db


def test_a_missed_dose_is_stored_with_its_day_and_reason(account):
    day = timezone.localdate() - timedelta(days=2)
    report = services.record_dose(account=account, day=day, status="missed", reason="Vomited")
    stored = DoseReport.objects.get()
    assert (stored.date, stored.status, stored.reason, stored.patient) == (
        day,
        "missed",
        "Vomited",
        account.patient,
    )
    assert report.history.get().history_user == account.user


def test_a_lower_dose_keeps_the_amount(account):
    services.record_dose(
        account=account,
        day=timezone.localdate(),
        status="reduced",
        dose_mg=Decimal("14"),
        reason="Diarrhoea",
    )
    assert DoseReport.objects.get().dose_mg == Decimal("14.0")


def test_a_lower_dose_without_the_amount_is_refused(account):
    with pytest.raises(ValidationError) as refused:
        services.record_dose(account=account, day=timezone.localdate(), status="reduced")
    assert set(refused.value.message_dict) == {"dose_mg"}
    assert not DoseReport.objects.exists()


def test_a_future_day_is_refused(account):
    with pytest.raises(ValidationError) as refused:
        services.record_dose(
            account=account, day=timezone.localdate() + timedelta(days=1), status="missed"
        )
    assert set(refused.value.message_dict) == {"date"}
    assert not DoseReport.objects.exists()


def test_the_report_names_the_running_course_and_changes_no_dose(account, oncologist):
    course = data.start_course(oncologist, account.patient, days_ago=30)
    ledger = DoseChange.objects.count()
    services.record_dose(account=account, day=timezone.localdate(), status="missed")
    assert DoseReport.objects.get().course == course
    assert DoseChange.objects.count() == ledger
