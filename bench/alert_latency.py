"""Latency from a commit to the alert email accepted by an SMTP server (not a test).

A real Celery worker process (prefork) consumes from Redis against a throwaway
PostgreSQL database; an aiosmtpd server on loopback accepts the mail. With
`--source visits` (default) the bench logs grade 3 hypertension visits through
toxicity.services.visits.log_visit, each on its own course, so each raises one urgent
alert, routed to the treating oncologist and the nurse team (two emails); the
worker evaluates the visit, raises the alert on commit, and sends both emails.
With `--source alerts` it calls notifications.services.raise_alert directly.

The clock starts when the transaction commits (an on-commit callback registered
before the visit's own) and stops when the SMTP server accepts the message.
Reported per visit: the first email and the last (everybody told). Prints the
median, p95 and max. Goal: median < 2 s.

    python -m bench.alert_latency [--count 100] [--rate 5] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import email
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import policy

from bench._support import REDIS, ROOT, bench_database, free_port, percentile, seed_clinic

DB = "tracker_bench_alerts"
BROKER_DB = 11


class Accepted:
    """aiosmtpd handler: the time each delivery's message was accepted."""

    def __init__(self):
        self.at: dict[int, float] = {}

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.at[int(message["X-Tracker-Delivery"])] = time.time()
        return "250 Message accepted for delivery"


def _worker(env: dict, concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="commits per second")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--source", choices=["visits", "alerts"], default="visits")
    args = parser.parse_args()

    import redis
    from aiosmtpd.controller import Controller

    accepted = Accepted()
    port = free_port()
    smtp = Controller(accepted, hostname="127.0.0.1", port=port)
    smtp.start()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    broker = redis.Redis.from_url(f"{REDIS}/{BROKER_DB}")
    broker.flushdb()
    with bench_database(DB, broker_db=BROKER_DB) as env:
        from django.db import connection, transaction

        from notifications import services as alert_services
        from notifications.models import CourseRouting, Delivery
        from toxicity.services import visits

        nurse, oncologist, _, courses = seed_clinic(args.count + 1)
        for course in courses:
            CourseRouting.objects.create(course=course, treating_oncologist=oncologist)
        worker = _worker({**env, "EMAIL_URL": os.environ["EMAIL_URL"]}, args.concurrency)
        committed: dict[int, float] = {}

        def commit_one(course) -> None:
            with transaction.atomic():
                transaction.on_commit(lambda: committed.__setitem__(course.pk, time.time()))
                if args.source == "visits":
                    visits.log_visit(
                        actor=nurse,
                        course=course,
                        occurred_at=datetime.now(UTC) - timedelta(minutes=5),
                        observations=[
                            {"term": "hypertension", "readings": [[166, 102], [162, 100]]}
                        ],
                        antihypertensive_therapy="optimal",
                    )
                else:
                    alert_services.raise_alert(
                        kind="high_grade",
                        severity="urgent",
                        course=course,
                        about=course,
                        dedupe_key=f"bench:{course.pk}",
                        summary="Hypertension: CTCAE grade 3 at the visit of today.",
                        episode_term="hypertension",
                        grade=3,
                    )

        def wait_for_emails(count: int, timeout: float) -> None:
            deadline = time.monotonic() + timeout
            while len(accepted.at) < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{len(accepted.at)} of {count} emails after {timeout} s")
                time.sleep(0.01)

        try:
            commit_one(courses[0])  # warm-up (worker start, first connections): not measured
            wait_for_emails(2, 90)
            warm = set(accepted.at)
            started = time.monotonic()
            for i, course in enumerate(courses[1:]):
                pause = started + i / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                commit_one(course)
            wait_for_emails(2 * args.count + 2, 120)
            course_of = dict(Delivery.objects.values_list("pk", "alert__course_id"))
        finally:
            connection.close()
            worker.terminate()  # warm shutdown of the main process
            worker.wait(timeout=30)
            smtp.stop()
    broker.flushdb()
    per_course: dict[int, list[float]] = {}
    for delivery_id, at in accepted.at.items():
        if delivery_id not in warm:
            course_id = course_of[delivery_id]
            per_course.setdefault(course_id, []).append(at - committed[course_id])
    first = [min(v) * 1000 for v in per_course.values()]
    last = [max(v) * 1000 for v in per_course.values()]
    print(
        f"source={args.source} n={len(per_course)} rate={args.rate}/s emails={2 * len(per_course)} "
        f"worker=prefork concurrency {args.concurrency}, Redis, PostgreSQL, aiosmtpd"
    )
    for name, ms in (("first email", first), ("last email", last)):
        print(
            f"commit -> {name} accepted: median {statistics.median(ms):.0f} ms, "
            f"p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms  (goal: median < 2000 ms)"
        )


if __name__ == "__main__":
    main()
