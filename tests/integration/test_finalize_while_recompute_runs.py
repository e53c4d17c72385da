"""An administrator finalizes a stage while the worker is still writing its standings.

Both take the stage's recompute lock, and the worker's new snapshot references the stage row that
finalize holds: neither may wait for the other in a cycle (a deadlock aborts one of them: the
administrator's request or the task).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from evaluations.models import Decision, Score
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.recompute import standings_recompute
from evaluations.services.scores import score_confirm, score_save
from programs.models import Stage
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.postgres import SNAPSHOT_TABLE, backends_waiting_for_lock
from tests.integration.snapshots import snapshot_reflects
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_finalizing_while_the_worker_writes_a_snapshot_fails_neither(
    start_worker: Callable[..., CeleryWorker], other_session: psycopg.Connection
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    standings_recompute(stage_id=scenario.stage.pk)
    worker = start_worker()
    # Hold the worker's recompute half-way, with the stage's recompute lock taken.
    other_session.execute(f"LOCK TABLE {SNAPSHOT_TABLE} IN ACCESS EXCLUSIVE MODE")
    blocker = other_session.info.backend_pid
    first = scenario.participations[0]
    score = first.scores.get(criterion=scenario.user)
    score_save(
        participation_id=first.pk,
        criterion_id=scenario.user.pk,
        value="21",
        user=scenario.clerk,
        expected_version=score.version,
    )
    wait_until(
        lambda: backends_waiting_for_lock(blocked_by=blocker),
        what="the worker's recompute to wait for the snapshot table",
    )
    for entered in Score.objects.filter(participation__stage=scenario.stage):
        score_confirm(score_id=entered.pk, user=scenario.verifier, expected_version=entered.version)
    stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.admin)
    outcome: dict[str, object] = {}

    def finalize() -> None:
        try:
            connection.ensure_connection()
            outcome["pid"] = connection.connection.info.backend_pid
            outcome["decisions"] = stage_finalize(stage_id=scenario.stage.pk, user=scenario.admin)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    finalizing = threading.Thread(target=finalize, daemon=True)
    finalizing.start()
    wait_until(
        lambda: outcome.get("pid") in backends_waiting_for_lock(),
        what="finalize to wait for the recompute lock the worker holds",
    )
    other_session.rollback()  # the worker's recompute goes on and commits
    finalizing.join(30)

    assert not finalizing.is_alive(), "stage_finalize did not return"
    assert "error" not in outcome, f"stage_finalize failed: {outcome.get('error')!r}"
    assert Decision.objects.filter(participation__stage=scenario.stage).count() == 3
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.FINALIZED
    # The save's recompute and the one queued by the submission for review.
    wait_until(
        lambda: worker.succeeded_count("evaluations.standings_recompute") == 2,
        what=lambda: f"both recomputes to succeed:\n{worker.log_text()}",
    )
    worker.assert_no_problems()
    expected = {"team-1": expected_total(1, user=Decimal("21")), "team-2": expected_total(2)}
    assert snapshot_reflects(scenario.stage, expected) is not None
