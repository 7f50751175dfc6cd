"""Acceptance in a real browser (issue 17): a surveillance patient's third CT meets
RECIST progression within 12 months -> the flag is on the worklist -> a nurse adds the
patient to the tumour board -> the oncologist signs "start lenvatinib" -> starts the
course from the decision -> the course is on the patient page, and a visit logged on
it gets its recommendation as on any course. Screenshots: var/screenshots/board-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from disease.models import BoardDecision
from disease.services.status import record_disease_status
from patients.models import Role, TreatmentCourse
from patients.services import record_molecular_finding
from tests.disease.conftest import record_study, target
from tests.factories import PatientFactory, SiteFactory, member
from tests.tracker import data, test_browser
from tests.tracker.test_browser import PASSWORD, SHOTS, login, watch_for_errors
from toxicity.models import Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser  # the same chromium fixture as the other browser tests


@pytest.fixture
def surveillance_patient():
    """On active surveillance every 6 months, every actionable driver tested negative,
    a baseline CT ten months ago and a stable one five months ago."""
    site = SiteFactory(name="Northgate Thyroid Clinic", code="ngt")
    oncologist = member(
        site, Role.ONCOLOGIST, username="dr.okafor", first_name="Ada", last_name="Okafor"
    )
    nurse = member(site, Role.NURSE, username="nurse.lee", first_name="Sam", last_name="Lee")
    patient = PatientFactory(site=site, family_name="Dalton", given_name="Iris")
    today = timezone.localdate()
    record_disease_status(
        actor=nurse,
        patient=patient,
        reason="Clinic review",
        on_active_surveillance=True,
        surveillance_since=today - timedelta(days=330),
        imaging_interval_months=6,
    )
    for marker in ("braf_v600e", "ret_fusion", "ntrk_fusion", "alk_fusion"):
        record_molecular_finding(actor=nurse, patient=patient, marker=marker, result="negative")
    record_study(nurse, patient, today - timedelta(days=300), target("T1", "30"), baseline=True)
    record_study(nurse, patient, today - timedelta(days=150), target("T1", "31"))
    return {"oncologist": oncologist, "nurse": nurse, "patient": patient}


def third_ct_through_the_api(nurse, patient):
    client = APIClient()
    client.force_authenticate(nurse)
    answer = client.post(
        reverse("api-imaging-studies", args=[patient.pk]),
        {
            "performed_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
            "baseline": False,
            "modality": "ct",
            "targets": [{"label": "T1", "organ": "lung", "diameter_mm": "40.0"}],
            "non_target": "absent",
        },
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["response"] == "PD"


def test_progression_to_the_board_to_a_course_with_its_toxicity_tracking(
    browser, live_server, surveillance_patient
):
    nurse, patient = surveillance_patient["nurse"], surveillance_patient["patient"]
    base = live_server.url
    third_ct_through_the_api(nurse, patient)

    # The nurse sees the flag on the worklist and lists the patient for the board.
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch_for_errors(page)
    login(page, base, "nurse.lee")
    row = page.locator(f"#disease-needs tr[data-patient='{patient.pk}']")
    flag = row.locator("[data-flag='progressed_12_14_months']")
    assert "progressed within 12–14 months by RECIST" in flag.inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "board-1-worklist.png"), full_page=True)
    row.locator("a.patient-link").click()
    page.wait_for_url(f"{base}/patients/{patient.pk}/")
    page.click("text=Add to the tumour board")
    page.wait_for_url(f"{base}/tumour-board/add/?patient={patient.pk}")
    page.fill("#id_question", "RECIST progression within 12 months: start lenvatinib now?")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/tumour-board/")
    listed = page.locator("#board-open tr[data-entry]")
    assert listed.count() == 1
    assert "start lenvatinib now?" in listed.inner_text() and "Sam Lee" in listed.inner_text()
    page.screenshot(path=str(SHOTS / "board-2-list.png"), full_page=True)
    page.close()

    # The oncologist records the meeting's decision, signed with the password.
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors += watch_for_errors(page)
    login(page, base, "dr.okafor")
    page.goto(f"{base}/tumour-board/")
    page.locator("#board-open tr[data-entry] >> text=Open").click()
    page.check("input[name=outcome][value=start_mki]")
    page.select_option("#id_drug", "lenvatinib")
    page.fill("#id_attendees", "Dr Okafor (oncology), Dr Reyes (surgery), Dr Holt (radiology)")
    page.fill("#id_reason", "RECIST PD within 12 months, asymptomatic; efficacy first (Rec 63)")
    page.fill("#id_password", PASSWORD)
    page.click("text=Sign the decision")
    page.wait_for_selector("#board-decision")
    assert "checks: the record is as signed" in page.inner_text("#signature-check")
    assert "Ada Okafor" in page.inner_text("#board-decision")
    page.screenshot(path=str(SHOTS / "board-3-decision.png"), full_page=True)

    # ... and starts lenvatinib from it, prefilled with the label's starting dose.
    page.click("#start-course")
    assert page.input_value("#id_starting_dose_mg") == "24"
    assert page.input_value("#id_start_date") == timezone.localdate().isoformat()
    assert page.input_value("#id_line_of_therapy") == "1"
    page.screenshot(path=str(SHOTS / "board-4-start.png"), full_page=True)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/patients/{patient.pk}/")
    course = TreatmentCourse.objects.get(patient=patient)
    assert BoardDecision.objects.get().course == course
    assert "Lenvatinib" in page.inner_text(f"#course-{course.pk}")

    # From then on the course's toxicity tracking is as on any course.
    data.log_visit(
        nurse,
        course,
        days_ago=0.01,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    recommendation = Recommendation.objects.get(course=course)
    assert recommendation.action == "withhold"
    page.goto(f"{base}/inbox/")
    assert "Dalton" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "board-5-inbox.png"), full_page=True)
    page.goto(f"{base}/tumour-board/{BoardDecision.objects.get().entry_id}/")
    assert "course started on" in page.inner_text("#decision-course")
    page.screenshot(path=str(SHOTS / "board-6-course-started.png"), full_page=True)
    assert not errors, errors
