"""Celery tasks: ids in, one service call, safe to run twice.

Retries are only for errors that are expected to pass (a database connection dropped or a lock
wait cancelled); a bug fails loudly instead of retrying forever.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from evaluations.services import publication, recompute

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
def stage_publish_due() -> list[int]:
    return publication.stage_publish_due()


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
