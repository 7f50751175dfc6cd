"""Latency from a visit's commit to its stored recommendation (not a test).

A real Celery worker process (prefork, concurrency 1) consumes from Redis and
evaluates against a throwaway PostgreSQL database. The bench logs 200 grade 3
hypertension visits one after another through toxicity.services.visits.log_visit
(each on its own course, so each yields a withhold recommendation) and, for
each, polls the database every millisecond from the commit until the
recommendation is there. Prints the median, p95 and max. Goal: median < 1 s.

    python -m bench.pipeline_latency [--visits 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench._support import REDIS, ROOT, bench_database, percentile, seed_clinic

DB = "tracker_bench_pipeline"
BROKER_DB = 15


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=200)
    args = parser.parse_args()

    import redis

    broker = redis.Redis.from_url(f"{REDIS}/{BROKER_DB}")
    broker.flushdb()
    with bench_database(DB, broker_db=BROKER_DB) as env:
        from django.db import connection

        from toxicity.models import Recommendation
        from toxicity.services import visits

        nurse, _, _, courses = seed_clinic(args.visits)
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
        )
        latencies: list[float] = []
        try:
            # Wait until the worker consumes: the first visit is a warm-up, not measured.
            for i, course in enumerate([courses[0], *courses]):
                visit = visits.log_visit(
                    actor=nurse,
                    course=course,
                    occurred_at=datetime.now(UTC) - timedelta(minutes=5),
                    observations=[{"term": "hypertension", "readings": [[166, 102], [162, 100]]}],
                    antihypertensive_therapy="optimal",
                )
                committed = time.perf_counter()  # log_visit returns after commit + queueing
                deadline = committed + (60 if i == 0 else 10)
                while not Recommendation.objects.filter(visit_id=visit.pk).exists():
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"no recommendation for visit {visit.pk}")
                    time.sleep(0.001)
                if i:
                    latencies.append(time.perf_counter() - committed)
            connection.close()
        finally:
            worker.terminate()  # warm shutdown of the main process
            worker.wait(timeout=30)
    broker.flushdb()
    ms = [x * 1000 for x in latencies]
    print(f"visits={len(ms)} worker=prefork concurrency 1, broker Redis, PostgreSQL")
    print(
        f"commit -> stored recommendation: median {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms  (goal: median < 1000 ms)"
    )


if __name__ == "__main__":
    main()
