"""A worker killed in the middle of a recompute loses nothing: the previous snapshot stays current,
no half-written snapshot appears, and the broker hands the task to the next worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest
import redis

from evaluations.models import StandingsRow, StandingsSnapshot
from evaluations.services.recompute import stages_stale, standings_recompute
from evaluations.services.scores import score_save
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.postgres import SNAPSHOT_TABLE, backend_alive, backends_waiting_for_lock
from tests.integration.snapshots import current_snapshot, snapshot_reflects
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Seconds after which the broker hands an unacknowledged task to another worker.
# Above the task time limits the worker is given (start-up refuses a visibility timeout at or
# below the hard limit), short enough to wait for.
VISIBILITY_TIMEOUT = 10
# Where kombu's Redis transport keeps delivered but unacknowledged messages.
UNACKED, UNACKED_INDEX = "unacked", "unacked_index"


def oldest_unacked_age(broker: redis.Redis) -> float | None:
    delivered = broker.zrange(UNACKED_INDEX, 0, 0, withscores=True)
    return time.time() - delivered[0][1] if delivered else None


def test_a_worker_killed_mid_recompute_keeps_the_old_snapshot_and_the_task_is_redelivered(
    start_worker: Callable[..., CeleryWorker],
    other_session: psycopg.Connection,
    test_redis: redis.Redis,
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    previous = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    rows_before = StandingsRow.objects.count()
    doomed = start_worker(visibility_timeout=VISIBILITY_TIMEOUT)
    # The recompute takes the stage's recompute lock, reads the inputs, then has to wait here.
    other_session.execute(f"LOCK TABLE {SNAPSHOT_TABLE} IN ACCESS EXCLUSIVE MODE")
    first = scenario.participations[0]
    score = first.scores.get(criterion=scenario.user)
    score_save(
        participation_id=first.pk,
        criterion_id=scenario.user.pk,
        value="23",
        user=scenario.clerk,
        expected_version=score.version,
    )
    (recomputing,) = wait_until(
        lambda: backends_waiting_for_lock(blocked_by=other_session.info.backend_pid),
        what="the worker's recompute to wait for the snapshot table",
    )

    doomed.kill()
    other_session.rollback()
    # The killed worker's backend finds its client gone and ends, rolling back its transaction.
    wait_until(lambda: not backend_alive(recomputing), what="the killed recompute's backend to end")

    assert current_snapshot(scenario.stage).pk == previous
    assert StandingsSnapshot.objects.count() == 1
    assert StandingsRow.objects.count() == rows_before
    assert list(stages_stale().values_list("pk", flat=True)) == [scenario.stage.pk]
    assert test_redis.hlen(UNACKED) == 1, "the broker should still hold the unacknowledged task"

    wait_until(
        lambda: (oldest_unacked_age(test_redis) or 0) > VISIBILITY_TIMEOUT + 0.2,
        what="the unacknowledged task to outlive the visibility timeout",
    )
    successor = start_worker(visibility_timeout=VISIBILITY_TIMEOUT)
    expected = {"team-1": expected_total(1, user=Decimal("23")), "team-2": expected_total(2)}
    snapshot = wait_until(
        lambda: snapshot_reflects(scenario.stage, expected),
        what=lambda: f"the redelivered recompute to run:\n{successor.log_text()}",
    )
    wait_until(
        lambda: successor.succeeded_count("evaluations.standings_recompute") == 1,
        what="the successor to log the recompute",
    )
    assert snapshot.pk != previous
    assert StandingsSnapshot.objects.filter(stage=scenario.stage, is_current=True).count() == 1
    assert not stages_stale().exists()
    assert test_redis.hlen(UNACKED) == 0
    successor.assert_no_problems()
