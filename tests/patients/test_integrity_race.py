"""Two nurses giving two patients one MRN at the same moment: a field error, never a
500, and no log line carries the MRN. A real race on PostgreSQL (each request on its
own connection, both past the MRN check before either saves)."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import IntegrityError, connection
from django.db.models import QuerySet
from rest_framework.test import APIClient

from config.middleware import violated_fields
from patients import services
from patients.models import Patient
from tests.factories import PatientFactory
from tests.integration import worker_connections_ended

MRN = "RACE-000"
pytestmark = pytest.mark.integration  # a real race needs PostgreSQL


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("The MRN race needs PostgreSQL (TEST_DATABASE_URL).", pytrace=False)


@pytest.mark.django_db(transaction=True)
def test_two_nurses_setting_one_mrn_at_once_get_a_field_error_not_a_500(
    site, nurse, monkeypatch, caplog
):
    first, second = PatientFactory(site=site), PatientFactory(site=site)
    both_checked = threading.Barrier(2, timeout=10)
    audit = services.audit

    def audit_then_wait(instance, **kwargs):
        audit(instance, **kwargs)
        if isinstance(instance, Patient):
            both_checked.wait()  # both requests have passed the MRN check

    monkeypatch.setattr(services, "audit", audit_then_wait)
    answers = {}

    def patch(patient):
        client = APIClient()
        client.force_authenticate(nurse)
        try:
            answers[patient.pk] = client.patch(
                f"/api/v1/patients/{patient.pk}/",
                {"mrn": MRN, "reason": "Corrected from the referral letter", "version": 1},
                format="json",
            )
        finally:
            connection.close()

    caplog.set_level(logging.DEBUG)
    threads = [threading.Thread(target=patch, args=(p,)) for p in (first, second)]
    with worker_connections_ended():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 400]
    refused = next(answer for answer in answers.values() if answer.status_code == 400)
    assert "mrn" in refused.json()["errors"]
    assert Patient.objects.filter(mrn=MRN).count() == 1
    assert all(MRN not in record.getMessage() for record in caplog.records)
    assert all(MRN not in (record.exc_text or "") for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_any_other_constraint_a_race_breaks_answers_409_naming_its_field(
    site, nurse, monkeypatch, caplog
):
    patient = PatientFactory(site=site)
    PatientFactory(site=site, mrn=MRN)

    def unchecked_update(**kwargs):
        # A service that forgot its own check: the database still refuses.
        QuerySet(Patient).filter(pk=patient.pk).update(mrn=MRN)

    monkeypatch.setattr(services, "update_patient", unchecked_update)
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    client.force_authenticate(nurse)
    answer = client.patch(
        f"/api/v1/patients/{patient.pk}/",
        {"mrn": MRN, "reason": "Typo", "version": 1},
        format="json",
    )
    assert answer.status_code == 409
    assert list(answer.json()["errors"]) == ["mrn"]
    assert all(MRN not in record.getMessage() for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_the_violated_constraint_is_named_by_its_fields(site):
    PatientFactory(site=site, mrn=MRN)
    with pytest.raises(IntegrityError) as refused:
        PatientFactory(site=site, mrn=MRN)
    assert violated_fields(refused.value) == ["mrn"]
