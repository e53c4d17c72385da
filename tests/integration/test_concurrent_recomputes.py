"""Many recomputes of one stage at once, with a score saved among them, in a two-process worker:
they take turns, and exactly one snapshot ends up current, computed from the final inputs."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from evaluations import standings as core
from evaluations.models import StandingsSnapshot
from evaluations.services.recompute import stage_input_build, standings_recompute
from evaluations.services.scores import score_save
from evaluations.tasks import standings_recompute as standings_recompute_task
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.snapshots import snapshot_reflects
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TEAMS = 60  # enough marks that one recompute takes long enough for others to arrive meanwhile
RECOMPUTES = 8  # queued directly, besides the one the save queues


def test_concurrent_recomputes_leave_one_current_snapshot_of_the_final_inputs(
    start_worker: Callable[..., CeleryWorker],
) -> None:
    scenario = build_scoring_stage(team_count=TEAMS)
    scores_enter_with_orm(scenario)
    initial = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    worker = start_worker(concurrency=2)
    last = scenario.participations[-1]
    score = last.scores.get(criterion=scenario.user)

    queued = [standings_recompute_task.delay(scenario.stage.pk) for _ in range(RECOMPUTES // 2)]
    # One recompute of the old inputs is done, the others of this batch are queued or running.
    assert "'changed': False" in worker.wait_for_task(queued[0].id)
    score_save(
        participation_id=last.pk,
        criterion_id=scenario.user.pk,
        value="25",
        user=scenario.clerk,
        expected_version=score.version,
    )
    queued += [standings_recompute_task.delay(scenario.stage.pk) for _ in range(RECOMPUTES // 2)]

    for result in queued:
        worker.wait_for_task(result.id)
    wait_until(
        lambda: worker.succeeded_count("evaluations.standings_recompute") == RECOMPUTES + 1,
        what=lambda: f"all {RECOMPUTES + 1} recomputes to succeed:\n{worker.log_text()}",
    )
    worker.assert_no_problems()
    expected = {
        f"team-{TEAMS}": expected_total(TEAMS, user=Decimal("25")),
        "team-1": expected_total(1),
    }
    snapshot = snapshot_reflects(scenario.stage, expected)
    assert snapshot is not None
    current = StandingsSnapshot.objects.filter(stage=scenario.stage, is_current=True)
    assert list(current) == [snapshot]
    assert snapshot.input_digest == core.input_digest(stage_input_build(stage=scenario.stage))
    # The first snapshot, and one for the inputs after the save: never a duplicate.
    assert StandingsSnapshot.objects.filter(stage=scenario.stage).count() == 2
    assert snapshot.pk != initial
    assert snapshot.rows.count() == TEAMS
