"""The Redis cache while Redis is unreachable: reads miss, writes are skipped with a warning, the
pages that use it still answer, and the health check still says the cache is down."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


def port_where_nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.OutageTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port_where_nothing_listens()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield


def test_with_redis_down_reads_miss_and_writes_are_skipped_with_a_warning(
    redis_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        cache.set("greeting", "안녕하세요")
        assert cache.get("greeting", "missed") == "missed"
        assert cache.get_many(["greeting"]) == {}
        assert cache.add("greeting", "hello") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.delete("greeting") is False

    assert "Cache unavailable, set skipped" in caplog.text
    assert "Cache unavailable, get skipped" in caplog.text


def test_with_redis_down_the_public_home_page_still_answers(redis_down: None) -> None:
    assert Client().get("/").status_code == 200


def test_with_redis_down_the_health_check_names_the_cache_but_keeps_the_process_in(
    redis_down: None,
) -> None:
    # The site still serves without Redis: a load balancer must not take every web process out.
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "failed": [], "degraded": ["cache"]}


def test_with_the_database_down_the_health_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
