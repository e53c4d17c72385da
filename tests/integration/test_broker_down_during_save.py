"""With the broker down a save still commits at once; reconcile catches up once it is back."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from evaluations.models import Score
from evaluations.services.recompute import stages_stale, standings_recompute
from evaluations.services.scores import score_save
from evaluations.tasks import standings_reconcile
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.conftest import broker_use
from tests.integration.snapshots import snapshot_reflects
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Generous: the settings ask for a 2-second broker connection timeout and no publish retries, so
# a save that is still running after this long is one that hangs on the absent broker.
SAVE_DEADLINE = 20.0


def port_where_nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_score_saved_while_the_broker_is_down_is_kept_and_reconciled_later(
    start_worker: Callable[..., CeleryWorker],
    celery_on_test_redis: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    before = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    first = scenario.participations[0]
    score = first.scores.get(criterion=scenario.user)
    broker_use(f"redis://127.0.0.1:{port_where_nothing_listens()}/0")
    outcome: dict[str, object] = {}

    def save() -> None:
        started = time.monotonic()
        try:
            outcome["score"] = score_save(
                participation_id=first.pk,
                criterion_id=scenario.user.pk,
                value="24",
                user=scenario.clerk,
                expected_version=score.version,
            )
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            outcome["seconds"] = time.monotonic() - started
            connection.close()

    with caplog.at_level(logging.WARNING, logger="evaluations.services.recompute"):
        saving = threading.Thread(target=save, daemon=True)
        saving.start()
        saving.join(SAVE_DEADLINE)

    assert not saving.is_alive(), f"score_save hung for {SAVE_DEADLINE}s with the broker down"
    print(f"score_save with the broker down returned in {outcome['seconds']:.2f}s")
    assert "error" not in outcome, outcome.get("error")
    assert Score.objects.get(pk=score.pk).value == Decimal("24")
    assert "Could not queue standings_recompute" in caplog.text
    assert list(stages_stale().values_list("pk", flat=True)) == [scenario.stage.pk]

    broker_use(celery_on_test_redis)
    worker = start_worker()
    reconcile = standings_reconcile.delay()

    assert worker.wait_for_task(reconcile.id) == f"[{scenario.stage.pk}]"
    # Reconcile queues the stage's recompute, which runs as its own task.
    wait_until(lambda: not stages_stale().exists(), what="the queued recompute to catch up")
    expected = {"team-1": expected_total(1, user=Decimal("24")), "team-2": expected_total(2)}
    snapshot = snapshot_reflects(scenario.stage, expected)
    assert snapshot is not None
    assert snapshot.pk != before
    worker.assert_no_problems()
