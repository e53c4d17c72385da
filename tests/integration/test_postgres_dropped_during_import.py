"""The database connection of a worker dropped in the middle of applying an import: the apply
rolls back whole (no mark of the file is stored), the job is retried on a new connection, and the
file ends up applied once, as a clean run would."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from django.db import connection

from evaluations.models import ScoreImport
from tests.integration.imports import (
    apply_clicked,
    apply_held,
    assert_equals_clean_run,
    clean_run,
    drill_file,
    file_scores_stored,
    import_checked,
    scored_stage,
    snapshot_current_and_fresh,
    stage_row_lock,
    stage_scores,
)
from tests.integration.postgres import backends_waiting_for_lock
from tests.integration.snapshots import current_snapshot
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def backend_terminate(pid: int) -> bool:
    """What an operator, a failover or a proxy restart does to a session: end it from outside."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid = %s AND pid <> pg_backend_pid()",
            [pid],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def test_a_dropped_database_connection_mid_import_saves_nothing_and_the_retry_applies_it_once(
    start_worker: Callable[..., CeleryWorker],
    other_session: psycopg.Connection,
) -> None:
    content = drill_file()
    clean = clean_run(content)
    scenario, previous = scored_stage()
    marks_before = stage_scores(scenario.stage)
    score_import = apply_clicked(scenario, import_checked(scenario, content))
    stage_row_lock(other_session, scenario.stage)
    worker = start_worker()
    dropped = apply_held(score_import, other_session)

    assert backend_terminate(dropped)

    # The task retries on a new connection and comes back to the same point: the lock is still
    # held, so what the first attempt left behind can be looked at before anything commits.
    wait_until(
        lambda: [
            pid
            for pid in backends_waiting_for_lock(blocked_by=other_session.info.backend_pid)
            if pid != dropped
        ],
        what=lambda: f"the job to be retried on a new connection:\n{worker.log_text()}",
    )
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.QUEUED
    assert stage_scores(scenario.stage) == marks_before
    assert file_scores_stored(scenario.stage) == 0
    assert current_snapshot(scenario.stage).pk == previous
    retries = [line for line in worker.problems() if "retry" in line.lower()]
    assert retries and "terminating connection" in retries[0], worker.log_text()

    other_session.rollback()
    wait_until(
        lambda: ScoreImport.objects.get(pk=score_import.pk).status == ScoreImport.Status.APPLIED,
        what=lambda: f"the retried import to be applied:\n{worker.log_text()}",
    )
    wait_until(
        lambda: snapshot_current_and_fresh(scenario.stage),
        what=lambda: f"the recompute after the import:\n{worker.log_text()}",
    )
    score_import.refresh_from_db()
    assert score_import.attempts == 1
    assert score_import.error == {}
    assert_equals_clean_run(scenario.stage, clean)
    wait_until(
        lambda: worker.succeeded_count("evaluations.scores_import") == 1,
        what="the worker to log the import",
    )
    # Nothing went wrong but the one dropped connection, retried.
    assert [line for line in worker.problems() if "retry" not in line.lower()] == []
