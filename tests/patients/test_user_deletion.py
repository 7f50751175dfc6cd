"""Someone who acted on clinical data is deactivated, never deleted: the audit keeps
who made each change."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from patients import services
from patients.models import Role
from tests.factories import PatientFactory, member

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a long admin password")


@pytest.fixture
def edited_patient(site, nurse):
    patient = PatientFactory(site=site)
    services.update_patient(actor=nurse, patient=patient, reason="Typo", given_name="Ann")
    return patient


def test_the_admin_offers_no_delete_for_someone_who_changed_a_record(
    client, superuser, nurse, edited_patient
):
    client.force_login(superuser)
    answer = client.post(f"/admin/auth/user/{nurse.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 403
    assert User.objects.filter(pk=nurse.pk).exists()
    assert edited_patient.history.latest().history_user_id == nurse.pk


def test_bulk_delete_is_not_offered_for_users(client, superuser, nurse, edited_patient):
    client.force_login(superuser)
    answer = client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [nurse.pk], "post": "yes"},
    )
    assert answer.status_code in (200, 302)
    assert User.objects.filter(pk=nurse.pk).exists()
    assert edited_patient.history.latest().history_user == nurse


def test_deactivating_keeps_the_audit_trail(client, superuser, nurse, edited_patient):
    client.force_login(superuser)
    client.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [nurse.pk]})
    nurse.refresh_from_db()
    assert nurse.is_active is False
    assert edited_patient.history.latest().history_user == nurse


def test_someone_who_never_acted_can_still_be_deleted(client, superuser, site):
    newcomer = member(site, Role.NURSE, username="newcomer")
    client.force_login(superuser)
    answer = client.post(f"/admin/auth/user/{newcomer.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not User.objects.filter(pk=newcomer.pk).exists()
