"""A synthetic program of any size, for the bench and for query-count tests of pages and APIs.

`synthetic_program_build(teams=…, criteria=…, evaluators=…, seed=…)` writes a program with a
published call, `stages` evaluation stages, one team per lead organisation (each with one AI
model) and every mark of every stage. The same arguments always give the same rows (names,
marks, outcomes); only database ids and timestamps differ. Rows go in with `bulk_create`, so a
stage of 1,000 teams × 20 criteria × 10 evaluators (200,000 marks) takes seconds, not minutes.

Marks are entered "from the record" (no `entered_by`, stamped `confirmed_at` as the record
loader does), so they need no second-person confirmation. Criteria are worth 5 points each;
with three or more evaluators, odd-numbered criteria take a trimmed mean and even-numbered ones
a plain mean, with one or two evaluators all take the mean, and with none each criterion is one
directly entered mark. Each evaluation stage eliminates its lowest teams, a tenth of the
starting field (at least one when there are two or more teams).

With `publish=False` every evaluation stage is left in scoring with all teams in it. With
`publish=True` each stage in turn is finalized and published through the services
(`stage_finalize`, `stage_publish`), as an administrator would, so publications, decisions,
team statuses and the next stage's participations are exactly what the application makes; a
tie at the elimination line is settled in the tied teams' favour by a recorded decision.

From the command line (writes into the configured database):

    python -m bench.synthetic --teams 50 --criteria 6 --evaluators 5 --seed 1 --stages 2 --publish
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from evaluations.models import Outcome, Participation, Score
from evaluations.roles import Role
from evaluations.services.lifecycle import DecisionInput, stage_finalize
from evaluations.services.publication import stage_publish
from evaluations.services.recompute import stage_input_build
from evaluations.standings import compute_standings
from evaluations.standings.decisions import NEEDS_DECISION
from programs.models import Criterion, Program, Stage
from teams.models import AIModel, Membership, Organization, Team

MAX_POINTS = Decimal(5)
# Score rows per executemany: large enough to be fast, small enough to keep memory flat.
BATCH = 20_000


@dataclass(frozen=True)
class SyntheticStage:
    stage_id: int
    criterion_ids: tuple[int, ...]
    participation_ids: tuple[int, ...]
    marks: int
    publication_id: int | None


@dataclass(frozen=True)
class SyntheticProgram:
    program_id: int
    slug: str
    call_stage_id: int
    team_ids: tuple[int, ...]
    model_ids: tuple[int, ...]
    stages: tuple[SyntheticStage, ...]  # evaluation stages in order
    admin_id: int | None  # the administrator who published, when `publish=True`

    @property
    def stage_ids(self) -> tuple[int, ...]:
        return tuple(stage.stage_id for stage in self.stages)

    @property
    def publication_ids(self) -> tuple[int, ...]:
        return tuple(s.publication_id for s in self.stages if s.publication_id is not None)

    @property
    def marks(self) -> int:
        return sum(stage.marks for stage in self.stages)


def _aggregation(index: int, evaluators: int) -> str:
    if evaluators == 0:
        return Criterion.Aggregation.DIRECT
    if evaluators < 3:
        return Criterion.Aggregation.MEAN
    return Criterion.Aggregation.TRIMMED_MEAN if index % 2 else Criterion.Aggregation.MEAN


def _rows_insert(
    model: type[Model],
    given: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fixed: Mapping[str, Any] | None = None,
) -> int:
    """Insert rows with COPY (PostgreSQL) or one prepared statement (`executemany`, in batches);
    return how many.

    `given` names the columns each row supplies (attnames such as `criterion_id`), with values the
    database driver takes as they are (ints, strings, Decimals). `fixed` gives other columns one
    value for every row; the rest get their model default, and auto_now(_add) timestamps the
    current time, each prepared once. This skips `bulk_create`'s per-object work, which dominates
    at hundreds of thousands of rows.
    """
    now = timezone.now()
    fixed = fixed or {}
    constants: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if field.attname in fixed:
            value = fixed[field.attname]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        constants[field.column] = field.get_db_prep_save(value, connection)
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    columns = [by_attname[name].column for name in given] + list(constants)
    quote = connection.ops.quote_name
    table = f"{quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"
    tail = tuple(constants.values())
    count = 0
    if connection.vendor == "postgresql":
        # COPY streams the rows in one command: several times faster than executemany there.
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        return count
    sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((*row, *tail))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    return count + len(batch)


def _marks_insert(
    *,
    rng: random.Random,
    participations: list[Participation],
    criteria: list[Criterion],
    evaluators: int,
) -> int:
    """Every mark of the stage; returns how many.

    Stamped `confirmed_at` with no `entered_by`, as the record loader does: marks from the
    record need no second-person confirmation.
    """
    codes = [f"E{number:02d}" for number in range(evaluators)] or [""]
    scale = int(MAX_POINTS * 100)
    randint = rng.randint
    rows = (
        (
            participation.pk,
            criterion.pk,
            code,
            Decimal(randint(0, scale)) / 100,
            criterion.max_points,
        )
        for participation in participations
        for criterion in criteria
        for code in codes
    )
    columns = ["participation_id", "criterion_id", "evaluator_code", "value", "value_max"]
    return _rows_insert(Score, columns, rows, fixed={"confirmed_at": timezone.now()})


def _ties_settled(stage: Stage) -> dict[int, DecisionInput]:
    """A recorded decision for each team the numbers cannot place (a tie at the line)."""
    result = compute_standings(stage_input_build(stage=stage))
    needing = {row.team for row in result.rows if row.outcome in NEEDS_DECISION}
    if not needing:
        return {}
    participations = Participation.objects.filter(stage=stage, team__slug__in=needing)
    return {
        participation.pk: DecisionInput(
            outcome=Outcome.ADVANCED,
            reason_ko="합성 데이터: 동점 팀은 모두 진출합니다.",
            reason_en="Synthetic data: tied teams all advance.",
        )
        for participation in participations
    }


def _administrator(slug: str) -> User:
    user, _ = User.objects.get_or_create(username=f"{slug}-admin", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=Role.ADMIN.value))
    return user


def synthetic_program_build(
    *,
    teams: int,
    criteria: int,
    evaluators: int,
    seed: int,
    stages: int = 1,
    publish: bool = False,
    slug: str = "synthetic",
    now: dt.datetime | None = None,
) -> SyntheticProgram:
    """Write a synthetic program and return the ids of what it made (see the module docstring).

    `slug` names the program and prefixes every other slug, so several programs can live in one
    database. With `publish=True`, stage k of n is published at `now` − (n − k) weeks.
    """
    if teams < 1 or criteria < 1 or evaluators < 0 or stages < 1:
        raise ValueError("Need at least one team, one criterion and one stage.")
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        program = Program.objects.create(
            slug=slug,
            name_ko=f"합성 프로그램 {slug}",
            name_en=f"Synthetic program {slug}",
            short_name_ko="합성",
        )
        call = Stage.objects.create(
            program=program,
            order=1,
            slug="call",
            kind=Stage.Kind.CALL,
            name_ko="공모",
            name_en="Call",
            status=Stage.Status.PUBLISHED,
            published_at=now - dt.timedelta(weeks=stages + 1),
        )
        evaluation_stages = [
            Stage.objects.create(
                program=program,
                order=number + 1,
                slug=f"stage-{number}",
                kind=Stage.Kind.EVALUATION,
                name_ko=f"{number}차 단계평가",
                name_en=f"Stage-{number} evaluation",
                status=Stage.Status.SCORING if number == 1 or not publish else Stage.Status.PLANNED,
                elimination_rule=Stage.Rule.ELIMINATE_LOWEST if teams > 1 else Stage.Rule.NONE,
                rule_count=max(1, teams // 10) if teams > 1 else None,
            )
            for number in range(1, stages + 1)
        ]
        criteria_by_stage = {
            stage.pk: Criterion.objects.bulk_create(
                Criterion(
                    stage=stage,
                    code=f"c{index:02d}",
                    name_ko=f"기준 {index}",
                    name_en=f"Criterion {index}",
                    max_points=MAX_POINTS,
                    aggregation=_aggregation(index, evaluators),
                    order=index,
                )
                for index in range(criteria)
            )
            for stage in evaluation_stages
        }
        organizations = Organization.objects.bulk_create(
            Organization(
                slug=f"{slug}-org-{number:04d}",
                name_ko=f"기관 {number}",
                name_en=f"Organisation {number}",
            )
            for number in range(1, teams + 1)
        )
        team_rows = Team.objects.bulk_create(
            Team(
                program=program,
                slug=f"team-{number:04d}",
                name_ko=f"컨소시엄 {number}",
                name_en=f"Consortium {number:04d}",
                lead=organization,
                joined_stage=call,
            )
            for number, organization in enumerate(organizations, start=1)
        )
        Membership.objects.bulk_create(
            Membership(team=team, organization=team.lead, role=Membership.Role.LEAD)
            for team in team_rows
        )
        models = AIModel.objects.bulk_create(
            AIModel(
                team=team,
                slug=f"{slug}-model-{number:04d}",
                name=f"Synth-{number:04d}",
                name_ko=f"합성-{number:04d}",
            )
            for number, team in enumerate(team_rows, start=1)
        )
        # Before publishing, every team is in every stage; when publishing, stage 1 starts with
        # all teams and each finalize prepares the next stage for the teams still in.
        for stage in evaluation_stages if not publish else evaluation_stages[:1]:
            participations = Participation.objects.bulk_create(
                Participation(stage=stage, team=team) for team in team_rows
            )
            Participation.ai_models.through.objects.bulk_create(
                Participation.ai_models.through(participation_id=p.pk, aimodel_id=m.pk)
                for p, m in zip(participations, models, strict=True)
            )
        admin = _administrator(slug) if publish else None

        built = []
        for number, stage in enumerate(evaluation_stages, start=1):
            if publish and number > 1:
                Stage.objects.filter(pk=stage.pk).update(status=Stage.Status.SCORING)
            participations = list(Participation.objects.filter(stage=stage).order_by("team__slug"))
            stage_criteria = criteria_by_stage[stage.pk]
            marks = _marks_insert(
                rng=rng,
                participations=participations,
                criteria=stage_criteria,
                evaluators=evaluators,
            )
            publication_id = None
            if publish:
                assert admin is not None
                # Scoring is not what is being built here: go straight to review.
                Stage.objects.filter(pk=stage.pk).update(
                    status=Stage.Status.REVIEW,
                    standings_inputs_version=stage.standings_inputs_version + 1,
                )
                stage.refresh_from_db()
                stage_finalize(stage_id=stage.pk, user=admin, decisions=_ties_settled(stage))
                published_at = now - dt.timedelta(weeks=stages - number)
                publication_id = stage_publish(stage_id=stage.pk, user=admin, now=published_at).pk
            built.append(
                SyntheticStage(
                    stage_id=stage.pk,
                    criterion_ids=tuple(c.pk for c in stage_criteria),
                    participation_ids=tuple(p.pk for p in participations),
                    marks=marks,
                    publication_id=publication_id,
                )
            )
    return SyntheticProgram(
        program_id=program.pk,
        slug=slug,
        call_stage_id=call.pk,
        team_ids=tuple(team.pk for team in team_rows),
        model_ids=tuple(model.pk for model in models),
        stages=tuple(built),
        admin_id=admin.pk if admin else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.synthetic",
        description="Write a synthetic program into the configured database.",
    )
    parser.add_argument("--teams", type=int, required=True)
    parser.add_argument("--criteria", type=int, required=True)
    parser.add_argument("--evaluators", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stages", type=int, default=1)
    parser.add_argument("--publish", action="store_true", help="finalize and publish each stage")
    parser.add_argument("--slug", default="synthetic", help="program slug (default: synthetic)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    program = synthetic_program_build(
        teams=args.teams,
        criteria=args.criteria,
        evaluators=args.evaluators,
        seed=args.seed,
        stages=args.stages,
        publish=args.publish,
        slug=args.slug,
    )
    print(
        f"Program “{program.slug}” (id {program.program_id}): {len(program.team_ids)} teams, "
        f"{len(program.stages)} evaluation stage(s), {program.marks:,} marks, "
        f"{len(program.publication_ids)} publication(s) in {time.perf_counter() - started:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
