"""Visit-create throughput over HTTP: the DRF endpoint vs a bare Django view (not a test).

Starts gunicorn (4 sync workers) on a free loopback port against a throwaway
PostgreSQL database, with the broker pointed at a Redis database so the API
queues each evaluation as in production (no worker consumes it here). Eight
client threads post the same visit (grade 3 hypertension on optimal therapy +
fatigue grade 1) as fast as they can, alternating rounds between
POST /api/v1/visits/ and the bench-only bare view (bench/bare_view.py: same
token auth, same engine validation, same rows), and prints requests per
second and the ratio API / bare. Goal: ratio >= 0.6.

    python -m bench.visit_api [--clients 8] [--seconds 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from bench._support import REDIS, ROOT, bench_database, free_port, seed_clinic, wait_for_port

DB = "tracker_bench_visit_api"
BROKER_DB = 14


def visit_body(course_id: int) -> bytes:
    return json.dumps(
        {
            "course": course_id,
            "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "antihypertensive_therapy": "optimal",
            "observations": [
                {"term": "hypertension", "readings": [[166, 102], [162, 100]]},
                {"term": "fatigue", "grade": 1},
            ],
        }
    ).encode()


def hammer(port: int, path: str, token: str, courses: list[int], seconds: float) -> tuple:
    """`len(courses)` clients post for `seconds`; returns (requests, errors, elapsed)."""
    counts = [0] * len(courses)
    errors = [0] * len(courses)
    stop = time.monotonic() + seconds
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}

    def client(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = visit_body(courses[i])
        while time.monotonic() < stop:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 201:
                counts[i] += 1
            else:
                errors[i] += 1
                if errors[i] == 1:
                    print(f"  {path}: HTTP {response.status}", file=sys.stderr)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(courses))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), sum(errors), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    import redis

    broker = redis.Redis.from_url(f"{REDIS}/{BROKER_DB}")
    broker.flushdb()
    with bench_database(DB, broker_db=BROKER_DB) as env:
        _, _, token, courses = seed_clinic(args.clients)
        course_ids = [c.pk for c in courses]
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        )
        try:
            wait_for_port(port)
            paths = {"api": "/api/v1/visits/", "bare": "/bench/bare-visits/"}
            for path in paths.values():  # warm-up: imports, connections, caches
                hammer(port, path, token, course_ids, 2)
            totals = {"api": [0, 0, 0.0], "bare": [0, 0, 0.0]}
            for round_no in range(1, args.rounds + 1):
                for name, path in paths.items():
                    n, errs, elapsed = hammer(port, path, token, course_ids, args.seconds)
                    totals[name][0] += n
                    totals[name][1] += errs
                    totals[name][2] += elapsed
                    print(f"round {round_no} {name:4}: {n / elapsed:7.1f} visits/s ({errs} errors)")
        finally:
            server.terminate()
            server.wait(timeout=30)
    broker.flushdb()
    rate = {name: t[0] / t[2] for name, t in totals.items()}
    print(f"clients={args.clients} gunicorn sync workers={args.workers} cores={os.cpu_count()}")
    print(f"API  POST /api/v1/visits/   {rate['api']:7.1f} visits/s")
    print(f"bare Django view            {rate['bare']:7.1f} visits/s")
    print(f"ratio API / bare            {rate['api'] / rate['bare']:.2f}  (goal >= 0.6)")
    if totals["api"][1] or totals["bare"][1]:
        print(f"errors: api={totals['api'][1]} bare={totals['bare'][1]}")


if __name__ == "__main__":
    main()
