"""Reads for staff work (services, staff screens): drafts included, never for public pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    Decision,
    GateResult,
    Participation,
    ProposedOutcome,
    Score,
    StandingsSnapshot,
)
from programs.errors import NotFound
from programs.models import Criterion, Gate, Program, Stage
from programs.numbers import decimal_text
from teams.models import AIModel, Team


def sent_back_q() -> Q:
    """Marks a verifier sent back that have not been saved again since."""
    return Q(sent_back_at__isnull=False, sent_back_at__gte=F("entered_at"))


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
        .annotate(
            n=Count(
                # ids and text: PostgreSQL needs to be told the result is text.
                Concat("participation_id", Value("-"), "criterion_id", output_field=CharField()),
                distinct=True,
            )
        )
        .order_by("participation__stage_id")
    }
    pending = Q(participation__stage__program=program, confirmed_by__isnull=True) & Q(
        entered_by__isnull=False
    )
    unconfirmed_scores = _by_stage(
        Score.objects.filter(pending).exclude(sent_back_q()), "participation__stage_id"
    )
    sent_back = _by_stage(Score.objects.filter(pending, sent_back_q()), "participation__stage_id")
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


# --- Confirmation and gates -----------------------------------------------------------------


def marks_to_confirm(*, stage: Stage) -> list[Score]:
    """Marks a person entered that nobody has confirmed yet, by team then criterion (1 query)."""
    return list(
        Score.objects.filter(
            participation__stage=stage, confirmed_by__isnull=True, entered_by__isnull=False
        )
        .select_related("participation__team", "criterion", "entered_by", "sent_back_by")
        .order_by(
            "participation__team__name_ko", "criterion__order", "criterion__code", "evaluator_code"
        )
    )


@dataclass
class GateCell:
    gate: Gate
    participation: Participation
    result: GateResult | None


def gate_table(*, stage: Stage) -> tuple[list[Gate], list[tuple[Participation, list[GateCell]]]]:
    """Teams × gates with their results (4 queries whatever the size)."""
    gates = list(Gate.objects.filter(stage=stage).order_by("code"))
    participations = list(
        Participation.objects.filter(stage=stage).select_related("team").order_by("team__name_ko")
    )
    results = {
        (r.participation_id, r.gate_id): r
        for r in GateResult.objects.filter(participation__stage=stage)
        .select_related("entered_by", "confirmed_by")
        .prefetch_related("sources")
    }
    rows = [
        (p, [GateCell(gate, p, results.get((p.pk, gate.pk))) for gate in gates])
        for p in participations
    ]
    return gates, rows


@dataclass(frozen=True)
class StageSetup:
    stage: Stage
    criteria: list[tuple[Criterion, int, bool]]  # criterion, depth, is a leaf
    gates: list[Gate]
    participations: list[Participation]


def stage_setup_view(*, stage: Stage) -> StageSetup:
    """A stage's criteria tree, gates and teams taking part, with their models and own criteria."""
    criteria = list(Criterion.objects.filter(stage=stage))
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    ordered: list[tuple[Criterion, int, bool]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for criterion in sorted(children.get(parent_id, []), key=lambda c: (c.order, c.code)):
            ordered.append((criterion, depth, criterion.pk not in children))
            walk(criterion.pk, depth + 1)

    walk(None, 0)
    participations = list(
        Participation.objects.filter(stage=stage)
        .select_related("team")
        .prefetch_related("ai_models", "individual_criteria")
        .order_by("team__name_ko")
    )
    gates = list(Gate.objects.filter(stage=stage).order_by("code"))
    return StageSetup(stage=stage, criteria=ordered, gates=gates, participations=participations)


def teams_outside_stage(*, stage: Stage) -> list[Team]:
    """The program's teams not (yet) taking part in the stage, for the setup screen's "add"."""
    return list(
        Team.objects.filter(program_id=stage.program_id)
        .exclude(participations__stage=stage)
        .order_by("name_ko")
    )


def team_ai_models(*, team_id: int) -> list[AIModel]:
    """A team's own AI models: what it may list as submitted to a stage."""
    return list(AIModel.objects.filter(team_id=team_id).order_by("name"))


def setup_item_exists(*, model: type[Criterion | Gate | Participation], pk: int) -> bool:
    """Whether a criterion, gate or participation still exists (in any stage)."""
    return model.objects.filter(pk=pk).exists()


# --- Review and decision (staff review screen) ----------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """One team on the review screen: the computed standing and, once finalized, the decision."""

    participation_id: int
    team_slug: str
    team_name: str
    position: int
    rank: int | None
    tied: bool
    total: Decimal | None
    total_text: str | None
    points: dict[str, str | None]
    top_points: list[str | None]  # points of the top-level criteria, in their order
    proposed_outcome: str
    proposed_label: str
    reason: str
    failed_gates: list[str]
    below_line: bool
    needs_decision: bool
    decision: Decision | None


@dataclass(frozen=True)
class StageReview:
    stage: Stage
    snapshot: StandingsSnapshot | None
    rows: list[ReviewRow]
    criteria: list[Criterion]  # top-level criteria, the columns of the table
    line_after: int | None  # position after which the elimination line falls
    stale: bool  # inputs changed since the snapshot: a recompute is on its way
    sensitivity: dict[str, object]


# Proposals the administrator must settle: the core cannot say which side of the line they fall.
UNDECIDED_PROPOSALS = (ProposedOutcome.TIE_AT_LINE, ProposedOutcome.NOT_RANKED)


def stage_review_get(*, stage: Stage) -> StageReview:
    """The current standings of a stage for review, in a fixed number of queries."""
    snapshot = (
        StandingsSnapshot.objects.filter(stage=stage, is_current=True).order_by("-pk").first()
    )
    gates = {code: name for code, name in _gate_names(stage)}
    decisions = {
        d.participation_id: d
        for d in Decision.objects.filter(participation__stage=stage).select_related("decided_by")
    }
    criteria = list(Criterion.objects.filter(stage=stage, parent__isnull=True).order_by("order"))
    rows: list[ReviewRow] = []
    if snapshot is not None:
        for row in snapshot.rows.select_related("participation__team").order_by("position"):
            team = row.participation.team
            english = (get_language() or "ko").startswith("en")
            rows.append(
                ReviewRow(
                    participation_id=row.participation_id,
                    team_slug=team.slug,
                    team_name=team.name,
                    position=row.position,
                    rank=row.rank,
                    tied=row.tied,
                    total=row.total,
                    total_text=decimal_text(row.total),
                    points=row.points,
                    top_points=[row.points.get(c.code) for c in criteria],
                    proposed_outcome=row.proposed_outcome,
                    proposed_label=str(ProposedOutcome(row.proposed_outcome).label),
                    reason=(row.reason_en if english else row.reason_ko) or row.reason_ko,
                    failed_gates=[gates.get(code, code) for code in row.failed_gates],
                    below_line=row.proposed_outcome == ProposedOutcome.ELIMINATED,
                    needs_decision=row.proposed_outcome in UNDECIDED_PROPOSALS,
                    decision=decisions.get(row.participation_id),
                )
            )
    line_after = None
    if stage.elimination_rule != Stage.Rule.NONE:
        above = [r.position for r in rows if r.proposed_outcome == ProposedOutcome.ADVANCED]
        if above and len(above) < len(rows):
            line_after = max(above)
    stale = snapshot is None or snapshot.inputs_version < stage.standings_inputs_version
    return StageReview(
        stage=stage,
        snapshot=snapshot,
        rows=rows,
        criteria=criteria,
        line_after=line_after,
        stale=stale,
        sensitivity=dict(snapshot.sensitivity) if snapshot else {},
    )


def _gate_names(stage: Stage) -> list[tuple[str, str]]:
    return [(gate.code, gate.name) for gate in Gate.objects.filter(stage=stage)]


# --- Publication preview and correction diff --------------------------------------------------


@dataclass(frozen=True)
class PayloadChange:
    team: str
    what: str  # "rank", "total", "outcome", "reason", "points:<criterion code>", "team"
    before: object
    after: object


DIFF_FIELDS = ("rank", "tied", "total", "outcome", "reason_ko", "reason_en", "failed_gates")


def publication_payload_diff(
    *, before: dict[str, Any], after: dict[str, Any]
) -> list[PayloadChange]:
    """What a correction changes in the public record, team by team, field by field."""
    old_rows = {row["team"]: row for row in before.get("rows", [])}
    new_rows = {row["team"]: row for row in after.get("rows", [])}
    changes: list[PayloadChange] = []
    for team in [*new_rows, *(t for t in old_rows if t not in new_rows)]:
        old, new = old_rows.get(team), new_rows.get(team)
        name = (new or old or {}).get("team_name_ko", team)
        if old is None or new is None:
            changes.append(PayloadChange(name, "team", bool(old), bool(new)))
            continue
        for key in DIFF_FIELDS:
            if old.get(key) != new.get(key):
                changes.append(PayloadChange(name, key, old.get(key), new.get(key)))
        points = sorted(set(old.get("points", {})) | set(new.get("points", {})))
        for code in points:
            if old.get("points", {}).get(code) != new.get("points", {}).get(code):
                changes.append(
                    PayloadChange(
                        name,
                        f"points:{code}",
                        old.get("points", {}).get(code),
                        new.get("points", {}).get(code),
                    )
                )
    return changes
