"""Celery tasks: ids in, one service call, safe to run twice.

Retries are only for errors that are expected to pass (a database connection dropped or a lock
wait cancelled); a bug fails loudly instead of retrying forever.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError

from evaluations.services import imports, publication, recompute

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    name=recompute.STANDINGS_RECOMPUTE_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=540,
    time_limit=600,
)
def standings_recompute(stage_id: int) -> dict[str, object]:
    result = recompute.standings_recompute(stage_id=stage_id)
    return {
        "stage_id": result.stage_id,
        "snapshot_id": result.snapshot_id,
        "changed": result.changed,
    }


@shared_task(
    name="evaluations.stage_publish_due",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=3,
    soft_time_limit=100,
    time_limit=120,
)
def stage_publish_due(now: str | None = None) -> list[int]:
    """`now` (ISO 8601, for tests and replays) stands in for the clock; beat passes nothing."""
    moment = dt.datetime.fromisoformat(now) if now else None
    return publication.stage_publish_due(now=moment)


@shared_task(
    name="evaluations.standings_reconcile",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=3,
    time_limit=1_800,
)
def standings_reconcile() -> list[int]:
    return recompute.standings_reconcile()


@shared_task(
    name="evaluations.scores_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=540,
    time_limit=600,
)
def scores_import(import_id: int) -> dict[str, object]:
    """Check a received import or apply a queued one (see services/imports.py)."""
    result = imports.score_import_run(import_id=import_id)
    return {"import_id": import_id, "status": result.status if result else None}
