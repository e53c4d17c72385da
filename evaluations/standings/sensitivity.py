"""Would the proposed outcome survive small changes to the weights or to the panel?

Concepts
--------
*Variant*: the stage with exactly one change.

* "weight C +10%" / "weight C -10%": criterion C's maximum and points are multiplied by 1.1 or
  0.9 before rounding (see `scoring`, "Scale"). Every top-level and every leaf criterion is
  varied; an intermediate parent is covered by its parent and its children.
* "without evaluator E": every mark by evaluator E is removed, as if E had not sat on the panel.
  Directly entered points have no evaluator and are never removed.

*Flip*: a team whose proposed outcome in a variant differs from its outcome in the baseline.
*Robust*: no variant flips any team. A flip is not an error; it tells the committee that the
proposal hangs on a weighting or on one evaluator, so it deserves a second look before
finalising.

Efficiency: the inputs are checked, grouped and sorted once. A weight variant recomputes only
the varied criterion and its ancestors for every team, then totals, ranking and outcomes. An
evaluator variant re-aggregates only the groups that evaluator marked, taking the one mark out
of the already sorted group, and recomputes those leaves and their ancestors.

Algorithm (`sensitivity_check`)
-------------------------------
1. Prepare the stage, aggregate the leaves and publish the base points once.
2. Take the baseline outcomes from `result` when given, else compute them.
3. For each top-level or leaf criterion in display order, for +10% then -10%: recompute its
   chain of criteria with the factor, then evaluate; record every team whose outcome changed.
4. For each evaluator in code order: rebuild the leaves that evaluator marked without that mark,
   recompute their chains, evaluate and record the changes.
5. Report the flips in variant order, then by team code.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from evaluations.standings.aggregation import ENGINE_CONTEXT, leaf_value
from evaluations.standings.compute import evaluate
from evaluations.standings.errors import StandingsError
from evaluations.standings.prepare import PreparedStage, prepare_stage
from evaluations.standings.scoring import (
    MarkSets,
    Points,
    fold_points,
    leaf_columns,
    summarise_marks,
)
from evaluations.standings.types import (
    Flip,
    Outcome,
    SensitivityReport,
    StageInput,
    StandingsResult,
)

WEIGHT_FACTORS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("1.1"), "+10%"),
    (Decimal("0.9"), "-10%"),
)

# evaluator -> the (criterion, team, value) of each mark they gave
_EvaluatorIndex = dict[str, list[tuple[str, str, Decimal | None]]]


def _index_evaluators(prepared: PreparedStage) -> _EvaluatorIndex:
    index: _EvaluatorIndex = {}
    for code, by_team in prepared.marks.items():
        for team, by_evaluator in by_team.items():
            for evaluator, value in by_evaluator.items():
                if evaluator:
                    index.setdefault(evaluator, []).append((code, team, value))
    return dict(sorted(index.items()))


def _flips(
    prepared: PreparedStage,
    points: Points,
    baseline: dict[str, Outcome],
    change: str,
    change_ko: str,
) -> list[Flip]:
    _totals, _groups, proposals = evaluate(prepared, points)
    return [
        Flip(change, team, baseline[team], proposals[team].outcome, change_ko)
        for team in prepared.team_codes
        if proposals[team].outcome is not baseline[team]
    ]


def _without_evaluator(
    prepared: PreparedStage,
    marksets: MarkSets,
    raw: Points,
    base: Points,
    marks: list[tuple[str, str, Decimal | None]],
) -> Points:
    changed: Points = {}
    for code, team, value in marks:
        column = changed.get(code)
        if column is None:
            column = changed[code] = dict(raw[code])
        column[team] = leaf_value(prepared.specs[code], marksets[code][team].without(value))
    dirty: set[str] = set()
    for code in changed:
        dirty.update(prepared.chain(code))
    return fold_points(prepared, {**raw, **changed}, base=base, dirty=dirty)


def sensitivity_check(
    stage: StageInput, result: StandingsResult | None = None
) -> SensitivityReport:
    """Flips of the proposed outcome under +/-10% weights and without each evaluator."""
    with localcontext(ENGINE_CONTEXT):
        prepared = prepare_stage(stage)
        marksets = summarise_marks(prepared)
        raw = leaf_columns(prepared, marksets)
        base = fold_points(prepared, raw)
        if result is None:
            _totals, _groups, proposals = evaluate(prepared, base)
            baseline = {team: proposal.outcome for team, proposal in proposals.items()}
        else:
            baseline = {row.team: row.outcome for row in result.rows}
            if set(baseline) != set(prepared.team_codes):
                raise StandingsError("The standings given were not computed from this stage.")

        flips: list[Flip] = []
        for code in prepared.display_order:
            if prepared.specs[code].parent is not None and prepared.children[code]:
                continue
            dirty = prepared.chain(code)
            for factor, label in WEIGHT_FACTORS:
                points = fold_points(prepared, raw, scale={code: factor}, base=base, dirty=dirty)
                flips += _flips(
                    prepared, points, baseline, f"weight {code} {label}", f"{code} 가중치 {label}"
                )
        for evaluator, marks in _index_evaluators(prepared).items():
            points = _without_evaluator(prepared, marksets, raw, base, marks)
            flips += _flips(
                prepared,
                points,
                baseline,
                f"without evaluator {evaluator}",
                f"평가위원 {evaluator} 제외",
            )
    return SensitivityReport(robust=not flips, flips=tuple(flips))
