"""Clinical acts belong to clinical roles: a site administrator neither acknowledges an
urgent clinical alert (that stops its escalation) nor changes an MRN, a date of birth
or a baseline the grading uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from notifications import services as alert_services
from notifications.models import AlertKind, Severity
from patients import services
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent_alert(site, oncologist):
    patient = PatientFactory(site=site)
    course = services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=date(2025, 1, 6),
        starting_dose_mg=24,
    )
    return alert_services.raise_alert(
        kind=AlertKind.HIGH_GRADE,
        severity=Severity.URGENT,
        course=course,
        about=course,
        dedupe_key="clinical-acts:1",
        summary="Hypertension grade 3.",
        grade=3,
    )


def test_a_site_admin_cannot_acknowledge_an_urgent_clinical_alert(urgent_alert, site_admin):
    with pytest.raises(PermissionDenied):
        alert_services.acknowledge_alert(actor=site_admin, alert=urgent_alert)
    urgent_alert.refresh_from_db()
    assert urgent_alert.acknowledged_at is None


def test_a_nurse_still_acknowledges_it(urgent_alert, nurse):
    assert alert_services.acknowledge_alert(actor=nurse, alert=urgent_alert).acknowledged_at


def test_a_site_admin_acknowledges_an_undelivered_email_alert(urgent_alert, site_admin):
    failed = alert_services.raise_alert(
        kind=AlertKind.DELIVERY_FAILED,
        severity=Severity.URGENT,
        course=urgent_alert.course,
        about=urgent_alert,
        dedupe_key="clinical-acts:2",
        summary="An alert email could not be delivered.",
    )
    assert alert_services.acknowledge_alert(actor=site_admin, alert=failed).acknowledged_at


@pytest.mark.parametrize(
    "change",
    [
        {"mrn": "NEW-1"},
        {"date_of_birth": date(1961, 1, 1)},
        {"baseline_creatinine_mg_dl": Decimal("1.1")},
        {"baseline_weight_kg": Decimal("71")},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_site_admin_cannot_change_clinical_fields(site, site_admin, change):
    patient = PatientFactory(site=site)
    before = {field: getattr(patient, field) for field in change}
    with pytest.raises(PermissionDenied):
        services.update_patient(actor=site_admin, patient=patient, reason="Tidy up", **change)
    patient.refresh_from_db()
    assert {field: getattr(patient, field) for field in change} == before


def test_a_site_admin_registers_and_edits_no_patient(site, site_admin):
    patient = PatientFactory(site=site, given_name="Anne")
    history = patient.history.count()
    with pytest.raises(PermissionDenied):
        services.update_patient(actor=site_admin, patient=patient, reason="Typo", given_name="Ann")
    patient.refresh_from_db()
    assert (patient.given_name, patient.history.count()) == ("Anne", history)


def test_a_nurse_changes_the_mrn(site, nurse):
    patient = PatientFactory(site=site)
    services.update_patient(actor=nurse, patient=patient, reason="Typo", mrn="NEW-2")
    patient.refresh_from_db()
    assert patient.mrn == "NEW-2"


def test_a_site_admin_opens_and_acknowledges_an_undelivered_email_alert_page(
    client, urgent_alert, site_admin
):
    failed = alert_services.raise_alert(
        kind=AlertKind.DELIVERY_FAILED,
        severity=Severity.URGENT,
        course=urgent_alert.course,
        about=urgent_alert,
        dedupe_key="clinical-acts:3",
        summary="An alert email could not be delivered.",
    )
    client.force_login(site_admin)
    assert client.get(reverse("notifications:alert", args=[failed.pk])).status_code == 200
    response = client.post(reverse("notifications:acknowledge", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.acknowledged_by == site_admin


def test_a_site_admin_gets_403_on_the_clinical_alert_it_is_about(client, urgent_alert, site_admin):
    client.force_login(site_admin)
    assert client.get(reverse("notifications:alert", args=[urgent_alert.pk])).status_code == 403
    response = client.post(reverse("notifications:acknowledge", args=[urgent_alert.pk]))
    assert response.status_code == 403
    urgent_alert.refresh_from_db()
    assert urgent_alert.acknowledged_at is None
