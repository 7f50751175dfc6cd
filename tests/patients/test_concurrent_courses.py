"""A patient takes one multikinase inhibitor at a time: a second open course is refused
unless an oncologist says why, and that reason is kept on the course and in its audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from patients import services
from patients.models import TreatmentCourse

LENVATINIB = {"drug": "lenvatinib", "start_date": date(2025, 1, 6), "starting_dose_mg": 24}
CABOZANTINIB = {"drug": "cabozantinib", "start_date": date(2025, 3, 3), "starting_dose_mg": 60}


@pytest.fixture
def lenvatinib(oncologist, patient):
    return services.start_course(actor=oncologist, patient=patient, **LENVATINIB)


def test_a_second_open_course_without_a_reason_is_refused(oncologist, patient, lenvatinib):
    with pytest.raises(ValidationError) as refused:
        services.start_course(actor=oncologist, patient=patient, **CABOZANTINIB)
    message = refused.value.message_dict["concurrent_course_reason"][0]
    assert "still on Lenvatinib (Lenvima) (from 2025-01-06)" in message
    assert list(TreatmentCourse.objects.filter(patient=patient)) == [lenvatinib]


def test_a_course_on_hold_is_still_open(oncologist, patient, lenvatinib):
    services.apply_dose_change(
        actor=oncologist, course=lenvatinib, kind="hold", dose_after_mg=0, reason="grade 3 BP"
    )
    with pytest.raises(ValidationError):
        services.start_course(actor=oncologist, patient=patient, **CABOZANTINIB)
    assert TreatmentCourse.objects.filter(patient=patient).count() == 1


def test_an_oncologists_reason_allows_it_and_is_kept_in_the_audit(oncologist, patient, lenvatinib):
    why = "Cross-over trial protocol 12: both for one week"
    course = services.start_course(
        actor=oncologist, patient=patient, concurrent_course_reason=why, **CABOZANTINIB
    )
    assert course.concurrent_course_reason == why
    created = course.history.get(history_type="+")
    assert (created.history_user, why in created.history_change_reason) == (oncologist, True)


def test_after_the_first_course_ends_the_next_needs_no_reason(oncologist, patient, lenvatinib):
    services.apply_dose_change(
        actor=oncologist,
        course=lenvatinib,
        kind="discontinue",
        dose_after_mg=0,
        reason="progression",
    )
    course = services.start_course(actor=oncologist, patient=patient, **CABOZANTINIB)
    assert course.concurrent_course_reason == ""


def test_a_reason_with_no_other_open_course_is_refused(oncologist, patient):
    with pytest.raises(ValidationError) as refused:
        services.start_course(
            actor=oncologist, patient=patient, concurrent_course_reason="just in case", **LENVATINIB
        )
    assert "concurrent_course_reason" in refused.value.message_dict
    assert not TreatmentCourse.objects.filter(patient=patient).exists()


def test_the_api_names_the_field(api, oncologist, patient, lenvatinib):
    body = {"patient": patient.pk, **CABOZANTINIB, "start_date": "2025-03-03"}
    response = api(oncologist).post("/api/v1/courses/", body, format="json")
    assert response.status_code == 400
    assert "concurrent_course_reason" in response.json()["errors"]
    assert TreatmentCourse.objects.filter(patient=patient).count() == 1
