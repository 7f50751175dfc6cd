"""No lost updates: an edit names the revision (visits) or version (patients) it was
made on; a colleague's change in between answers 409 with who changed what, and
nothing of the late edit is stored."""

from __future__ import annotations

import pytest

from tests.toxicity.conftest import NORMAL_BP, at, hypertension
from toxicity.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(nurse, course, log):
    return log(nurse, course, at(20), [hypertension(NORMAL_BP)])


def patch_visit(client, visit, revision, note):
    return client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"reason": f"Note: {note}", "note": note, "revision": revision},
        format="json",
    )


def test_a_visit_edit_on_an_older_revision_is_refused_with_what_changed(
    api, nurse, oncologist, visit
):
    first = patch_visit(api(nurse), visit, 1, "Headache since Monday")
    assert first.status_code == 200
    late = patch_visit(api(oncologist), visit, 1, "Dizzy on standing")
    assert late.status_code == 409
    message = late.json()["errors"]["revision"]
    assert "your revision 1, now 2" in message
    assert "Note: Headache since Monday" in message  # why the colleague changed it
    assert "note" in message  # and which field
    visit.refresh_from_db()
    assert (visit.note, visit.revision) == ("Headache since Monday", 2)


def test_an_edit_on_the_current_revision_goes_through(api, nurse, visit):
    patch_visit(api(nurse), visit, 1, "First")
    assert patch_visit(api(nurse), visit, 2, "Second").status_code == 200
    assert Visit.objects.get(pk=visit.pk).note == "Second"


def test_a_visit_edit_without_its_revision_is_refused(api, nurse, visit):
    answer = api(nurse).patch(
        f"/api/v1/visits/{visit.pk}/", {"reason": "x", "note": "y"}, format="json"
    )
    assert answer.status_code == 400
    assert "revision" in answer.json()["errors"]
    assert Visit.objects.get(pk=visit.pk).note == ""


def test_ten_conflicting_visit_edits_lose_nothing_silently(api, nurse, oncologist, visit):
    saved, refused = 0, 0
    for attempt in range(10):
        current = Visit.objects.get(pk=visit.pk).revision
        # Both read the same revision; the second one to write is told.
        for who in (nurse, oncologist):
            answer = patch_visit(api(who), visit, current, f"{who.username} {attempt}")
            saved += answer.status_code == 200
            refused += answer.status_code == 409
    assert (saved, refused) == (10, 10)


def test_a_patient_edit_on_an_older_version_is_refused_with_what_changed(
    api, nurse, oncologist, patient
):
    url = f"/api/v1/patients/{patient.pk}/"
    first = api(nurse).patch(
        url, {"given_name": "Anna", "reason": "Spelling", "version": 1}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    late = api(oncologist).patch(
        url, {"family_name": "Other", "reason": "Married name", "version": 1}, format="json"
    )
    assert late.status_code == 409
    assert "given name" in late.json()["errors"]["version"]
    patient.refresh_from_db()
    assert (patient.given_name, patient.family_name, patient.version) == (
        "Anna",
        "Testpatient",
        2,
    )


def test_a_patient_edit_without_its_version_is_refused(api, nurse, patient):
    answer = api(nurse).patch(
        f"/api/v1/patients/{patient.pk}/", {"given_name": "X", "reason": "y"}, format="json"
    )
    assert answer.status_code == 400
    assert "version" in answer.json()["errors"]
