"""Reads for the staff score grid: teams × leaf criteria (× evaluators), with the parents and
totals the standings core will compute, in a fixed number of queries whatever the grid size.

Columns follow the criteria tree depth first: a leaf taking points directly is one column; a
leaf aggregating evaluator marks is one column per evaluator code, then its computed points; a
parent comes after its children as a computed column; the total is last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from evaluations import standings as core
from evaluations.models import Participation, Score, StandingsRow, StandingsSnapshot
from evaluations.services.recompute import stage_input_build
from programs.models import Criterion, Stage


@dataclass(frozen=True)
class GridColumn:
    key: str  # "m:<criterion id>:<evaluator>" for marks, "c:<code>" computed, "total"
    criterion: Criterion | None
    evaluator: str = ""
    computed: bool = False
    depth: int = 0


@dataclass
class GridCell:
    column: GridColumn
    participation_id: int
    applicable: bool = True
    score: Score | None = None
    computed: Decimal | None = None
    has_marks: bool = False  # for computed cells: whether anything under it was entered
    team_name: str = ""

    @property
    def dom_id(self) -> str:
        if self.column.computed or self.column.criterion is None:
            return f"calc-{self.participation_id}-{self.column.key.replace(':', '-')}"
        return f"cell-{self.participation_id}-{self.column.criterion.pk}-{self.column.evaluator}"


@dataclass
class GridRow:
    participation: Participation
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class ScoreGrid:
    stage: Stage
    columns: list[GridColumn]
    header_groups: list[tuple[Criterion, int, bool]]  # criterion, columns it spans, is a parent
    rows: list[GridRow]
    evaluators: list[str]
    preview_error: str = ""


def _tree_order(criteria: list[Criterion]) -> list[tuple[Criterion, int, bool]]:
    """(criterion, depth, is_leaf) depth first, children before their parent is closed."""
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.order, c.code))
    ordered: list[tuple[Criterion, int, bool]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for criterion in children.get(parent_id, []):
            is_leaf = criterion.pk not in children
            if is_leaf:
                ordered.append((criterion, depth, True))
            else:
                walk(criterion.pk, depth + 1)
                ordered.append((criterion, depth, False))

    walk(None, 0)
    return ordered


def score_grid(*, stage: Stage, extra_evaluators: list[str] | None = None) -> ScoreGrid:
    """The grid of `stage`: criteria, teams, own criteria and marks, plus the core's input."""
    criteria = list(Criterion.objects.filter(stage=stage))
    participations = list(
        Participation.objects.filter(stage=stage)
        .select_related("team")
        .prefetch_related("individual_criteria")
        .order_by("team__name_ko")
    )
    user_fields = ("entered_by", "confirmed_by", "sent_back_by")
    scores = list(
        Score.objects.filter(participation__stage=stage)
        .select_related(*user_fields)
        .only(
            "id",
            "participation_id",
            "criterion_id",
            "evaluator_code",
            "value",
            "version",
            "entered_at",
            "confirmed_at",
            "sent_back_at",
            "sent_back_note",
            *(f"{name}__{get_user_model().USERNAME_FIELD}" for name in user_fields),
        )
    )
    by_key = {(s.participation_id, s.criterion_id, s.evaluator_code): s for s in scores}
    aggregated_ids = {
        c.pk for c in criteria if c.aggregation not in (Criterion.Aggregation.DIRECT, "sum")
    }
    evaluators = sorted(
        {s.evaluator_code for s in scores if s.criterion_id in aggregated_ids and s.evaluator_code}
        | {code for code in (extra_evaluators or []) if code}
    )

    columns: list[GridColumn] = []
    header_groups: list[tuple[Criterion, int, bool]] = []
    for criterion, depth, is_leaf in _tree_order(criteria):
        if is_leaf and criterion.pk in aggregated_ids:
            for code in evaluators:
                columns.append(GridColumn(f"m:{criterion.pk}:{code}", criterion, code, depth=depth))
            columns.append(GridColumn(f"c:{criterion.code}", criterion, computed=True, depth=depth))
            header_groups.append((criterion, len(evaluators) + 1, False))
        elif is_leaf:
            columns.append(GridColumn(f"m:{criterion.pk}:", criterion, depth=depth))
            header_groups.append((criterion, 1, False))
        else:
            columns.append(GridColumn(f"c:{criterion.code}", criterion, computed=True, depth=depth))
            header_groups.append((criterion, 1, True))
    columns.append(GridColumn("total", None, computed=True))

    preview, error = _preview(stage)
    marked_codes: dict[int, set[str]] = {}
    code_by_id = {c.pk: c.code for c in criteria}
    parent_of = {c.code: code_by_id.get(c.parent_id) for c in criteria if c.parent_id}
    for s in scores:
        marked_code = code_by_id.get(s.criterion_id)
        while marked_code is not None:
            marked_codes.setdefault(s.participation_id, set()).add(marked_code)
            marked_code = parent_of.get(marked_code)

    rows = []
    for participation in participations:
        own = {c.pk for c in participation.individual_criteria.all()}
        standing = preview.get(participation.team.slug) if preview else None
        marked = marked_codes.get(participation.pk, set())
        cells = []
        for column in columns:
            column_criterion = column.criterion
            applicable = (
                column_criterion is None
                or not column_criterion.is_individual
                or column_criterion.pk in own
            )
            cell = GridCell(
                column, participation.pk, applicable=applicable, team_name=participation.team.name
            )
            if column.computed:
                if standing is not None:
                    if column_criterion is None:
                        cell.computed = standing.total
                        cell.has_marks = bool(marked)
                    else:
                        cell.computed = standing.points.get(column_criterion.code)
                        cell.has_marks = column_criterion.code in marked
            elif column_criterion is not None:
                cell.score = by_key.get((participation.pk, column_criterion.pk, column.evaluator))
            cells.append(cell)
        rows.append(GridRow(participation, cells))
    return ScoreGrid(stage, columns, header_groups, rows, evaluators, preview_error=error)


def _preview(stage: Stage) -> tuple[dict[str, core.TeamStanding] | None, str]:
    """Points, parents and totals exactly as the recompute will compute them."""
    stage_input = stage_input_build(stage=stage)
    if not stage_input.teams:
        return None, ""
    try:
        result = core.compute_standings(stage_input)
    except core.StandingsInputError as exc:
        return None, str(exc)
    return {row.team: row for row in result.rows}, ""


@dataclass(frozen=True)
class StandingsPanel:
    stage: Stage
    snapshot: StandingsSnapshot | None
    rows: list[StandingsRow]
    updating: bool


def standings_panel(*, stage_id: int) -> StandingsPanel:
    """The current snapshot beside the grid, and whether a recompute is still on its way."""
    stage = Stage.objects.get(pk=stage_id)
    snapshot = StandingsSnapshot.objects.filter(stage=stage, is_current=True).first()
    rows = (
        list(
            StandingsRow.objects.filter(snapshot=snapshot)
            .select_related("participation__team")
            .order_by("position")
        )
        if snapshot
        else []
    )
    has_teams = bool(rows) or Participation.objects.filter(stage=stage).exists()
    updating = has_teams and (
        snapshot is None or snapshot.inputs_version < stage.standings_inputs_version
    )
    return StandingsPanel(stage=stage, snapshot=snapshot, rows=rows, updating=updating)


def score_with_people(
    *, participation_id: int, criterion_id: int, evaluator_code: str
) -> Score | None:
    return (
        Score.objects.select_related("entered_by", "confirmed_by", "sent_back_by")
        .filter(
            Q(participation_id=participation_id)
            & Q(criterion_id=criterion_id)
            & Q(evaluator_code=evaluator_code)
        )
        .first()
    )
