"""The hot queries of the network, with PostgreSQL's plans (not a test).

On the network database (bench/network.py, kept between runs), an oncologist of
all 40 sites opens the worklist, the patient list and the cohort; a worker
evaluates one chunk of an impact report. Every query each of them issues is
captured, run again under ``EXPLAIN (ANALYZE, BUFFERS)``, and the slowest ones are
printed with the plan's scan lines (which index, or a sequential scan), as
Markdown for docs/operations.md.

Run from the repository root: ``python -m bench.explain`` (PostgreSQL on
127.0.0.1:5432 or BENCH_PG).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/explain.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import BASE_ENV, PG, ROOT
from bench.network import DEFAULT_DATABASE, NetworkSpec

BENCH_USER = "bench-network-oncologist"
PAGES = (
    ("worklist", "tracker:home"),
    ("patient list", "tracker:patients"),
    ("cohort", "tracker:cohort"),
)
SCAN = re.compile(r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan|Bitmap Heap Scan)[^(]*")


def _setup(database: str) -> None:
    os.environ.update({**BASE_ENV, "DATABASE_URL": f"{PG}/{database}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _oncologist():
    from django.contrib.auth import get_user_model

    from patients.models import Role, Site, SiteMembership

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    for site in Site.objects.all():
        SiteMembership.objects.get_or_create(
            user=user, site=site, defaults={"role": Role.ONCOLOGIST}
        )
    return user


def _remove_own_rows() -> None:
    """The network stays as built: its marker counts every generated table's rows."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from patients.models import SiteMembership

    user = get_user_model().objects.filter(username=BENCH_USER).first()
    if user is not None:
        SiteMembership.objects.filter(user=user).delete()
        user.delete()
    Session.objects.all().delete()


def _captured(action) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    return [q["sql"] for q in queries.captured_queries]


def _explain(sql: str) -> tuple[float, list[str]]:
    """(execution ms, the plan's scan lines) of one captured query."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = [row[0] for row in cursor.fetchall()]
    ms = next(float(line.split()[2]) for line in plan if line.startswith("Execution Time"))
    scans = [m.group(0).strip() for line in plan if (m := SCAN.search(line))]
    return ms, scans


def _report(title: str, statements: list[str], top: int) -> None:
    explained = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue  # the session's own writes
        explained.append((*_explain(sql), sql))
    explained.sort(key=lambda e: -e[0])
    total = sum(ms for ms, _scans, _sql in explained)
    print(f"\n### {title}: {len(explained)} queries, {total:.1f} ms in PostgreSQL\n")
    for ms, scans, sql in explained[:top]:
        print(f"- {ms:.1f} ms: `{_short(sql)}`")
        for scan in dict.fromkeys(scans):
            print(f"  - {scan}")


def _short(sql: str, width: int = 160) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def _impact_chunk() -> list[str]:
    from django.db.models import Count
    from django.utils import timezone

    from patients.models import Site
    from toxicity.models import ImpactChunk, ImpactReport, Visit
    from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, policy_snapshot
    from toxicity.services import impact

    report = ImpactReport(
        pk=0,
        requested_at=timezone.now(),
        site_ids=list(Site.objects.values_list("pk", flat=True)),
        candidate={"row_changes": [], "policy": {}, "label": None},
        engine_version=ENGINE_VERSION,
        current_policy=policy_snapshot(DEFAULT_POLICY),
        candidate_policy=policy_snapshot(DEFAULT_POLICY),
    )
    first = Visit.objects.order_by("course_id").values_list("course_id", flat=True).first()
    courses = list(
        Visit.objects.filter(course_id__gte=first)
        .values("course_id")
        .annotate(n=Count("id"))
        .order_by("course_id")
        .values_list("course_id", "n")[:60]
    )
    last, visits = courses[0][0], 0
    for course_id, n in courses:
        last, visits = course_id, visits + n
        if visits >= 4000:
            break
    chunk = ImpactChunk(index=0, first_course_id=first, last_course_id=last, planned_visits=visits)
    return _captured(lambda: impact.evaluate_chunk(report, chunk))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args(argv)
    spec = NetworkSpec()
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "bench.network",
            f"--patients={spec.patients}",
            f"--sites={spec.sites}",
            f"--visits={spec.visits}",
            f"--seed={spec.seed}",
            "--database",
            args.database,
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _setup(args.database)
    from django.test import Client
    from django.urls import reverse

    try:
        client = Client()
        client.force_login(_oncologist())
        for title, name in PAGES:
            url = reverse(name)
            client.get(url)  # warm: the first request compiles templates
            _report(f"{title} ({url})", _captured(lambda url=url: client.get(url)), args.top)
        _report("impact report, one chunk of about 4,000 visits", _impact_chunk(), args.top)
    finally:
        _remove_own_rows()


if __name__ == "__main__":
    main()
