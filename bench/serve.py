"""`make bench`, serving: the app under gunicorn on PostgreSQL and Redis, loaded from a separate
process, side by side with a static file of the same size served by the same gunicorn (the floor).

1. Create a throw-away PostgreSQL database, migrate it and load the shipped program record (stage 1
   is published), collect the static files, with production settings (DEBUG off, whitenoise).
2. Start gunicorn with `config/gunicorn.conf.py` (the settings compose and the Procfile use) on a
   loopback port and wait for `/healthz`.
3. For each dynamic path, fetch it once for its size and ETag, write a static file of exactly that
   size, and load each with ApacheBench (`ab`, Debian's apache2-utils): a fixed number of
   requests at a fixed concurrency, a new connection each (gunicorn's sync workers close them);
   then the dynamic path with `If-None-Match` (the 304 path).
4. Report requests per second, p50/p99 and errors, and the ratio to the static file measured in the
   same run: dynamic ≥ 0.5×, conditional (304) ≥ 0.8×, no errors.

Ratios measured in one run are the targets: the machines are shared and absolute times vary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))

# (label, path): the published standings endpoint of the press API and the public stage-1 page.
# The API addresses stages by id, which the database assigns: `dynamic_paths` looks it up.
STAGE_SLUG = "stage-1"
DYNAMIC_TEMPLATES = [
    ("API: published standings of stage 1", "/api/v1/stages/{id}/standings/"),
    ("Public page: stage 1", "/stages/{slug}/"),
]
TARGET_DYNAMIC = 0.5
TARGET_CONDITIONAL = 0.8


@dataclasses.dataclass(frozen=True)
class LoadResult:
    label: str
    path: str
    size: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: str
    floor_rps: float | None = None
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.rps / self.floor_rps if self.floor_rps else None

    @property
    def met(self) -> bool:
        return self.errors == 0 and (self.ratio is None or self.ratio >= (self.target or 0))


def need(message: str) -> None:
    print(f"make bench: {message}", file=sys.stderr)
    sys.exit(2)


def check_requirements() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        need(
            "the serving bench needs PostgreSQL: set DATABASE_URL, e.g. "
            "postgres://postgres@127.0.0.1:5432/postgres (the bench makes its own database there)."
        )
    if not redis_url.startswith("redis://"):
        need("the serving bench needs Redis: set REDIS_URL, e.g. redis://127.0.0.1:6379/12.")
    if shutil.which("ab") is None:
        need("the serving bench loads the server with ApacheBench: apt-get install apache2-utils.")
    return database_url, redis_url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            need("gunicorn exited before it answered; see its output above.")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base + "/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)  # polling a condition with a deadline, not a fixed wait
    need(f"gunicorn did not answer /healthz within {timeout:.0f}s.")


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers.items())


def run_ab(url: str, *, headers: dict[str, str] | None = None) -> tuple[float, float, float, int]:
    """requests per second, p50 ms, p99 ms, failed + unexpected-status requests."""
    command = ["ab", "-q", "-n", str(REQUESTS), "-c", str(CONCURRENCY)]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=600, check=True
    ).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"^\s+50%\s+(\d+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"^\s+99%\s+(\d+)", output, re.M).group(1))  # type: ignore[union-attr]
    failed = int(re.search(r"Failed requests:\s+(\d+)", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", output)
    bad_status = int(non2xx.group(1)) if non2xx and not headers else 0
    return rps, p50, p99, failed + bad_status


@contextlib.contextmanager
def prepared_environment(database_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """A migrated database with the shipped record and collected static files; dropped after."""
    name = f"bench_serve_{os.getpid()}"
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": with_database(database_url, name),
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Loopback, plain HTTP: no TLS proxy in front of the bench.
        "SECURE_SSL_REDIRECT": "false",
        "BEHIND_TLS_PROXY": "false",
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(static_root),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        # Anonymous throttling would turn a load test into 429s; the bench measures serving.
        "API_ANON_RATE": "1000000/min",
    }
    admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(database_url, f'CREATE DATABASE "{name}"')
    try:
        for step in (
            ["manage.py", "migrate", "--no-input", "-v", "0"],
            ["manage.py", "load_program"],
            ["manage.py", "collectstatic", "--no-input", "-v", "0"],
        ):
            subprocess.run(
                [sys.executable, *step],
                cwd=PROJECT_DIR,
                env=env,
                check=True,
                timeout=600,
                stdout=subprocess.DEVNULL,
            )
        yield env
    finally:
        admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(static_root, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[str]:
    """gunicorn on a free loopback port with the shared settings; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-c",
            "config/gunicorn.conf.py",
        ],
        cwd=PROJECT_DIR,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        if process.poll() is None:
            process.kill()


def dynamic_paths(base: str) -> list[tuple[str, str]]:
    """The measured paths, with stage 1's id as the press API lists it."""
    status, body, _ = fetch(f"{base}/api/v1/stages/?page_size=100")
    listed = json.loads(body).get("results", []) if status == 200 else []
    found = [stage for stage in listed if stage.get("slug") == STAGE_SLUG]
    if not found:
        need(f"the API lists no stage {STAGE_SLUG!r} (answered {status}); is the record loaded?")
    stage_id = found[0]["id"]
    return [
        (label, template.format(id=stage_id, slug=STAGE_SLUG))
        for label, template in DYNAMIC_TEMPLATES
    ]


def measure() -> list[LoadResult]:
    database_url, redis_url = check_requirements()
    results: list[LoadResult] = []
    with prepared_environment(database_url, redis_url) as env:
        static_root = Path(env["STATIC_ROOT"])
        # First pass: each dynamic response's size and ETag. Whitenoise indexes STATIC_ROOT when
        # a worker starts, so the floor files are written before the measured server starts.
        sizes: dict[str, tuple[int, str | None]] = {}
        with gunicorn(env) as base:
            dynamic = dynamic_paths(base)
            for _, path in dynamic:
                status, body, headers = fetch(base + path)
                if status != 200:
                    need(f"{path} answered {status}, not 200; is stage 1 published?")
                sizes[path] = (len(body), headers.get("ETag"))
        for size, _ in sizes.values():
            (static_root / f"bench-floor-{size}.bin").write_bytes(b"x" * size)
        with gunicorn(env) as base:
            for label, path in dynamic:
                size, etag = sizes[path]
                floor_url = f"{base}/static/bench-floor-{size}.bin"
                if fetch(floor_url)[0] != 200:
                    need("the static floor file is not served; whitenoise did not pick it up.")
                f_rps, f50, f99, f_err = run_ab(floor_url)
                results.append(
                    LoadResult(
                        "Static file of the same size (floor)",
                        floor_url.removeprefix(base),
                        size,
                        f_rps,
                        f50,
                        f99,
                        f_err,
                        "200",
                    )
                )
                rps, p50, p99, errors = run_ab(base + path)
                results.append(
                    LoadResult(
                        label, path, size, rps, p50, p99, errors, "200", f_rps, TARGET_DYNAMIC
                    )
                )
                if etag is None:
                    results.append(
                        LoadResult(
                            f"{label}, If-None-Match (304)",
                            path,
                            0,
                            0,
                            0,
                            0,
                            1,
                            "no ETag",
                            f_rps,
                            TARGET_CONDITIONAL,
                        )
                    )
                    continue
                request = urllib.request.Request(base + path, headers={"If-None-Match": etag})
                try:
                    urllib.request.urlopen(request, timeout=10)
                    conditional_status = "200"
                except urllib.error.HTTPError as exc:
                    conditional_status = str(exc.code)
                rps, p50, p99, errors = run_ab(base + path, headers={"If-None-Match": etag})
                if conditional_status != "304":
                    errors = max(errors, 1)
                results.append(
                    LoadResult(
                        f"{label}, If-None-Match (304)",
                        path,
                        0,
                        rps,
                        p50,
                        p99,
                        errors,
                        conditional_status,
                        f_rps,
                        TARGET_CONDITIONAL,
                    )
                )
    return results


def table(results: list[LoadResult]) -> str:
    lines = [
        f"Load: {REQUESTS:,} requests per path at concurrency {CONCURRENCY}, ApacheBench from a "
        "separate process, a connection per request; gunicorn with `config/gunicorn.conf.py`.",
        "",
        "| path | bytes | req/s | p50 ms | p99 ms | errors | ratio to floor | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        target = f"≥ {r.target:.1f}×" if r.target is not None else "floor"
        lines.append(
            f"| {r.label} (`{r.path}`) | {r.size:,} | {r.rps:,.0f} | {r.p50_ms:.0f} | "
            f"{r.p99_ms:.0f} | {r.errors} | {ratio} | {target} | {'yes' if r.met else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    results = measure()
    print(table(results))
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
