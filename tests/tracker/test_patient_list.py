"""The patient list says each latest course's status in the clinic's words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.services import apply_dose_change

pytestmark = pytest.mark.django_db


def test_a_held_course_reads_on_hold(logged_in, oncologist, course):
    apply_dose_change(
        actor=oncologist, course=course, kind="hold", dose_after_mg=0, reason="Grade 3 diarrhea"
    )
    page = logged_in(oncologist).get(reverse("tracker:patients")).content.decode()
    assert ">On hold</span>" in page
    assert "Onhold" not in page


def test_a_running_course_reads_active(logged_in, oncologist, course):
    page = logged_in(oncologist).get(reverse("tracker:patients")).content.decode()
    assert ">Active</span>" in page
