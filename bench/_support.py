"""Shared by the visit and pipeline benchmarks: a throwaway PostgreSQL database,
Django set up against it, and a seeded clinic. Bench-only; never imported by the app."""

from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
BASE_ENV = {
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DJANGO_DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "LOG_LEVEL": "WARNING",
}


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def bench_database(name: str, *, broker_db: int | None = None):
    """Creates database `name`, sets up Django on it (migrated), drops it at the end."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    env = {**BASE_ENV, "DATABASE_URL": f"{PG}/{name}"}
    if broker_db is not None:
        env["CELERY_BROKER_URL"] = f"{REDIS}/{broker_db}"
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    try:
        yield env
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_clinic(courses: int):
    """A site, a nurse (with an API token), an oncologist and `courses` lenvatinib courses."""
    from patients import services as patient_services
    from patients.models import Role
    from tests.factories import PatientFactory, SiteFactory, api_token, member

    site = SiteFactory()
    nurse = member(site, Role.NURSE, username="bench-nurse")
    oncologist = member(site, Role.ONCOLOGIST, username="bench-oncologist")
    token = api_token(nurse)
    made = [
        patient_services.start_course(
            actor=oncologist,
            patient=PatientFactory(site=site),
            drug="lenvatinib",
            start_date=date.today() - timedelta(days=30),
            starting_dose_mg=24,
        )
        for _ in range(courses)
    ]
    return nurse, oncologist, token, made


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
