"""config/settings.py: the embedded default with nothing set, services from the environment, and
a loud failure on bad values. Each case starts Django in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "EMBEDDED_DATABASE",
    "EMBEDDED_TASKS",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_VISIBILITY_TIMEOUT",
]
REPORT = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
print(json.dumps({
    "time_limits": [app.conf.task_soft_time_limit, app.conf.task_time_limit],
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
}))
"""


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env: str) -> dict[str, object]:
    result = start_django(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_off_without_a_secret_key_refuses_to_start_naming_it():
    result = start_django(DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_off_with_a_secret_key_and_both_services_starts():
    report = settings_with(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key",
        DATABASE_URL="postgres://tracker:secret@db.internal:5432/tracker",
        REDIS_URL="redis://cache.internal:6379/0",
    )

    assert report["debug"] is False


def test_without_database_url_the_embedded_sqlite_database_is_used():
    assert settings_with()["engine"] == "django.db.backends.sqlite3"


def test_a_postgres_database_url_selects_postgresql():
    report = settings_with(DATABASE_URL="postgres://tracker:secret@db.internal:5432/tracker")

    assert report["engine"] == "django.db.backends.postgresql"


def test_without_redis_url_tasks_run_eagerly_with_a_local_memory_cache():
    report = settings_with()

    assert report["eager"] is True
    assert report["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_url_the_cache_and_broker_use_redis_and_tasks_are_queued():
    report = settings_with(REDIS_URL="redis://cache.internal:6379/0")

    assert report["eager"] is False
    assert report["cache"] == "config.cache.OutageTolerantRedisCache"
    assert report["broker"] == "redis://cache.internal:6379/0"


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_debug_value_that_is_not_true_or_false_fails_with_a_clear_message(value):
    result = start_django(DEBUG=value)

    assert result.returncode != 0
    assert f"DEBUG must be true or false, not {value!r}" in result.stderr


def test_a_redis_url_with_another_scheme_fails_with_a_clear_message():
    result = start_django(REDIS_URL="http://cache.internal:6379/0")

    assert result.returncode != 0
    assert "REDIS_URL must start with redis://" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key",
    "DATABASE_URL": "postgres://tracker:secret@db.internal:5432/tracker",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def production_without(name: str, **env: str) -> dict[str, str]:
    return {key: value for key, value in {**PRODUCTION, **env}.items() if key != name}


@pytest.mark.parametrize(
    ("missing", "flag"), [("DATABASE_URL", "EMBEDDED_DATABASE"), ("REDIS_URL", "EMBEDDED_TASKS")]
)
def test_debug_off_without_a_service_url_refuses_to_start_naming_it(missing, flag):
    result = start_django(**production_without(missing))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} is not set" in result.stderr
    assert f"{flag}=true" in result.stderr


def test_debug_off_an_empty_database_url_counts_as_missing():
    result = start_django(**production_without("DATABASE_URL", DATABASE_URL=" "))

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_debug_off_the_operator_may_ask_for_the_embedded_database_and_tasks():
    env = production_without("DATABASE_URL", EMBEDDED_DATABASE="true")
    env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    report = settings_with(**env, EMBEDDED_TASKS="true")

    assert report["engine"] == "django.db.backends.sqlite3"
    assert report["eager"] is True


def test_the_task_time_limits_come_from_the_environment():
    report = settings_with(CELERY_TASK_TIME_LIMIT="120", CELERY_TASK_SOFT_TIME_LIMIT="100")

    assert report["time_limits"] == [100, 120]


@pytest.mark.parametrize(("soft", "hard"), [("600", "600"), ("700", "600"), ("0", "600")])
def test_a_soft_time_limit_not_below_the_hard_one_fails_with_a_clear_message(soft, hard):
    result = start_django(CELERY_TASK_SOFT_TIME_LIMIT=soft, CELERY_TASK_TIME_LIMIT=hard)

    assert result.returncode != 0
    assert "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT" in (
        result.stderr
    )


def test_a_visibility_timeout_within_the_task_time_limit_fails_with_a_clear_message():
    result = start_django(CELERY_TASK_TIME_LIMIT="1200", CELERY_VISIBILITY_TIMEOUT="900")

    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT (900) must be above CELERY_TASK_TIME_LIMIT (1200)" in (
        result.stderr
    )
