"""Failure drills (issue 10): the tracker under real concurrency, on PostgreSQL and Redis.

Every test here is marked `services`: two requests must really run at once in transactions of
their own, which only PostgreSQL gives (SQLite serialises writers), and the saves queue their
recompute on Redis. Without them a test is skipped locally and fails under `CI=true`, as in
tests/integration. Tasks go to the test Redis database (`TEST_REDIS_DB`, emptied around each
test) and no worker runs: the drills are about the saves, not the recompute.

Drills with a browser use the session's one headless Chromium (`browser`, tests/conftest.py).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from tests.integration.conftest import (  # noqa: F401  (fixtures: test Redis, another session)
    celery_on_test_redis,
    other_session,
    services_missing,
    test_redis,
    test_redis_url,
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = services_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI must run the drills, but this one {reason}.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def live_server(live_server: Any) -> Any:
    """pytest-django's live server, answering without Nagle's delay.

    Its request handler writes the headers and the body of a response in two sends; on a
    kept-alive connection the body then waits for the client's delayed ACK, about 40 ms a
    request, which would make the drills' hundreds of rounds slow for nothing. Sockets accepted
    from the listening socket inherit TCP_NODELAY (as a production server sets it).
    """
    live_server.thread.httpd.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return live_server
