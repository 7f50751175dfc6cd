"""Benchmark of the rule-set impact report on the network harness (not a test).

On the network database (bench/network.py: 10,000 patients over 40 sites, a million
visits, kept between runs), a pharmacist of every site asks what the candidate
would change over every visit. Real Celery workers on PostgreSQL and Redis evaluate
it, first with 1 worker process and then with 2 (``--processes``). For each run:

- wall time from the request to the report's end (planning, every chunk, the sum),
- visits re-evaluated per second (each visit is evaluated twice: the rules in force
  and the candidate),
- the speed-up from 1 process to the others, the ratio of the same run's figures.

The candidate holds a grade 3 blood pressure before optimal therapy
(lenvatinib, US PI) and reads a single reading as a final grade (a policy setting,
every drug): every visit is evaluated under both rule sets in full either way.

Run from the repository root: ``python -m bench.impact`` (PostgreSQL on
127.0.0.1:5432 or BENCH_PG, Redis on 127.0.0.1:6379 or BENCH_REDIS).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

if __package__ in (None, ""):  # `python bench/impact.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import BASE_ENV, PG, REDIS, ROOT
from bench.network import DEFAULT_DATABASE, NetworkSpec

BROKER_DB = 9
BENCH_USER = "bench-network-pharmacist"
CANDIDATE = {
    "row_changes": [
        {
            "rule_id": "lenvatinib.us_pi.hypertension.grade3_without_optimal_therapy",
            "field": "action",
            "value": "withhold",
        }
    ],
    "policy": {"single_bp_reading_provisional": False},
}


def _environment(database: str) -> dict[str, str]:
    return {
        **BASE_ENV,
        "DATABASE_URL": f"{PG}/{database}",
        "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
    }


def _setup(database: str):
    os.environ.update(_environment(database))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery import app

    # The chunks must go to the workers: this process only asks and waits.
    assert not app.conf.task_always_eager, "no broker: the report would run in this process"


def _network_pharmacist():
    """A pharmacist of every site of the network (the benchmark's own account)."""
    from django.contrib.auth import get_user_model

    from patients.models import Role, Site, SiteMembership

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER,
        defaults={"first_name": "Bench", "last_name": "Pharmacist"},
    )
    for site in Site.objects.all():
        SiteMembership.objects.get_or_create(
            user=user, site=site, defaults={"role": Role.PHARMACIST}
        )
    return user


def _remove_own_rows() -> None:
    """The network stays as built (its marker counts every table's rows): the reports,
    the account and its memberships this benchmark made are removed."""
    from django.contrib.auth import get_user_model

    from patients.models import SiteMembership
    from toxicity.models import ImpactReport

    user = get_user_model().objects.filter(username=BENCH_USER).first()
    if user is None:
        return
    ImpactReport.objects.filter(requested_by=user).delete()
    SiteMembership.objects.filter(user=user).delete()
    user.delete()


def _worker(database: str, processes: int, chunk_visits: int) -> subprocess.Popen:
    env = {**os.environ, **_environment(database), "IMPACT_CHUNK_VISITS": str(chunk_visits)}
    return subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={processes}",
            "-Q",
            "impact",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _run(database: str, processes: int, chunk_visits: int, timeout: float) -> dict:
    import redis

    from patients.models import Site
    from toxicity.models import ImpactReport, ImpactStatus
    from toxicity.services import impact_requests

    redis.Redis.from_url(f"{REDIS}/{BROKER_DB}").flushdb()
    pharmacist = _network_pharmacist()
    worker = _worker(database, processes, chunk_visits)
    try:
        time.sleep(3)  # the worker's processes are up before the clock starts
        started = time.perf_counter()
        report = impact_requests.request_report(
            actor=pharmacist,
            reason=f"Benchmark, {processes} worker processes",
            candidate=CANDIDATE,
            site_ids=list(Site.objects.values_list("pk", flat=True)),
        )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            report.refresh_from_db()
            if not report.is_running:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        _stop(worker)
    if report.status != ImpactStatus.DONE:
        raise SystemExit(f"The report ended {report.status} ({report.failure or 'timed out'}).")
    ImpactReport.objects.filter(pk=report.pk).update(
        reason=f"Benchmark, {processes} processes, {wall:.1f} s"
    )
    return {
        "processes": processes,
        "report": report.pk,
        "chunks": report.chunk_count,
        "visits_in_scope": report.visits_in_scope,
        "visits_evaluated": report.visits_evaluated,
        "visits_not_evaluable": report.visits_not_evaluable,
        "visits_changed": report.visits_changed,
        "patients_changed": report.patients_changed,
        "wall_seconds": round(wall, 1),
        "visits_per_second": round(report.visits_in_scope / wall),
    }


def _spec_arguments(spec: NetworkSpec) -> list[str]:
    return [
        f"--patients={spec.patients}",
        f"--sites={spec.sites}",
        f"--visits={spec.visits}",
        f"--seed={spec.seed}",
    ]


def main(argv: list[str] | None = None) -> None:
    defaults = NetworkSpec()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=defaults.patients)
    parser.add_argument("--sites", type=int, default=defaults.sites)
    parser.add_argument("--visits", type=int, default=defaults.visits)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-visits", type=int, default=4000)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    spec = NetworkSpec(args.patients, args.sites, args.visits, args.seed)
    # Built (or found) in a process of its own: this one then sets Django up with the broker.
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "bench.network",
            *_spec_arguments(spec),
            "--database",
            args.database,
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    database = args.database
    _setup(database)
    try:
        runs = [_run(database, n, args.chunk_visits, args.timeout) for n in args.processes]
    finally:
        _remove_own_rows()
    first = runs[0]["wall_seconds"]
    for run in runs:
        run["speed_up"] = round(first / run["wall_seconds"], 2)
    print(json.dumps({"database": database, "spec": spec.as_dict(), "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
