"""The identifier guard never costs a patient their alert.

An MRN or a name that happens to be one of the tracker's own words or numbers
("mg" in "mg/day", "2026" in a visit date, "24" in "for 24 hours", "20" in a URL
or a dose, "The Visit" in "at the visit of") still yields the alert and its email.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications.models import Alert, AlertKind, Delivery
from patients import services as patient_services
from tests.factories import PatientFactory
from toxicity import alerts as clinical_alerts
from toxicity.models import Recommendation
from toxicity.services import visits

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HIGH_BP = [[166, 102], [162, 100]]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def grade3_visit(nurse, django_capture_on_commit_callbacks):
    def log(course):
        with django_capture_on_commit_callbacks(execute=True):
            return visits.log_visit(
                actor=nurse,
                course=course,
                occurred_at=NOW - timedelta(hours=2),
                observations=[{"term": "hypertension", "readings": HIGH_BP}],
                antihypertensive_therapy="optimal",
            )

    return log


def _set(patient, **fields):
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.save()


@pytest.mark.parametrize(
    "identifiers",
    [
        {"mrn": "mg"},
        {"mrn": "2026"},
        {"mrn": "20"},
        {"mrn": "24"},
        {"mrn": "grade"},
        {"given_name": "The", "family_name": "Visit"},
    ],
    ids=["mrn-mg", "mrn-2026", "mrn-20", "mrn-24", "mrn-grade", "name-the-visit"],
)
def test_an_identifier_equal_to_the_trackers_own_words_still_yields_the_alert_email(
    smtp_server, routed, patient, grade3_visit, identifiers
):
    _set(patient, **identifiers)
    grade3_visit(routed)
    alert = Alert.objects.get(kind=AlertKind.HIGH_GRADE)
    assert "mg/day" in alert.recommended_action  # the tracker's own words, kept
    assert smtp_server.recipients() == ["nurse@example.org", "oncologist@example.org"]
    assert patient.reference_code in smtp_server.received[0].text


def test_the_alert_email_for_an_mrn_of_mg_carries_no_identifier(
    smtp_server, routed, patient, grade3_visit
):
    _set(patient, mrn="mg")
    grade3_visit(routed)
    body = smtp_server.received[0].text
    assert f"{patient.given_name} {patient.family_name}" not in body
    assert patient.date_of_birth.strftime("%d/%m/%Y") not in body
    # "mg" shows only as the dose unit the tracker wrote.
    assert body.count("mg") == body.count(" mg/day")


def test_the_daily_pending_job_goes_past_a_patient_whose_mrn_is_a_unit(
    routed, oncologist, patient, grade3_visit, site
):
    other = PatientFactory(site=site)
    other_course = patient_services.start_course(
        actor=oncologist,
        patient=other,
        drug="lenvatinib",
        start_date=routed.start_date,
        starting_dose_mg=24,
    )
    _set(patient, mrn="mg")
    grade3_visit(routed)
    grade3_visit(other_course)
    assert Recommendation.objects.filter(status="pending").count() == 2
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert clinical_alerts.alerts_for_pending_recommendations() == 2
    pending = Alert.objects.filter(kind=AlertKind.RECOMMENDATION_PENDING)
    assert {alert.course_id for alert in pending} == {routed.pk, other_course.pk}


def test_a_failing_alert_does_not_take_the_visits_other_alert_with_it(
    smtp_server, routed, grade3_visit, monkeypatch
):
    real = clinical_alerts.services.raise_alert

    def failing_for_grades(**alert):
        if alert["kind"] == AlertKind.HIGH_GRADE:
            raise RuntimeError("database went away")
        return real(**alert)

    monkeypatch.setattr(clinical_alerts.services, "raise_alert", failing_for_grades)
    grade3_visit(routed)
    assert list(Alert.objects.values_list("kind", flat=True)) == [AlertKind.RECOMMENDATION]
    assert Delivery.objects.filter(alert__kind=AlertKind.RECOMMENDATION).exists()
