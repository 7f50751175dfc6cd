"""The clinicians' pages. Views stay thin: access, selectors, template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from patients import selectors
from patients.access import access_patient, site_roles
from patients.models import Site


@login_required
def home(request):
    """The user's sites' patients with each course's current dose, derived from the ledger."""
    patients = list(selectors.patients_visible_to(request.user).order_by("family_name", "id"))
    courses = selectors.with_ledger(
        selectors.courses_visible_to(request.user).filter(patient__in=patients)
    )
    latest_course: dict[int, object] = {}
    for course in courses:
        course.state = selectors.dose_state(course)
        current = latest_course.get(course.patient_id)
        if current is None or course.start_date > current.start_date:
            latest_course[course.patient_id] = course
    rows = [(patient, latest_course.get(patient.pk)) for patient in patients]
    sites = Site.objects.filter(pk__in=list(site_roles(request.user))).order_by("name")
    return render(request, "tracker/home.html", {"rows": rows, "sites": sites})


@login_required
def patient_detail(request, patient_id: int):
    patient = access_patient(request.user, patient_id)
    courses = list(selectors.with_ledger(patient.courses.all()))
    for course in courses:
        course.state = selectors.dose_state(course)
    return render(
        request,
        "tracker/patient.html",
        {
            "patient": patient,
            "courses": courses,
            "findings": patient.molecular_findings.all(),
            "role": site_roles(request.user).get(patient.site_id),
        },
    )
