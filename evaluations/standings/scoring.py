"""Published points per criterion and totals, from the aggregated leaves up the criteria tree.

Concepts
--------
*Column*: one criterion's values for every team it applies to (team -> Decimal or `Unknown`).
Working a column at a time lets a sensitivity variant recompute only the columns it touches and
share the rest with the base computation.

*Parent points* (`Aggregation.SUM`): parent max x (sum of applicable child points) / (sum of
applicable child maxima). When the applicable children's maxima add up to the parent's maximum,
as in stage 1 (benchmark 40 = 10 + 20 + 10), this is the plain sum, computed as such so no
division touches it. Only children that apply to the team count, which is how per-team "global
individual" benchmarks with different sub-criteria per team still fill the same 10 points.
A parent is unknown when any applicable child is unknown, a maximum involved is not disclosed,
or no child applies to the team (missing).

*Total*: the sum of the team's rounded top-level points. It is unknown (not disclosed or missing)
under the same conditions; "missing" wins over "not disclosed" (see `aggregation.worse`).

*Scale* (sensitivity only): a factor on a criterion multiplies both its maximum and its points
before rounding. Inside a parent this shifts the weight among siblings while the parent keeps its
own maximum; at the top level it changes that criterion's share of the total.

Algorithm (`fold_points`)
-------------------------
1. Start from the base columns when given; only the criteria in `dirty` are recomputed.
2. Visit the criteria children first, so every parent sees its children's published points.
3. Leaf: published points = round(raw x scale), raw coming from `leaf_columns`.
4. Parent: combine the applicable children as above, then round.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from evaluations.standings.aggregation import (
    MarkSet,
    Unknown,
    Value,
    leaf_value,
    leaf_values,
    publish_points,
    worse,
)
from evaluations.standings.prepare import PreparedStage

Column = dict[str, Value]  # team -> points or why they are unknown
Points = dict[str, Column]  # criterion -> column
MarkSets = dict[str, dict[str, MarkSet]]  # criterion -> team -> marks


def summarise_marks(prepared: PreparedStage) -> MarkSets:
    """Sort each (criterion, team) group of marks once."""
    return {
        code: {
            team: MarkSet.from_marks(by_evaluator.values())
            for team, by_evaluator in by_team.items()
        }
        for code, by_team in prepared.marks.items()
    }


def leaf_column(prepared: PreparedStage, code: str, marks: Mapping[str, MarkSet]) -> Column:
    """One leaf's unrounded points for every team it applies to."""
    spec = prepared.specs[code]
    return {team: leaf_value(spec, marks.get(team)) for team in prepared.teams_for[code]}


def leaf_columns(prepared: PreparedStage, marksets: MarkSets) -> Points:
    return {code: leaf_column(prepared, code, marksets[code]) for code in prepared.leaves}


def raw_leaf_columns(prepared: PreparedStage) -> Points:
    """`leaf_columns(prepared, summarise_marks(prepared))` in one step, for a single computation
    (a sensitivity check keeps the `MarkSet`s to take evaluators out)."""
    return {
        code: leaf_values(prepared.specs[code], prepared.teams_for[code], prepared.marks[code])
        for code in prepared.leaves
    }


def effective_max(
    prepared: PreparedStage, code: str, scale: Mapping[str, Decimal] | None
) -> Decimal | None:
    maximum = prepared.specs[code].max_points
    if maximum is None or not scale or code not in scale:
        return maximum
    return maximum * scale[code]


def _publish_leaf(raw: Column, factor: Decimal | None) -> Column:
    column: Column = {}
    for team, value in raw.items():
        if value.__class__ is Decimal:
            value = publish_points(value if factor is None else value * factor)
        column[team] = value
    return column


def _publish_parent(
    prepared: PreparedStage,
    code: str,
    points: Points,
    scale: Mapping[str, Decimal] | None,
) -> Column:
    parent_max = effective_max(prepared, code, scale)
    children = [
        (points[child], effective_max(prepared, child, scale)) for child in prepared.children[code]
    ]
    column: Column = {}
    for team in prepared.teams_for[code]:
        earned = Decimal(0)
        available = Decimal(0)
        gap: Unknown | None = None
        applicable = False
        for child_column, child_max in children:
            value = child_column.get(team)
            if value is None:  # the child does not apply to this team
                continue
            applicable = True
            if not isinstance(value, Decimal):
                gap = value if gap is None else worse(gap, value)
            elif child_max is None:
                gap = gap or Unknown.NOT_DISCLOSED
            else:
                earned += value
                available += child_max
        if not applicable:
            column[team] = Unknown.MISSING
        elif gap is not None:
            column[team] = gap
        elif parent_max is None:
            column[team] = Unknown.NOT_DISCLOSED
        elif available == parent_max:
            column[team] = earned
        else:
            column[team] = publish_points(parent_max * earned / available)
    return column


def fold_points(
    prepared: PreparedStage,
    raw: Mapping[str, Column],
    *,
    scale: Mapping[str, Decimal] | None = None,
    base: Points | None = None,
    dirty: Collection[str] | None = None,
) -> Points:
    """Published points of every criterion (see the module docstring for the steps)."""
    points: Points = {} if base is None else dict(base)
    for code in prepared.compute_order:
        if dirty is not None and code not in dirty:
            continue
        if prepared.children[code]:
            points[code] = _publish_parent(prepared, code, points, scale)
        else:
            factor = scale.get(code) if scale else None
            points[code] = _publish_leaf(raw[code], factor)
    return points


def fold_totals(prepared: PreparedStage, points: Points) -> Column:
    """Each team's total: the sum of its rounded top-level points, or why it is unknown."""
    top = [(points[code], prepared.specs[code].max_points is None) for code in prepared.top_level]
    totals: Column = {}
    for team in prepared.team_codes:
        total = Decimal(0)
        gap: Unknown | None = None
        applicable = False
        for column, max_hidden in top:
            value = column.get(team)
            if value is None:
                continue
            applicable = True
            if not isinstance(value, Decimal):
                gap = value if gap is None else worse(gap, value)
            elif max_hidden:
                gap = gap or Unknown.NOT_DISCLOSED
            else:
                total += value
        totals[team] = Unknown.MISSING if not applicable else (gap or total)
    return totals
