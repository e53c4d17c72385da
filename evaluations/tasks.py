"""Celery tasks: ids in, one service call, safe to run twice.

Retries are only for errors that are expected to pass (a database connection dropped or a lock
wait cancelled); a bug fails loudly instead of retrying forever.

No task sets its own time limits: every task runs under `CELERY_TASK_SOFT_TIME_LIMIT` and
`CELERY_TASK_TIME_LIMIT` from the settings, so an operator changes them in one place. The
longest job, recomputing every stale stage, is therefore split: `standings_reconcile` only finds
the stale stages and queues one `standings_recompute` per stage, each with the full limits.
"""

from __future__ import annotations

import datetime as dt

from celery import Task, shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, connection

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
)
def standings_reconcile() -> list[int]:
    """Queue a recompute for every stale stage; return their ids.

    Recomputing them here, one after another, would need a limit per stage; a queued recompute
    runs under the usual limits, on whichever worker is free, one at a time per stage.
    """
    stale = recompute.stale_stage_ids()
    for stage_id in stale:
        standings_recompute.delay(stage_id)
    return stale


class ImportTask(Task):
    """An import job that, once it gives up for good, says so on the import."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: tuple, kwargs: dict, einfo: object
    ) -> None:
        # Called after the last retry, or at once for an unexpected error; never for a retry.
        import_id = kwargs.get("import_id", args[0] if args else None)
        if import_id is None:
            return
        try:
            imports.score_import_interrupted(import_id=int(import_id))
        except DatabaseError:
            # The failure may have been the connection itself: once more on a fresh one.
            connection.close()
            imports.score_import_interrupted(import_id=int(import_id))


@shared_task(
    base=ImportTask,
    name="evaluations.scores_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=5,
)
def scores_import(import_id: int) -> dict[str, object]:
    """Check a received import or apply a queued one (see services/imports.py)."""
    result = imports.score_import_run(import_id=import_id)
    return {"import_id": import_id, "status": result.status if result else None}
