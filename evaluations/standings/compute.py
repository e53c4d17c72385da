"""Computing a stage's standings: the one entry point the services call.

Concepts
--------
A computation is a pipeline of pure steps over one `StageInput`, each in its own module:
check and index the inputs (`prepare`), aggregate each leaf's marks (`aggregation`), publish
points up the criteria tree and add up totals (`scoring`), rank (`ranking`), propose outcomes
(`outcome`) and explain them (`reasons`). `evaluate` is the part after the leaves; the
sensitivity check reuses it for every variant.

The result lists every team of the stage once, ordered by rank (teams without a rank last), then
by team code, whatever the order of the inputs.

Algorithm (`compute_standings`)
-------------------------------
1. Check and index the inputs; group the marks once (`prepare_stage`, kept on the stage, so
   after `input_digest` this step is free).
2. Sort each (team, leaf) group of marks and aggregate it.
3. Publish points children first; add up the totals.
4. Rank the ranked teams with a known total by total, then the tie-break chain.
5. Propose each team's outcome and write its reason sentences.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from evaluations.standings.aggregation import ENGINE_CONTEXT, Unknown
from evaluations.standings.outcome import Proposal, propose_outcomes
from evaluations.standings.prepare import PreparedStage, prepare_stage
from evaluations.standings.ranking import Group, competition_ranks, rank_groups
from evaluations.standings.reasons import reason_sentences
from evaluations.standings.scoring import (
    Column,
    Points,
    fold_points,
    fold_totals,
    raw_leaf_columns,
)
from evaluations.standings.types import FrozenPoints, StageInput, StandingsResult, TeamStanding


def evaluate(
    prepared: PreparedStage, points: Points
) -> tuple[Column, list[Group], dict[str, Proposal]]:
    """Totals, ranking groups and proposals from published points (steps 3 to 5)."""
    totals = fold_totals(prepared, points)
    ranked: dict[str, Decimal] = {
        team: total
        for team, total in totals.items()
        if isinstance(total, Decimal) and prepared.entries[team].ranked
    }
    tie_break = prepared.rule.tie_break
    tie_values: dict[str, tuple[Decimal | None, ...]] | None = None
    if tie_break:
        columns = [points[code] for code in tie_break]
        tie_values = {
            team: tuple(_known(column.get(team)) for column in columns) for team in ranked
        }
    groups = rank_groups(ranked, tie_values)
    return totals, groups, propose_outcomes(prepared, totals, groups)


def _known(value: Decimal | Unknown | None) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _unknown_criteria(prepared: PreparedStage, points: Points, team: str) -> tuple[str, ...]:
    """The criteria that make a team's total unknown, deepest cause first in display order.

    A criterion is named when its own points are unknown but none of its children's are (the
    cause, not its consequences), or when it is a top-level criterion whose maximum is hidden.
    """
    causes: list[str] = []
    for code in prepared.display_order:
        value = points[code].get(team)
        if value is None:
            continue
        if isinstance(value, Unknown):
            children_unknown = any(
                isinstance(points[child].get(team), Unknown) for child in prepared.children[code]
            )
            if not children_unknown:
                causes.append(code)
        elif code in prepared.top_level and prepared.specs[code].max_points is None:
            causes.append(code)
    return tuple(causes)


def compute_standings(stage: StageInput) -> StandingsResult:
    """The stage's standings and proposed outcomes (see the module docstring for the steps)."""
    with localcontext(ENGINE_CONTEXT):
        prepared = prepare_stage(stage)
        points = fold_points(prepared, raw_leaf_columns(prepared))
        totals, groups, proposals = evaluate(prepared, points)
    ranks = competition_ranks(groups)
    columns = [(code, points[code]) for code in prepared.display_order]
    rows: list[TeamStanding] = []
    for team in prepared.team_codes:
        total = _known(totals[team])
        proposal = proposals[team]
        reason_ko, reason_en = reason_sentences(
            proposal,
            rule=prepared.rule,
            total=total,
            unknown_criteria=(_unknown_criteria(prepared, points, team) if total is None else ()),
        )
        rank, tied = ranks.get(team, (None, False))
        rows.append(
            TeamStanding(
                team=team,
                points=FrozenPoints(
                    (code, _known(column[team])) for code, column in columns if team in column
                ),
                total=total,
                rank=rank,
                tied=tied,
                outcome=proposal.outcome,
                reason=proposal.reason,
                reason_ko=reason_ko,
                reason_en=reason_en,
                failed_gates=prepared.failed_gates[team],
            )
        )
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.team))
    return StandingsResult(rows=tuple(rows))
