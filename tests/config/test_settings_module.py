"""The settings module itself refuses to start without what production needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "k" * 20 + "-production-like-secret-value-with-enough-entropy-9f8e7d6c",
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "1",
    "ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "sqlite:///var/check-deploy.sqlite3",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_a_secret_key_production_settings_refuse_to_load():
    result = run_manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_bad_database_url_stops_start_up_with_its_name():
    result = run_manage("check", env={**PRODUCTION, "DATABASE_URL": "mongodb://x/y"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_the_deployment_check_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_role_in_the_exchange_roles_stops_start_up_with_its_name():
    result = run_manage("check", env={**PRODUCTION, "INTEROP_ROLES": "oncologist,doctor"})
    assert result.returncode != 0
    assert "INTEROP_ROLES names unknown roles doctor" in result.stderr
