"""bin/db_backup.py: a backup of a database holding the shipped record restores into an empty
database with every row, and a restore that fails leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

pytestmark = pytest.mark.services

PROJECT_DIR = Path(__file__).resolve().parents[2]
TABLES = [
    "programs_stage",
    "programs_criterion",
    "teams_team",
    "teams_membership",
    "evaluations_participation",
    "evaluations_score",
    "evaluations_decision",
    "evaluations_publication",
]


def url_for(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def admin(sql: str) -> None:
    with psycopg.connect(url_for("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def fresh_database() -> Iterator[Callable[[], str]]:
    made: list[str] = []

    def make() -> str:
        name = f"test_restore_{uuid.uuid4().hex[:10]}"
        admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return url_for(name)

    yield make
    for name in made:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("REDIS_URL", None)  # the commands below need no broker
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contents(database_url: str) -> dict[str, object]:
    with psycopg.connect(database_url) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        payloads = conn.execute(
            "SELECT stage_id, sequence, payload::text FROM evaluations_publication ORDER BY 1, 2"
        ).fetchall()
    return {"counts": counts, "payloads": payloads}


def test_a_backup_restores_every_row_into_an_empty_database(fresh_database, tmp_path):
    source, target = fresh_database(), fresh_database()
    for step in (["manage.py", "migrate", "--no-input"], ["manage.py", "load_program"]):
        result = run(*step, database_url=source)
        assert result.returncode == 0, result.stderr
    dump = tmp_path / "tracker.dump"

    backed_up = run("bin/db_backup.py", "backup", str(dump), database_url=source)
    restored = run("bin/db_backup.py", "restore", str(dump), database_url=target)

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    before, after = contents(source), contents(target)
    assert before["counts"]["evaluations_publication"] >= 1  # stage 1 is published
    assert after == before
    # The restored database is one the application accepts as it is.
    check = run("manage.py", "migrate", "--check", database_url=target)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_restore_that_fails_leaves_the_target_untouched(fresh_database, tmp_path):
    target = fresh_database()
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")

    result = run("bin/db_backup.py", "restore", str(broken), database_url=target)

    assert result.returncode != 0
    with psycopg.connect(target) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 0
