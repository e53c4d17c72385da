"""A real Celery worker run as a subprocess, and waiting for conditions without fixed sleeps.

The worker is the production command line (`celery -A config worker`) with the environment
pointed at the test database and the test Redis database. Its output goes to a log file that the
tests read to learn which tasks ran, and that the conftest attaches to the report of a failed test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from config.celery import app as celery_app

PROJECT_DIR = Path(__file__).resolve().parents[2]
POLL_INTERVAL = 0.05  # seconds between two looks at the database or the log
DEFAULT_TIMEOUT = 30.0

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    what: str | Callable[[], str],
) -> T:
    """Call `condition` every 50 ms until it returns something truthy, and return that.

    Fails the test after `timeout` seconds, saying what was awaited (`what` may be a callable
    describing the state seen last).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"Gave up after {timeout:.0f}s waiting for {described}")
        time.sleep(POLL_INTERVAL)


class CeleryWorker:
    """One `celery worker` process (and its pool children) in a process group of its own."""

    def __init__(
        self,
        *,
        nodename: str,
        env: dict[str, str],
        log_path: Path,
        pool: str = "prefork",
        concurrency: int = 2,
    ) -> None:
        self.nodename = nodename
        self.env = env
        self.log_path = log_path
        self.pool = pool
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            f"--pool={self.pool}",
            f"--concurrency={self.concurrency}",
            "-Q",
            "celery",
            "-n",
            self.nodename,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]

    def start(self, *, timeout: float = DEFAULT_TIMEOUT) -> CeleryWorker:
        with self.log_path.open("ab") as log:
            # A session of its own, so that killing it reaches the pool children too.
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            self._answers_ping,
            timeout=timeout,
            what=lambda: f"worker {self.nodename} to answer a ping; its log:\n{self.log_text()}",
        )
        return self

    def _answers_ping(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"Worker {self.nodename} exited with {self.process.returncode}:\n{self.log_text()}"
            )
        replies = celery_app.control.ping(destination=[self.nodename], timeout=0.25, limit=1)
        return any(self.nodename in reply for reply in replies)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    # --- what the log says about tasks -----------------------------------------------------

    def task_outcome(self, task_id: str) -> str | None:
        """`succeeded: <return value>`, a failure line, or None while the task has not finished."""
        text = self.log_text()
        succeeded = re.search(rf"\[{re.escape(task_id)}\] succeeded in [\d.]+s: (.*)", text)
        if succeeded:
            return f"succeeded: {succeeded.group(1)}"
        # A retry or an error is not what any of these tests expects: fail at once, loudly.
        failed = re.search(rf"\[{re.escape(task_id)}\] (raised|retry|failed).*", text)
        if failed:
            raise AssertionError(f"Task {task_id} did not succeed: {failed.group(0)}\n{text}")
        return None

    def wait_for_task(self, task_id: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until the task succeeded in this worker; return its logged return value."""
        outcome = wait_until(
            lambda: self.task_outcome(task_id),
            timeout=timeout,
            what=lambda: f"task {task_id} to succeed in {self.nodename}:\n{self.log_text()}",
        )
        return outcome.removeprefix("succeeded: ")

    def succeeded_count(self, task_name: str) -> int:
        return len(re.findall(rf"Task {re.escape(task_name)}\[[\w-]+\] succeeded", self.log_text()))

    def problems(self) -> list[str]:
        """Log lines that show a task failing or retrying, or an error of the worker itself."""
        pattern = re.compile(r"\] (raised|retry)|ERROR|CRITICAL|Traceback")
        return [line for line in self.log_text().splitlines() if pattern.search(line)]

    def assert_no_problems(self) -> None:
        """No task failed or was retried: a retry here means a lock wait or deadlock was hit."""
        problems = self.problems()
        assert not problems, "The worker logged problems:\n" + "\n".join(problems)

    # --- ending it -------------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL the main process and its pool children at once: no task is acked or rejected.

        Also how every test ends its workers: the tests have waited for the tasks they are about,
        and being killed at any moment is what a worker must survive anyway.
        """
        if not self.running:
            return
        assert self.process is not None
        # Not reaped yet, so its id is still its group's: nothing else can be hit.
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=DEFAULT_TIMEOUT)
