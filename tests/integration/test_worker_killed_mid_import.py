"""A worker killed in the middle of applying an import leaves nothing half-imported: no mark of
the file is stored, the import still waits to be applied, the previous snapshot stays current;
the broker hands the job to the next worker, which applies the file once, as a clean run would."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
import redis

from evaluations.models import ScoreImport, StandingsSnapshot
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
from tests.integration.postgres import backend_alive
from tests.integration.snapshots import current_snapshot
from tests.integration.test_worker_killed_mid_recompute import (
    UNACKED,
    VISIBILITY_TIMEOUT,
    oldest_unacked_age,
)
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_import_saves_nothing_and_the_redelivered_job_applies_it_once(
    start_worker: Callable[..., CeleryWorker],
    other_session: psycopg.Connection,
    test_redis: redis.Redis,
) -> None:
    content = drill_file()
    clean = clean_run(content)
    scenario, previous = scored_stage()
    marks_before = stage_scores(scenario.stage)
    score_import = apply_clicked(scenario, import_checked(scenario, content))
    stage_row_lock(other_session, scenario.stage)

    doomed = start_worker(visibility_timeout=VISIBILITY_TIMEOUT)
    applying = apply_held(score_import, other_session)
    doomed.kill()
    other_session.rollback()
    # The killed worker's backend finds its client gone and ends, rolling back the apply.
    wait_until(lambda: not backend_alive(applying), what="the killed apply's backend to end")

    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.QUEUED  # still "applying", retryable
    assert stage_scores(scenario.stage) == marks_before
    assert file_scores_stored(scenario.stage) == 0
    assert current_snapshot(scenario.stage).pk == previous
    assert snapshot_current_and_fresh(scenario.stage)
    assert test_redis.hlen(UNACKED) == 1, "the broker should still hold the unacknowledged job"

    wait_until(
        lambda: (oldest_unacked_age(test_redis) or 0) > VISIBILITY_TIMEOUT + 0.2,
        what="the unacknowledged job to outlive the visibility timeout",
    )
    successor = start_worker(visibility_timeout=VISIBILITY_TIMEOUT)
    wait_until(
        lambda: successor.succeeded_count("evaluations.scores_import") == 1,
        what=lambda: f"the redelivered import to run:\n{successor.log_text()}",
    )
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.APPLIED
    assert score_import.attempts == 1
    wait_until(
        lambda: snapshot_current_and_fresh(scenario.stage),
        what=lambda: f"the recompute after the import:\n{successor.log_text()}",
    )
    assert current_snapshot(scenario.stage).pk != previous
    assert StandingsSnapshot.objects.filter(stage=scenario.stage, is_current=True).count() == 1
    assert_equals_clean_run(scenario.stage, clean)
    assert test_redis.hlen(UNACKED) == 0
    successor.assert_no_problems()
