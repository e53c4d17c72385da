"""Production settings pass Django's deployment checks, and every response carries the
security headers a browser needs."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deployment_checks_without_a_warning():
    # Only what a production process would have: nothing of the test run's own environment
    # (e.g. DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set).
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://tracker@db.internal:5432/tracker",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="tracker.example.kr",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_health_check_answers_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "failed": [], "degraded": []}
    assert "no-cache" in response["Cache-Control"]
