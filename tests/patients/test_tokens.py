"""API tokens: named, expiring, stored only as a SHA-256, shown once when made."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

import patients.migrations
from patients.models import ApiToken
from patients.tokens import create_token, digest_of, revoke_token

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_new_token_signs_in_and_only_its_digest_is_stored(nurse, patient):
    made = create_token(user=nurse, name="ward tablet")
    assert client_with(made.token).get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    stored = ApiToken.objects.values().get()
    assert made.token not in json.dumps(stored, default=str)
    assert stored["digest"] == digest_of(made.token)
    assert stored["name"] == "ward tablet"


@time_machine.travel(NOW, tick=False)
def test_a_token_stops_working_when_it_expires(nurse, patient, settings):
    made = create_token(user=nurse, name="sync", days=30)
    assert made.record.expires_at == NOW + timedelta(days=30)
    url = f"/api/v1/patients/{patient.pk}/"
    with time_machine.travel(NOW + timedelta(days=30, seconds=-1), tick=False):
        assert client_with(made.token).get(url).status_code == 200
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = client_with(made.token).get(url)
    assert response.status_code == 401
    assert response.json() == {"errors": {"detail": "Invalid or expired token."}}


def test_a_revoked_token_stops_working(nurse, patient):
    made = create_token(user=nurse, name="sync")
    revoke_token(made.record)
    assert client_with(made.token).get(f"/api/v1/patients/{patient.pk}/").status_code == 401


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", None, "name"), ("x" * 121, None, "name"), ("sync", 0, "days"), ("sync", 366, "days")],
)
def test_a_token_needs_a_name_and_a_bounded_lifetime(nurse, name, days, field):
    with pytest.raises(ValidationError) as refused:
        create_token(user=nurse, name=name, days=days)
    assert field in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_two_tokens_of_one_user_have_different_names(nurse):
    create_token(user=nurse, name="sync")
    with pytest.raises(ValidationError) as refused:
        create_token(user=nurse, name="sync")
    assert "name" in refused.value.message_dict
    assert ApiToken.objects.count() == 1


def test_the_command_prints_the_token_once(nurse, patient):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "nurse", "--name", "lab feed", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert client_with(token).get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    assert "shown only this once" in err.getvalue()
    assert token not in err.getvalue()


def test_the_command_refuses_an_unknown_user_with_a_json_error(db):
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("create_api_token", "nobody", "--name", "x", stderr=err)
    assert exited.value.code == 2
    assert "username" in json.loads(err.getvalue())["errors"]
    assert not ApiToken.objects.exists()


def test_the_admin_lists_tokens_without_the_token(client, nurse):
    made = create_token(user=nurse, name="ward tablet")
    superuser = get_user_model().objects.create_superuser("operator", "op@example.org", "pw 1")
    client.force_login(superuser)
    page = client.get("/admin/patients/apitoken/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ward tablet" in html and made.record.prefix in html
    assert made.token not in html
    assert client.get("/admin/patients/apitoken/add/").status_code == 403


@pytest.mark.django_db(transaction=True)  # SQLite runs schema changes outside a transaction
def test_existing_plain_tokens_are_hashed_and_the_plain_table_dropped(nurse, patient):
    """What the migration does on a database that still has DRF's token table."""
    plain = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id int)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s)", [plain, nurse.pk])
    (path,) = Path(patients.migrations.__file__).parent.glob("*_hash_existing_drf_tokens.py")
    migration = importlib.import_module(f"patients.migrations.{path.stem}")
    with connection.schema_editor() as editor:
        migration.hash_plain_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert ApiToken.objects.get().name == "token from before hashing"
    assert client_with(plain).get(f"/api/v1/patients/{patient.pk}/").status_code == 200
