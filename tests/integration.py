"""What the integration tests share: real PostgreSQL and Redis, or a clear failure.

They are the proof that the pipeline survives lost workers, broker outages and
races; a skipped proof proves nothing, so a missing service fails the test and
names itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import kombu.pools
import pytest
import redis
from celery import Celery
from django.db import connection

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_postgres_and_redis(redis_db: int = 0) -> None:
    if connection.vendor != "postgresql":
        pytest.fail(
            "Integration tests need PostgreSQL: run them with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker (got "
            f"{connection.vendor}).",
            pytrace=False,
        )
    try:
        redis.Redis.from_url(f"{REDIS}/{redis_db}", socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Integration tests need Redis at {REDIS}: {error}", pytrace=False)


@contextmanager
def worker_connections_ended() -> Iterator[None]:
    """Worker threads and processes keep their database connections
    (CELERY_DB_REUSE_MAX): end the ones opened inside the block, so the test database
    can be flushed and dropped. Only those: a connection opened before it (a browser
    test's, kept by the server it drove) must stay usable for the tests after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (started,) = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_start >= %s",
            [connection.settings_dict["NAME"], started],
        )


@contextmanager
def celery_on_broker(url: str) -> Iterator[Celery]:
    """Points the Celery app at a real broker for the block (the suite otherwise runs
    eager), then back. Even an eager task takes a producer from the pools, and kombu
    keeps its pools per connection in a registry of its own: both are dropped on the
    way in and out, or the pages served after the block (a browser test's live
    server, in this process) would queue their tasks on a closed pool."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _drop_pools(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _drop_pools(app)


def _drop_pools(app: Celery) -> None:
    kombu.pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


ROOT = Path(__file__).resolve().parents[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.", pytrace=False)


def worker_process(redis_db: int, env_extra: dict, *, concurrency: int = 1) -> subprocess.Popen:
    """A real Celery worker in its own process group, on the test database and
    Redis database ``redis_db``, consuming every queue (the clinic's and the reports')."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": f"{REDIS}/{redis_db}",
        **env_extra,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
    )


def kill_worker(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=10)


def transaction_in_progress() -> bool:
    """True while another connection to the test database is inside a transaction
    (a worker paused by a test-only delay before its commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0] > 0
