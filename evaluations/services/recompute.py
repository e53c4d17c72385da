"""Recompute a stage's standings from its current inputs and keep exactly one snapshot current.

Every change to a stage's scoring inputs (scores, gate results, criteria, rules, participations)
goes through `stage_inputs_changed`, in the same transaction as the change: it bumps the stage's
input version and, once the transaction commits, enqueues `standings_recompute`. If the broker is
down the change still commits; the stage is then visibly stale and `standings_reconcile` catches
up later.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from celery import current_app
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

from evaluations import standings as core
from evaluations.models import (
    GateResult,
    Participation,
    RecomputeLock,
    Score,
    StandingsRow,
    StandingsSnapshot,
)
from programs.errors import DomainError, localized
from programs.models import Criterion, Gate, Stage

logger = logging.getLogger(__name__)

# What a failed publish to the broker can raise; anything else is a bug and should surface.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, RedisError, OSError)

# The Celery task that runs `standings_recompute` (evaluations/tasks.py).
STANDINGS_RECOMPUTE_TASK = "evaluations.standings_recompute"

# The proposed outcome matters once staff review it; computing it for every save during
# scoring would only slow big stages down.
SENSITIVITY_STATUSES = (Stage.Status.REVIEW, Stage.Status.FINALIZED)


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    stage_id: int
    snapshot_id: int | None
    changed: bool


def stage_inputs_changed(*, stage_id: int) -> None:
    """Mark the stage's standings stale and recompute them once the transaction commits."""
    Stage.objects.filter(pk=stage_id).update(
        standings_inputs_version=F("standings_inputs_version") + 1
    )
    transaction.on_commit(partial(standings_recompute_enqueue, stage_id))


def standings_recompute_enqueue(stage_id: int) -> bool:
    """Queue a recompute; a broker outage is logged, never raised into the caller's save.

    The task is looked up by name in Celery's registry (evaluations/tasks.py registers it when
    the app is ready), so services never import the task module: tasks import services, not
    the reverse. `.delay` on the registered task still runs it in-process when tasks are eager.
    """
    task = current_app.tasks[STANDINGS_RECOMPUTE_TASK]
    try:
        task.delay(stage_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not queue standings_recompute(%s): %s. The stage stays stale until "
            "standings_reconcile runs.",
            stage_id,
            exc,
        )
        return False
    return True


def stage_input_build(*, stage: Stage) -> core.StageInput:
    """Read everything the pure core needs for one stage, in a fixed number of queries."""
    participations = list(
        Participation.objects.filter(stage=stage).values_list("id", "team__slug", "ranked")
    )
    team_by_participation = {pid: slug for pid, slug, _ranked in participations}

    individual: dict[int, set[str]] = {}
    through = Participation.individual_criteria.through
    for pid, cid in through.objects.filter(participation__stage=stage).values_list(
        "participation_id", "criterion_id"
    ):
        individual.setdefault(cid, set()).add(team_by_participation[pid])

    criteria_rows = list(
        Criterion.objects.filter(stage=stage).values_list(
            "id",
            "code",
            "parent_id",
            "max_points",
            "aggregation",
            "target",
            "is_individual",
            "order",
        )
    )
    code_by_id = {cid: code for cid, code, *_rest in criteria_rows}
    criteria = tuple(
        core.CriterionSpec(
            code=code,
            max_points=max_points,
            aggregation=core.Aggregation(aggregation),
            parent=code_by_id.get(parent_id) if parent_id else None,
            target=target,
            teams=frozenset(individual.get(cid, ())) if is_individual else None,
            order=order,
        )
        for cid, code, parent_id, max_points, aggregation, target, is_individual, order in (
            criteria_rows
        )
    )

    marks = _marks_read(
        stage_id=stage.pk, team_by_participation=team_by_participation, code_by_id=code_by_id
    )
    gates = tuple(
        core.GateMark(team=team_by_participation[pid], gate=code, passed=passed)
        for pid, code, passed in GateResult.objects.filter(participation__stage=stage).values_list(
            "participation_id", "gate__code", "passed"
        )
    )
    gate_codes = tuple(Gate.objects.filter(stage=stage).values_list("code", flat=True))
    rule = core.Rule(
        kind=core.RuleKind(stage.elimination_rule),
        count=stage.rule_count,
        threshold=stage.rule_threshold,
        tie_break=tuple(stage.tie_break or ()),
    )
    return core.StageInput(
        criteria=criteria,
        teams=tuple(
            core.TeamEntry(code=slug, ranked=ranked) for _pid, slug, ranked in participations
        ),
        marks=marks,
        gates=gates,
        gate_codes=gate_codes,
        rule=rule,
    )


def _decimal_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _sensitivity_json(report: core.SensitivityReport) -> dict[str, object]:
    return {
        "robust": report.robust,
        "summary_ko": report.summary_ko,
        "summary_en": report.summary_en,
        "flips": [
            {
                "change": flip.change,
                "team": flip.team,
                "before": str(flip.outcome_before),
                "after": str(flip.outcome_after),
            }
            for flip in report.flips
        ],
    }


MARKS_CHUNK = 10_000


def _marks_read(
    *, stage_id: int, team_by_participation: dict[int, str], code_by_id: dict[int, str]
) -> tuple[core.MarkRow, ...]:
    """Every mark of the stage as plain (team, criterion, evaluator, value) rows (core.MarkRow).

    The read is the largest part of a recompute (200,000 rows for a big stage). On PostgreSQL
    the rows come straight from a plain cursor: psycopg already gives `numeric` as an exact
    Decimal, and skipping the ORM's per-row work halves the read. The result arrives whole in
    libpq's compact buffer (about 60 bytes a mark) and is turned into Python rows a chunk at a
    time; a server-side cursor would bound that buffer too, but its round trips cost about 5%
    of a recompute, and the marks are all held as rows for the computation anyway. Elsewhere
    (SQLite stores decimals as numbers that need Django's converters) the ORM streams them.
    """
    if connection.vendor != "postgresql":
        return tuple(
            (team_by_participation[pid], code_by_id[cid], evaluator, value)
            for pid, cid, evaluator, value in Score.objects.filter(participation__stage_id=stage_id)
            .values_list("participation_id", "criterion_id", "evaluator_code", "value")
            .iterator(chunk_size=MARKS_CHUNK)
        )
    score_table = connection.ops.quote_name(Score._meta.db_table)
    participation_table = connection.ops.quote_name(Participation._meta.db_table)
    sql = (
        f"SELECT s.participation_id, s.criterion_id, s.evaluator_code, s.value "
        f"FROM {score_table} s JOIN {participation_table} p ON p.id = s.participation_id "
        f"WHERE p.stage_id = %s"
    )
    rows: list[core.MarkRow] = []
    extend = rows.extend
    with connection.cursor() as cursor:
        cursor.execute(sql, [stage_id])
        while chunk := cursor.fetchmany(MARKS_CHUNK):
            extend(
                (team_by_participation[pid], code_by_id[cid], evaluator, value)
                for pid, cid, evaluator, value in chunk
            )
    return tuple(rows)


ROW_COLUMNS = (
    "snapshot_id",
    "participation_id",
    "position",
    "rank",
    "tied",
    "total",
    "points",
    "proposed_outcome",
    "reason_code",
    "reason_ko",
    "reason_en",
    "failed_gates",
)


def _rows_write(*, snapshot_id: int, rows: list[tuple[object, ...]]) -> None:
    """Insert a snapshot's rows, each given as its values in `ROW_COLUMNS` order after the
    snapshot. On PostgreSQL with COPY: Django's bulk insert binds each column as an array that
    psycopg quotes value by value in Python, which for 1,000 rows with JSON points costs more
    than computing the standings; COPY streams them as they are. Model instances are made only
    for the bulk insert elsewhere: making 1,000 of them costs about 5% of a recompute."""
    if connection.vendor != "postgresql":
        fields = ROW_COLUMNS[1:]
        StandingsRow.objects.bulk_create(
            [
                StandingsRow(snapshot_id=snapshot_id, **dict(zip(fields, row, strict=True)))
                for row in rows
            ],
            batch_size=2_000,
        )
        return
    table = connection.ops.quote_name(StandingsRow._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in ROW_COLUMNS)
    dumps = json.dumps
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            # points and failed_gates (the JSON columns) go as JSON text.
            copy.write_row((snapshot_id, *row[:5], dumps(row[5]), *row[6:10], dumps(row[10])))


def standings_recompute(*, stage_id: int, force: bool = False) -> RecomputeResult:
    """Compute the stage's standings and make them current, doing nothing if inputs are unchanged.

    1. Lock the stage's recompute row so two recomputes of one stage never interleave (score
       saves do not take this lock, so they never wait for a recompute).
    2. Read the stage's input version. If the current snapshot already reflects it, nothing
       changed since (every change bumps the version in its own transaction): stop. `force`
       skips this shortcut and compares the inputs themselves, for changes made behind the
       services' back (the record loader, a database console).
    3. Read all inputs and digest them.
    4. If a snapshot with this digest exists (current, or older because the inputs went back),
       make it current and record that it reflects this version.
    5. Otherwise compute, write the snapshot and its rows, and swap the current flag, all in the
       one transaction: a worker killed half-way leaves the previous snapshot current.
    """
    RecomputeLock.objects.bulk_create([RecomputeLock(stage_id=stage_id)], ignore_conflicts=True)
    with transaction.atomic():
        RecomputeLock.objects.select_for_update().get(stage_id=stage_id)
        stage = Stage.objects.get(pk=stage_id)
        inputs_version = stage.standings_inputs_version
        want_sensitivity = stage.status in SENSITIVITY_STATUSES
        if not force:
            current = StandingsSnapshot.objects.filter(
                stage_id=stage_id, is_current=True, engine_version=core.ENGINE_VERSION
            ).first()
            if (
                current is not None
                and current.inputs_version == inputs_version
                and (current.sensitivity or not want_sensitivity)
            ):
                return RecomputeResult(stage_id=stage_id, snapshot_id=current.pk, changed=False)
        stage_input = stage_input_build(stage=stage)
        if not stage_input.teams:
            return RecomputeResult(stage_id=stage_id, snapshot_id=None, changed=False)
        digest = core.input_digest(stage_input)

        existing = StandingsSnapshot.objects.filter(
            stage_id=stage_id, engine_version=core.ENGINE_VERSION, input_digest=digest
        ).first()
        if existing is not None:
            fields = []
            if existing.inputs_version < inputs_version:
                existing.inputs_version = inputs_version
                fields.append("inputs_version")
            if want_sensitivity and not existing.sensitivity:
                existing.sensitivity = _sensitivity_json(core.sensitivity_check(stage_input))
                fields.append("sensitivity")
            changed = not existing.is_current
            if changed:
                StandingsSnapshot.objects.filter(stage_id=stage_id, is_current=True).update(
                    is_current=False
                )
                existing.is_current = True
                fields.append("is_current")
            if fields:
                existing.save(update_fields=fields)
            return RecomputeResult(stage_id=stage_id, snapshot_id=existing.pk, changed=changed)

        started = time.perf_counter()
        try:
            result = core.compute_standings(stage_input)
        except core.StandingsInputError as exc:
            raise DomainError(
                _("The standings of stage “%(stage)s” cannot be computed: %(detail)s"),
                code="bad_stage_rules",
                # The pure core explains in English; staff fix the rule it names.
                params={"stage": localized(stage), "detail": str(exc)},
            ) from None
        sensitivity = (
            _sensitivity_json(core.sensitivity_check(stage_input, result))
            if want_sensitivity
            else {}
        )
        snapshot = StandingsSnapshot.objects.create(
            stage_id=stage_id,
            input_digest=digest,
            inputs_version=inputs_version,
            is_current=False,
            engine_version=core.ENGINE_VERSION,
            sensitivity=sensitivity,
            duration_ms=0,
        )
        participation_by_team = dict(
            Participation.objects.filter(stage_id=stage_id).values_list("team__slug", "id")
        )
        _rows_write(
            snapshot_id=snapshot.pk,
            rows=[
                (
                    participation_by_team[row.team],
                    position,
                    row.rank,
                    row.tied,
                    row.total,
                    {code: _decimal_str(value) for code, value in row.points.items()},
                    str(row.outcome),
                    str(row.reason),
                    row.reason_ko,
                    row.reason_en,
                    list(row.failed_gates),
                )
                for position, row in enumerate(result.rows, start=1)
            ],
        )
        StandingsSnapshot.objects.filter(stage_id=stage_id, is_current=True).update(
            is_current=False
        )
        snapshot.is_current = True
        snapshot.duration_ms = int((time.perf_counter() - started) * 1000)
        snapshot.save(update_fields=["is_current", "duration_ms"])
        logger.info("Standings of stage %s recomputed: snapshot %s", stage_id, snapshot.pk)
        return RecomputeResult(stage_id=stage_id, snapshot_id=snapshot.pk, changed=True)


def stages_stale() -> QuerySet[Stage]:
    """Stages with participants whose current snapshot is missing or older than their inputs."""
    current = StandingsSnapshot.objects.filter(stage=OuterRef("pk"), is_current=True)
    return (
        Stage.objects.filter(participations__isnull=False)
        .distinct()
        .annotate(snapshot_version=Subquery(current.values("inputs_version")[:1]))
        .filter(
            Q(snapshot_version__isnull=True) | Q(snapshot_version__lt=F("standings_inputs_version"))
        )
        .order_by("pk")
    )


def stale_stage_ids() -> list[int]:
    return list(stages_stale().values_list("pk", flat=True))


def standings_reconcile() -> list[int]:
    """Recompute every stale stage in this process (`recompute_standings`); return their ids."""
    done: list[int] = []
    for stage_id in stale_stage_ids():
        standings_recompute(stage_id=stage_id)
        done.append(stage_id)
    return done


def current_snapshot(*, stage: Stage) -> StandingsSnapshot | None:
    return StandingsSnapshot.objects.filter(stage=stage, is_current=True).first()
