"""One survey form is one report: the same form sent twice stores it once."""

from __future__ import annotations

import uuid

import pytest

from reports.models import SymptomReport
from tests.reports.factories import weekly_report

pytestmark = pytest.mark.django_db


def test_the_same_form_sent_twice_returns_the_first_report_and_stores_nothing_new(account):
    form_id = uuid.uuid4()
    first = weekly_report(account, submission=form_id)
    again = weekly_report(account, {"diarrhea": {"frequency": 4}}, submission=form_id)
    assert again.pk == first.pk
    assert list(SymptomReport.objects.values_list("pk", flat=True)) == [first.pk]
    assert list(first.answers.values_list("item", flat=True)) == ["fatigue"]


def test_two_forms_are_two_reports(account):
    weekly_report(account, submission=uuid.uuid4())
    weekly_report(account, submission=uuid.uuid4())
    assert SymptomReport.objects.count() == 2


def test_reports_without_a_form_id_are_each_stored(account):
    weekly_report(account)
    weekly_report(account)
    assert SymptomReport.objects.count() == 2
