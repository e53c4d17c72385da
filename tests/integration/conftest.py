"""Integration tests: a real PostgreSQL, a real Redis broker and a real Celery worker.

Every test here is marked `services` and needs `DATABASE_URL` (PostgreSQL) and `REDIS_URL`.
Without them a test is skipped locally, but fails under `CI=true`: a silently skipped test in CI
is a defect.

The tests and the worker share one Redis database, `TEST_REDIS_DB` (default 13) of the server in
`REDIS_URL`, emptied at the start and end of the session and around every test. The worker is
given `DATABASE_URL` pointing at pytest-django's test database, and the tests use
`transactional_db`, so the worker sees what the tests commit.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.integration.worker import CeleryWorker

INTEGRATION_DIR = Path(__file__).resolve().parent
DEFAULT_TEST_REDIS_DB = 13
WORKERS_KEY = pytest.StashKey[list[CeleryWorker]]()


# --- services or nothing ------------------------------------------------------------------


def services_missing() -> str | None:
    """Why the services tests cannot run here, or None when they can."""
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        return (
            f"needs {' and '.join(missing)} (a real PostgreSQL and Redis; "
            "see .ci/run for the variables)"
        )
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "needs DATABASE_URL to point at PostgreSQL"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if item.path.is_relative_to(INTEGRATION_DIR) and item.get_closest_marker("services") is None
    ]
    if unmarked:
        # Without the marker the SQLite run of CI (`-m "not services"`) would pick them up.
        raise pytest.UsageError(
            f"Tests in tests/integration must be marked services: {', '.join(unmarked)}"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("services") is None:
        return
    reason = services_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI must run the services tests, but this one {reason}.", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.failed:
        for worker in item.stash.get(WORKERS_KEY, []):
            report.sections.append((f"celery worker {worker.nodename}", worker.log_text()))
    return report


# --- Redis and the Celery app -------------------------------------------------------------


def redis_url_with_db(url: str, db: int) -> str:
    return urlsplit(url)._replace(path=f"/{db}").geturl()


def broker_use(url: str) -> None:
    """Point the tests' Celery app at another broker.

    The app keeps its connection and producer pools once made, and Celery offers no public way
    to drop them, so they are reset here, as Celery itself does after a fork.
    """
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def test_redis_url() -> Iterator[str]:
    db = int(os.environ.get("TEST_REDIS_DB") or DEFAULT_TEST_REDIS_DB)
    url = redis_url_with_db(os.environ["REDIS_URL"], db)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def test_redis(test_redis_url: str) -> Iterator[redis.Redis]:
    """The test Redis database, empty at the start and the end of the test."""
    client = redis.Redis.from_url(test_redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True)
def celery_on_test_redis(
    test_redis: redis.Redis, test_redis_url: str, settings: Any
) -> Iterator[str]:
    """Tasks go to the test Redis database, never run eagerly in the test process; this
    process's cache is that database too, as the worker's is (`start_worker`), so what the
    worker writes there (an import's progress) is what the test reads. Without this the two
    agree only when `REDIS_URL` already names `TEST_REDIS_DB`."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": test_redis_url}}
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.task_always_eager = False
    broker_use(test_redis_url)
    yield test_redis_url
    celery_app.conf.task_always_eager = saved["task_always_eager"]
    broker_use(saved["broker_url"])


# --- the test database and the worker -----------------------------------------------------


def test_database_url() -> str:
    """`DATABASE_URL` with the database name replaced by pytest-django's test database."""
    name = connection.settings_dict["NAME"]
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{quote(name)}").geturl()


@pytest.fixture
def start_worker(
    request: pytest.FixtureRequest,
    transactional_db: None,
    celery_on_test_redis: str,
    tmp_path: Path,
) -> Iterator[Callable[..., CeleryWorker]]:
    """`start_worker(pool="prefork", concurrency=2, visibility_timeout=None)`: a running worker.

    Every worker started is killed at the end of the test, with its pool children.
    """
    workers: list[CeleryWorker] = []
    request.node.stash[WORKERS_KEY] = workers

    def start(
        *, pool: str = "prefork", concurrency: int = 2, visibility_timeout: int | None = None
    ) -> CeleryWorker:
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": celery_on_test_redis,
            "PYTHONUNBUFFERED": "1",
        }
        if visibility_timeout is not None:
            env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
            # Settings refuse a visibility timeout at or below the task time limit.
            env["CELERY_TASK_TIME_LIMIT"] = str(visibility_timeout - 1)
            env["CELERY_TASK_SOFT_TIME_LIMIT"] = str(visibility_timeout - 2)
        name = f"integration-{len(workers) + 1}-{uuid.uuid4().hex[:6]}"
        worker = CeleryWorker(
            nodename=f"{name}@localhost",
            env=env,
            log_path=tmp_path / f"{name}.log",
            pool=pool,
            concurrency=concurrency,
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture
def other_session(transactional_db: None) -> Iterator[psycopg.Connection]:
    """A psycopg connection of its own to the test database, to hold locks as another person's
    session would. Rolled back and closed at the end, so no lock outlives the test."""
    conn = psycopg.connect(test_database_url())
    yield conn
    conn.rollback()
    conn.close()
