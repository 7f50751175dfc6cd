"""The printable record of a patient's signed decisions.

Each signed decision with the signer's printed name, the time in UTC, the meaning
of the signature and its SHA-256, recomputed on every view: a row changed after
signing shows as not matching. Corrections follow the decision they correct.
A course on hold now comes first with its plan: since when, for which terms, the
resume criterion and the resume dose.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from patients.access import access_patient
from toxicity import selectors
from tracker.selectors import term_name


@login_required
@require_safe
def signed_record(request, patient_id: int):
    patient = access_patient(request.user, patient_id)
    courses = {c.pk: c for c in patient.courses.all()}
    plans = [
        {
            "plan": plan,
            "course_label": courses[course_id].get_drug_display(),
            "terms": [term_name(t) for t in plan.terms],
        }
        for course_id, plan in sorted(selectors.hold_plans(courses).items())
    ]
    return render(
        request,
        "tracker/record.html",
        {
            "patient": patient,
            "decisions": selectors.signed_decisions(patient),
            "hold_plans": plans,
            "printed_at": timezone.now(),
        },
    )
