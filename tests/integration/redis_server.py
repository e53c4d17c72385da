"""A Redis server of the test's own, to stop and start again as an outage would.

The shared Redis of `REDIS_URL` serves other test runs on the machine, so the outage drills never
touch it: they run `redis-server` on a free port, point this process (cache and broker) and the
worker at it, kill it, and start it again on the same port. Like the CI Redis it keeps nothing on
disk, so a restart comes back empty, as a crashed cache without persistence does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest
import redis

from tests.integration.worker import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_server_command() -> str:
    """The `redis-server` executable; the drills fail in CI without it, skip elsewhere."""
    found = shutil.which("redis-server")
    if found is None:
        reason = "needs redis-server on PATH (the Redis outage drills run a Redis of their own)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"CI must run the Redis outage drills, but this one {reason}.")
        pytest.skip(reason)
    return found


class RedisServer:
    """One `redis-server` on 127.0.0.1:`port`, started and killed by the test."""

    def __init__(self, *, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        command = [
            redis_server_command(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.directory),
        ]
        with (self.directory / f"redis-{self.port}.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port} to answer")
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server on port {self.port} exited: {self.log_text()}")
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def crash(self) -> None:
        """SIGKILL: every connection drops at once and everything it held is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db)

    def log_text(self) -> str:
        try:
            return (self.directory / f"redis-{self.port}.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""
