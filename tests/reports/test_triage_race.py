"""Two requests triaging one report at the same moment: one item, one alert. A real race
on PostgreSQL (each on its own connection, both past the "already triaged?" look-up
before either saves)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from notifications.models import Alert
from reports import triage
from reports.models import SymptomReport, TriageItem
from tests.integration import worker_connections_ended
from tests.reports.factories import weekly_report

pytestmark = pytest.mark.integration  # a real race needs PostgreSQL


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("The triage race needs PostgreSQL (DATABASE_URL).", pytrace=False)


@pytest.mark.django_db(transaction=True)
def test_two_requests_triaging_one_report_at_once_make_one_item_and_one_alert(
    account, on_lenvatinib, nurse, monkeypatch
):
    with monkeypatch.context() as m:  # stored untriaged, as if the request died before it
        m.setattr(triage, "raise_for_report", lambda report: None)
        report = weekly_report(account, {"diarrhea": {"frequency": 4}})
    both_looked = threading.Barrier(2, timeout=10)
    raise_ = triage._raise

    def look_then_wait(*args, **kwargs):
        both_looked.wait()  # both found no item for the report
        return raise_(*args, **kwargs)

    monkeypatch.setattr(triage, "_raise", look_then_wait)
    items, errors = [], []

    def work():
        try:
            with transaction.atomic():
                items.append(triage.raise_for_report(SymptomReport.objects.get(pk=report.pk)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    with worker_connections_ended():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert errors == []
    assert (TriageItem.objects.count(), Alert.objects.count()) == (1, 1)
    assert items[0].pk == items[1].pk
