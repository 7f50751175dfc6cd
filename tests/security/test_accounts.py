"""A clinician changes or resets their own password; a site administrator unlocks a
colleague's locked sign-in, and the audit says who did it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD
from tests.security.test_login import attempt

pytestmark = pytest.mark.django_db
NEW = "a brand new ward password 42"


def test_a_clinician_changes_their_own_password(client, nurse):
    client.force_login(nurse)
    answer = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert answer.status_code == 302
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)


def test_a_wrong_old_password_changes_nothing(client, nurse):
    client.force_login(nurse)
    answer = client.post(
        "/accounts/password/",
        {"old_password": "not it", "new_password1": NEW, "new_password2": NEW},
    )
    assert answer.status_code == 200
    assert "Please correct the errors below." in answer.content.decode()
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)


def test_a_forgotten_password_is_reset_by_the_emailed_link(client, nurse):
    client.post("/accounts/reset/", {"email": nurse.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{path}", follow=True)
    assert form.status_code == 200
    answer = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert answer.status_code == 302
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)


def test_the_lockout_page_leads_to_the_reset(client, nurse):
    for _ in range(6):
        locked = attempt(client, nurse.username)
    assert 'href="/accounts/reset/"' in locked.content.decode()


def test_a_site_admin_sees_and_unlocks_a_locked_colleague(client, nurse, site_admin):
    for _ in range(5):
        attempt(client, nurse.username)
    assert attempt(client, nurse.username, PASSWORD).status_code == 429
    admin_client = type(client)()
    admin_client.force_login(site_admin)
    page = admin_client.get("/accounts/locked/").content.decode()
    assert nurse.username in page or nurse.get_full_name() in page
    membership = nurse.memberships.get()
    assert admin_client.post(f"/accounts/locked/{membership.pk}/unlock/").status_code == 302
    assert attempt(client, nurse.username, PASSWORD).status_code == 302
    audit = membership.history.latest()
    assert audit.history_user == site_admin
    assert audit.history_change_reason.startswith("Sign-in unlocked")


def test_a_nurse_cannot_unlock_anyone(client, nurse, oncologist):
    for _ in range(5):
        attempt(client, oncologist.username)
    other = type(client)()
    other.force_login(nurse)
    answer = other.post(f"/accounts/locked/{oncologist.memberships.get().pk}/unlock/")
    assert answer.status_code == 403
    assert attempt(client, oncologist.username, PASSWORD).status_code == 429


def test_a_site_admin_cannot_unlock_another_sites_colleague(client, site_admin, outsider):
    for _ in range(5):
        attempt(client, outsider.username)
    admin_client = type(client)()
    admin_client.force_login(site_admin)
    answer = admin_client.post(f"/accounts/locked/{outsider.memberships.get().pk}/unlock/")
    assert answer.status_code == 404
    assert attempt(client, outsider.username, PASSWORD).status_code == 429


def test_failures_for_other_names_from_the_ward_lock_none_of_the_others(client, nurse):
    for number in range(24):
        attempt(client, f"colleague{number % 4}")
    assert attempt(client, nurse.username, PASSWORD).status_code == 302
