"""Reads for staff work (services, staff screens): drafts included, never for public pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from evaluations.models import GateResult, Participation, Score
from programs.errors import NotFound
from programs.models import Criterion, Gate, Program, Stage


def participation_get(*, participation_id: int) -> Participation:
    """A participation with its stage and team, or NotFound naming the id."""
    participation = (
        Participation.objects.select_related("stage", "team").filter(pk=participation_id).first()
    )
    if participation is None:
        raise NotFound(
            _("Participation %(participation_id)s does not exist."),
            field="participation",
            params={"participation_id": participation_id},
        )
    return participation


# --- Staff home: every stage with what is missing ------------------------------------------


@dataclass(frozen=True)
class StageProgress:
    """What a stage still needs, counted in a fixed number of queries for all stages."""

    stage: Stage
    criteria: int
    weights_missing: int  # leaf criteria whose maximum points are not set
    participations: int
    marks_expected: int  # (team, leaf criterion) cells that need a mark
    marks_missing: int
    unconfirmed: int  # marks and gate results entered by a person, not yet confirmed
    sent_back: int
    gates_undecided: int

    @property
    def ready_for_review(self) -> bool:
        return (
            self.participations > 0
            and self.marks_missing == 0
            and self.gates_undecided == 0
            and self.sent_back == 0
        )


def _by_stage(queryset: QuerySet[Any], key: str) -> dict[int, int]:
    return {
        row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("pk")).order_by(key)
    }


def stages_progress(*, program: Program) -> list[StageProgress]:
    """Every stage of `program`, in order, with its counts (8 queries whatever the size)."""
    stages = list(Stage.objects.filter(program=program).order_by("order"))
    in_program = Q(stage__program=program)
    leaves = Criterion.objects.filter(in_program, children__isnull=True)
    criteria = _by_stage(Criterion.objects.filter(in_program), "stage_id")
    weights_missing = _by_stage(
        leaves.filter(max_points__isnull=True, target__isnull=True), "stage_id"
    )
    shared_leaves = _by_stage(leaves.filter(is_individual=False), "stage_id")
    ranked = Participation.objects.filter(in_program, ranked=True)
    participations = _by_stage(ranked, "stage_id")
    # Each team's own (individual) criteria that are leaves.
    own_leaves = _by_stage(
        Participation.individual_criteria.through.objects.filter(
            participation__stage__program=program,
            participation__ranked=True,
            criterion__children__isnull=True,
        ),
        "participation__stage_id",
    )
    marked = {
        row["participation__stage_id"]: row["n"]
        for row in Score.objects.filter(
            participation__stage__program=program,
            participation__ranked=True,
            criterion__children__isnull=True,
        )
        .values("participation__stage_id")
        .annotate(n=Count(Concat("participation_id", Value("-"), "criterion_id"), distinct=True))
        .order_by("participation__stage_id")
    }
    pending = Q(participation__stage__program=program, confirmed_by__isnull=True) & Q(
        entered_by__isnull=False
    )
    unconfirmed_scores = _by_stage(
        Score.objects.filter(pending, sent_back_at__isnull=True), "participation__stage_id"
    )
    sent_back = _by_stage(
        Score.objects.filter(pending, sent_back_at__isnull=False), "participation__stage_id"
    )
    unconfirmed_gates = _by_stage(GateResult.objects.filter(pending), "participation__stage_id")
    gates = _by_stage(Gate.objects.filter(in_program), "stage_id")
    decided = _by_stage(
        GateResult.objects.filter(
            participation__stage__program=program,
            participation__ranked=True,
            passed__isnull=False,
        ),
        "participation__stage_id",
    )
    result = []
    for stage in stages:
        teams = participations.get(stage.pk, 0)
        expected = teams * shared_leaves.get(stage.pk, 0) + own_leaves.get(stage.pk, 0)
        result.append(
            StageProgress(
                stage=stage,
                criteria=criteria.get(stage.pk, 0),
                weights_missing=weights_missing.get(stage.pk, 0),
                participations=teams,
                marks_expected=expected,
                marks_missing=max(0, expected - marked.get(stage.pk, 0)),
                unconfirmed=unconfirmed_scores.get(stage.pk, 0)
                + unconfirmed_gates.get(stage.pk, 0),
                sent_back=sent_back.get(stage.pk, 0),
                gates_undecided=max(0, teams * gates.get(stage.pk, 0) - decided.get(stage.pk, 0)),
            )
        )
    return result


def stage_get(*, stage_id: int) -> Stage:
    stage = Stage.objects.select_related("program").filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(
            _("Stage %(stage_id)s does not exist."), field="stage", params={"stage_id": stage_id}
        )
    return stage


# --- Staff tools over the API --------------------------------------------------------------


def scores_for_staff(
    *, stage_id: int | None = None, participation_id: int | None = None
) -> QuerySet[Score]:
    """Marks as entered (drafts included), for staff tools only."""
    scores = Score.objects.select_related(
        "participation__team", "participation__stage", "criterion", "entered_by", "confirmed_by"
    ).order_by("participation__stage_id", "participation_id", "criterion__order", "pk")
    if stage_id is not None:
        scores = scores.filter(participation__stage_id=stage_id)
    if participation_id is not None:
        scores = scores.filter(participation_id=participation_id)
    return scores


def gate_results_for_staff(
    *, stage_id: int | None = None, participation_id: int | None = None
) -> QuerySet[GateResult]:
    results = GateResult.objects.select_related(
        "participation__team", "participation__stage", "gate", "entered_by", "confirmed_by"
    ).order_by("participation__stage_id", "participation_id", "gate__code", "pk")
    if stage_id is not None:
        results = results.filter(participation__stage_id=stage_id)
    if participation_id is not None:
        results = results.filter(participation_id=participation_id)
    return results
