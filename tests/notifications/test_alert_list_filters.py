"""The alert list narrowed to one patient and to the alerts that still need action."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from notifications import services
from notifications.models import AlertKind, Severity
from patients.services import apply_dose_change
from tests.factories import PatientFactory

URL = reverse("notifications:alerts")
pytestmark = pytest.mark.django_db


def alert(course, key: str, **fields):
    values = {
        "kind": AlertKind.HIGH_GRADE,
        "severity": Severity.URGENT,
        "course": course,
        "about": course,
        "dedupe_key": key,
        "summary": f"Alert {key}",
    } | fields
    return services.raise_alert(**values)


@pytest.fixture
def second_course(site, oncologist):
    from patients import services as patient_services

    return patient_services.start_course(
        actor=oncologist,
        patient=PatientFactory(site=site),
        drug="sorafenib",
        start_date=date(2025, 1, 6),
        starting_dose_mg=800,
    )


def shown(response) -> set[str]:
    return {a.summary for a in response.context["alerts"]}


def test_one_patients_alerts(client, oncologist, course, second_course):
    alert(course, "mine")
    alert(second_course, "theirs")
    client.force_login(oncologist)
    response = client.get(URL, {"patient": course.patient_id})
    assert shown(response) == {"Alert mine"}
    assert course.patient.family_name in response.content.decode()


def test_only_the_alerts_that_need_action(client, oncologist, course, second_course):
    alert(course, "open")
    services.acknowledge_alert(actor=oncologist, alert=alert(course, "seen"))
    alert(course, "over", episode_term="diarrhea")
    services.end_episode(course=course, term="diarrhea")
    alert(second_course, "ended course")
    apply_dose_change(
        actor=oncologist, course=second_course, kind="discontinue", dose_after_mg=0, reason="PD"
    )
    client.force_login(oncologist)
    assert shown(client.get(URL, {"needs_action": "1"})) == {"Alert open"}
    assert len(shown(client.get(URL))) == 4  # unfiltered, everything stays listed


def test_another_sites_patient_is_not_found(client, outsider, course):
    alert(course, "mine")
    client.force_login(outsider)
    response = client.get(URL, {"patient": course.patient_id})
    assert response.status_code == 404
    assert "Alert mine" not in response.content.decode()


def test_open_alerts_come_first_then_the_latest_acknowledged(client, oncologist, course):
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        services.acknowledge_alert(actor=oncologist, alert=alert(course, "older"))
    with time_machine.travel("2026-11-21 09:00 +0000", tick=False):
        alert(course, "open")
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False):
        services.acknowledge_alert(actor=oncologist, alert=alert(course, "today"))
    client.force_login(oncologist)
    order = [a.summary for a in client.get(URL).context["alerts"]]
    assert order == ["Alert open", "Alert today", "Alert older"]
