"""Recomputing unchanged inputs changes nothing: the same snapshot stays current, none is added."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evaluations.models import StandingsRow, StandingsSnapshot
from evaluations.tasks import standings_recompute
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.snapshots import current_snapshot, snapshot_reflects
from tests.integration.worker import CeleryWorker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_recomputing_unchanged_inputs_twice_keeps_the_same_snapshot(
    start_worker: Callable[..., CeleryWorker],
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    stage_id = scenario.stage.pk
    worker = start_worker()
    first = standings_recompute.delay(stage_id)
    assert "'changed': True" in worker.wait_for_task(first.id)
    expected = {f"team-{n}": expected_total(n) for n in (1, 2, 3)}
    snapshot = snapshot_reflects(scenario.stage, expected)
    assert snapshot is not None
    rows_before = list(StandingsRow.objects.filter(snapshot=snapshot).values().order_by("pk"))

    again = [standings_recompute.delay(stage_id), standings_recompute.delay(stage_id)]

    for result in again:
        assert worker.wait_for_task(result.id) == (
            f"{{'stage_id': {stage_id}, 'snapshot_id': {snapshot.pk}, 'changed': False}}"
        )
    assert current_snapshot(scenario.stage) == snapshot
    assert StandingsSnapshot.objects.filter(stage=scenario.stage).count() == 1
    assert list(StandingsRow.objects.values().order_by("pk")) == rows_before
    unchanged = StandingsSnapshot.objects.get(pk=snapshot.pk)
    assert (unchanged.input_digest, unchanged.inputs_version, unchanged.created_at) == (
        snapshot.input_digest,
        snapshot.inputs_version,
        snapshot.created_at,
    )
    worker.assert_no_problems()
