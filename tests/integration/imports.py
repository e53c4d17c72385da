"""The import drills' common ground: a stage with a current snapshot, a file big enough to go to
the worker, a way to hold the worker's apply in the middle of its transaction, and a clean run of
the same file to compare the outcome with.

The apply (evaluations/services/imports/) writes every score of the file in one transaction and
then bumps the stage's input version. Holding the stage's row lock from another session stops the
worker right there: every score written but nothing committed, the progress bar already moving.
That is the moment the drills kill the worker, stop Redis or drop the database connection, with
no race and no sleep.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from config.celery import app as celery_app
from evaluations.models import Score, ScoreImport, StandingsRow
from evaluations.services.imports import (
    SYNC_MAX_BYTES,
    SYNC_MAX_ROWS,
    import_progress,
    score_import_apply,
    score_import_receive,
)
from evaluations.services.recompute import standings_recompute
from programs.models import Stage
from tests.builders import ScoringScenario, build_scoring_stage, scores_enter_with_orm
from tests.integration.postgres import backends_waiting_for_lock
from tests.integration.snapshots import current_snapshot
from tests.integration.worker import wait_until

# Expert evaluators per team in the file: 3 teams × (2 + 110) rows = 336 rows, above the 300
# that are applied in the request, so the worker applies it. Raise it locally for a longer job.
EVALUATORS = int(os.environ.get("DRILL_IMPORT_EVALUATORS") or 110)
FILENAME = "marks-round-2.csv"


def drill_file() -> bytes:
    """Marks for 3 teams: new benchmark and user points (changing existing scores) and one
    expert mark per evaluator (three of them change existing marks, the rest are new)."""
    rows = ["팀,평가항목,평가위원,점수"]
    for team in range(1, 4):
        rows.append(f"team-{team},benchmark,,{30 + team}.5")
        rows.append(f"team-{team},user,,{18 + team}")
        rows += [
            f"team-{team},expert,E{evaluator},{20 + (team * 7 + evaluator) % 15}.25"
            for evaluator in range(1, EVALUATORS + 1)
        ]
    content = ("\r\n".join(rows) + "\r\n").encode("utf-8")
    assert len(rows) - 1 > SYNC_MAX_ROWS, "the file must be big enough to go to the worker"
    # A small file is checked in the request, so only the apply runs in the worker.
    assert len(content) <= SYNC_MAX_BYTES
    return content


def scored_stage(*, slug: str = "stage-1", order: int = 2) -> tuple[ScoringScenario, int]:
    """A stage in scoring with every mark entered and a current snapshot (returned, by id)."""
    scenario = build_scoring_stage(slug=slug, order=order)
    scores_enter_with_orm(scenario)
    snapshot_id = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    assert snapshot_id is not None
    return scenario, snapshot_id


def import_checked(scenario: ScoringScenario, content: bytes) -> ScoreImport:
    """The file uploaded by the clerk and checked (in the request): ready to apply."""
    score_import = score_import_receive(
        stage_id=scenario.stage.pk, user=scenario.clerk, filename=FILENAME, content=content
    )
    assert score_import.status == ScoreImport.Status.READY, score_import.problems
    return score_import


def apply_clicked(scenario: ScoringScenario, score_import: ScoreImport) -> ScoreImport:
    """The clerk presses "apply" (or "queue the job again"): the job goes to the broker."""
    queued = score_import_apply(import_id=score_import.pk, user=scenario.clerk)
    assert queued.status == ScoreImport.Status.QUEUED
    return queued


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Tasks run eagerly in this process, as in the embedded default: for the clean run."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


def clean_run(content: bytes) -> Stage:
    """The same file imported into a stage built the same way, with nothing going wrong."""
    scenario, _snapshot = scored_stage(slug="stage-clean", order=3)
    with tasks_in_process():
        score_import = import_checked(scenario, content)
        score_import_apply(import_id=score_import.pk, user=scenario.clerk)
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.APPLIED
    assert snapshot_current_and_fresh(scenario.stage)
    return scenario.stage


# --- Holding the apply mid-transaction ------------------------------------------------------


def stage_row_lock(session: psycopg.Connection, stage: Stage) -> None:
    """Take the stage's row lock in `session` (held until it rolls back): an apply that has
    written every score then waits to bump the stage's input version.

    Take it after the apply was clicked: the click locks the import row with a join to the
    stage (the import's default ordering), so it would wait here too."""
    session.execute("SELECT 1 FROM programs_stage WHERE id = %s FOR UPDATE", [stage.pk])


def apply_held(score_import: ScoreImport, session: psycopg.Connection) -> int:
    """Wait until the worker's apply is held by `session`'s lock with its progress showing;
    return the worker's database backend pid."""
    (backend,) = wait_until(
        lambda: backends_waiting_for_lock(blocked_by=session.info.backend_pid),
        what="the worker's apply to wait for the stage's row lock",
    )
    done, total = import_progress(ScoreImport.objects.get(pk=score_import.pk))
    assert 0 < done <= total, "the progress bar should show the job under way"
    return backend


# --- What the drills compare ----------------------------------------------------------------


def stage_scores(stage: Stage) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(team, criterion, evaluator) → what the score grid shows of the mark."""
    rows = Score.objects.filter(participation__stage=stage).values_list(
        "participation__team__slug",
        "criterion__code",
        "evaluator_code",
        "value",
        "version",
        "entered_by__username",
        "confirmed_by__username",
    )
    return {
        (team, criterion, evaluator): tuple(shown) for team, criterion, evaluator, *shown in rows
    }


def file_scores_stored(stage: Stage) -> int:
    """How many marks only the file has (expert evaluators beyond the three entered before)."""
    return (
        Score.objects.filter(participation__stage=stage, criterion__code="expert")
        .exclude(evaluator_code__in=["E1", "E2", "E3"])
        .count()
    )


def score_history_count(stage: Stage) -> int:
    return Score.history.filter(participation__stage=stage).count()


def standings_shown(stage: Stage) -> dict[str, tuple[Any, ...]]:
    """Team → its row in the current snapshot (position, rank, tie, total, points, outcome)."""
    snapshot = current_snapshot(stage)
    assert snapshot is not None
    rows = StandingsRow.objects.filter(snapshot=snapshot).values_list(
        "participation__team__slug",
        "position",
        "rank",
        "tied",
        "total",
        "points",
        "proposed_outcome",
    )
    return {team: tuple(shown) for team, *shown in rows}


def snapshot_current_and_fresh(stage: Stage) -> bool:
    stage.refresh_from_db(fields=["standings_inputs_version"])
    snapshot = current_snapshot(stage)
    return snapshot is not None and snapshot.inputs_version == stage.standings_inputs_version


def assert_equals_clean_run(stage: Stage, clean: Stage) -> None:
    """Every mark and the current standings are what the clean run of the same file gave."""
    assert stage_scores(stage) == stage_scores(clean)
    assert score_history_count(stage) == score_history_count(clean)
    assert standings_shown(stage) == standings_shown(clean)
    assert file_scores_stored(stage) == 3 * (EVALUATORS - 3)
