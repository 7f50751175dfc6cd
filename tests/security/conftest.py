"""The surroundings of the security tests: one site with a patient whose course has
a visit, a pending recommendation, an alert and its email, and an outsider who
works at another site."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from notifications import services as alert_services
from notifications.models import Alert, Delivery
from patients.models import Patient, TreatmentCourse
from tests.factories import PatientFactory
from tests.tracker import data
from toxicity import signoff
from toxicity.models import Recommendation, Visit


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is tested in tests/config/test_security.py; here it would cost seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    users: dict  # role name -> user (None for anonymous)
    patient: Patient
    course: TreatmentCourse
    visit: Visit
    recommendation: Recommendation
    alert: Alert
    delivery: Delivery  # the alert's email to the oncologist
    other_patient: Patient  # at the outsider's own site
    rule_set: tuple[str, str]  # (drug, rule set) with a row the rule data leaves unconfirmed
    unconfirmed_rule_id: str

    @property
    def ack_token(self) -> str:
        return alert_services.ack_token(self.delivery)


@pytest.fixture
def world(
    nurse,
    oncologist,
    site_admin,
    pharmacist,
    outsider,
    other_site,
    patient,
    django_capture_on_commit_callbacks,
):
    course = data.start_course(oncologist, patient, days_ago=60)
    with django_capture_on_commit_callbacks(execute=True):
        data.log_visit(nurse, course, days_ago=9, observations=[data.hypertension(data.NORMAL_BP)])
    with django_capture_on_commit_callbacks(execute=True):
        visit = data.log_visit(
            nurse,
            course,
            days_ago=2,
            observations=[data.hypertension()],
            antihypertensive_therapy="optimal",
        )
    recommendation = visit.recommendations.get()
    alert = Alert.objects.filter(course=course).order_by("id").first()
    assert alert is not None, "the grade 3 visit raises an alert"
    delivery = alert.deliveries.get(recipient=oncologist)
    (drug, rule_set), unconfirmed = next(
        (key, row)
        for key in signoff.rule_set_keys()
        for row in signoff.get_rule_set(*key).rules
        if not row.confirmed
    )
    return World(
        users={
            "anonymous": None,
            "nurse": nurse,
            "oncologist": oncologist,
            "site_admin": site_admin,
            "pharmacist": pharmacist,
            "outsider": outsider,
        },
        patient=patient,
        course=course,
        visit=visit,
        recommendation=recommendation,
        alert=alert,
        delivery=delivery,
        other_patient=PatientFactory(site=other_site),
        rule_set=(drug, rule_set),
        unconfirmed_rule_id=unconfirmed.rule_id,
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="operator", email="operator@example.org", password="operator password 1"
    )
