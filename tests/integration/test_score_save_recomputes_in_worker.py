"""A clerk's saved score reaches the public standings through the worker, not the request."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from evaluations.models import StandingsSnapshot
from evaluations.services.recompute import standings_recompute
from evaluations.services.scores import score_save
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.snapshots import current_snapshot, snapshot_reflects
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_saved_score_makes_the_worker_write_a_new_current_snapshot(
    start_worker: Callable[..., CeleryWorker],
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    before = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    worker = start_worker()
    first = scenario.participations[0]
    score = first.scores.get(criterion=scenario.user)

    saved = score_save(
        participation_id=first.pk,
        criterion_id=scenario.user.pk,
        value="22.5",
        user=scenario.clerk,
        expected_version=score.version,
    )

    expected = {
        "team-1": expected_total(1, user=Decimal("22.5")),
        "team-2": expected_total(2),
        "team-3": expected_total(3),
    }
    snapshot = wait_until(
        lambda: snapshot_reflects(scenario.stage, expected),
        what=lambda: f"a current snapshot with totals {expected}",
    )
    assert saved.version == 2
    assert snapshot.pk != before
    assert snapshot.inputs_version == 1
    assert current_snapshot(scenario.stage) == snapshot
    assert StandingsSnapshot.objects.filter(stage=scenario.stage, is_current=True).count() == 1
    wait_until(
        lambda: worker.succeeded_count("evaluations.standings_recompute") == 1,
        what="the worker to log the recompute",
    )
    worker.assert_no_problems()
