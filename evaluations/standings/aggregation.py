"""Turning a leaf criterion's marks into points, and the one rounding rule.

Concepts
--------
*Aggregation* (per team and leaf criterion, over that leaf's evaluator marks):

* MEAN: the arithmetic mean.
* TRIMMED_MEAN: with at least 3 marks, drop exactly one highest and one lowest mark and take the
  mean of the rest (the usual rule of Korean government evaluation panels); with 1 or 2 marks,
  the plain mean.
* MEDIAN: the middle mark, or the mean of the two middle marks when the count is even.
* DIRECT: the single directly entered value (evaluator ""); more than one is an input error.

*Unknown points*: when any mark of the leaf is recorded as not disclosed (`value=None`), the
leaf's points are `Unknown.NOT_DISCLOSED`; when the leaf has no marks at all they are
`Unknown.MISSING`. The two are kept apart so that an outcome can say "not disclosed" (the
ministry did not publish it) or "incomplete" (nobody has entered it yet).

*Normalisation*: a leaf with a `target` collects achieved scores, not points:
points = max x min(1, achieved / target), so beating the target earns no more than the maximum.

*Publishing (rounding)*: every criterion's published points are rounded ROUND_HALF_UP to one
decimal, as the ministry publishes them (LG stage 1: 90.2). Parents are computed from the rounded
children and rounded again; the total is the sum of the rounded top-level points. Rankings use
these published numbers, so what the public sees always adds up and explains the order.

All arithmetic runs in `ENGINE_CONTEXT` (28 significant digits, exceptions on invalid operations)
so results never depend on whatever decimal context the caller has set.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import Enum
from typing import cast

from evaluations.standings.types import Aggregation, CriterionSpec

ENGINE_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
POINTS_QUANTUM = Decimal("0.1")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)


class Unknown(Enum):
    """Why a criterion's points or a total are not known."""

    NOT_DISCLOSED = "not_disclosed"
    MISSING = "missing"


# A criterion's points for one team: a Decimal, or why it is unknown.
Value = Decimal | Unknown


def worse(first: Unknown | None, second: Unknown) -> Unknown:
    """Combine two reasons; a missing number outweighs an undisclosed one.

    Missing data can still be entered, so "incomplete" is the more useful thing to say.
    """
    if first is Unknown.MISSING or second is Unknown.MISSING:
        return Unknown.MISSING
    return Unknown.NOT_DISCLOSED


def publish_points(value: Decimal) -> Decimal:
    """Round to the published precision: one decimal, half up (0.05 -> 0.1, 0.15 -> 0.2)."""
    return value.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


def aggregate_sorted(aggregation: Aggregation, values: Sequence[Decimal]) -> Decimal:
    """Aggregate non-empty marks already sorted ascending (the hot path: no copy, no sort)."""
    count = len(values)
    if aggregation is Aggregation.MEAN or aggregation is Aggregation.DIRECT:
        return sum(values, _ZERO) / count if count > 1 else values[0]
    if aggregation is Aggregation.TRIMMED_MEAN:
        if count >= 3:
            return sum(values[1:-1], _ZERO) / (count - 2)
        return sum(values, _ZERO) / count if count > 1 else values[0]
    if aggregation is Aggregation.MEDIAN:
        middle = count // 2
        if count % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / _TWO
    raise ValueError(f"Aggregation {aggregation} does not apply to marks.")


def aggregate(aggregation: Aggregation, values: Iterable[Decimal]) -> Decimal:
    """Aggregate marks given in any order, exactly (before any rounding).

    >>> aggregate(Aggregation.MEAN, [Decimal("0.1"), Decimal("0.2")])
    Decimal('0.15')
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("There are no marks to aggregate.")
    with localcontext(ENGINE_CONTEXT):
        return aggregate_sorted(Aggregation(aggregation), ordered)


def normalise(achieved: Decimal, max_points: Decimal, target: Decimal) -> Decimal:
    """Points for an achieved score against a target, capped at the maximum."""
    if achieved >= target:
        return max_points
    return max_points * achieved / target


class MarkSet:
    """The marks of one team on one leaf: known values sorted once, and how many are undisclosed.

    Sorting once here lets every variant of a sensitivity check re-aggregate without sorting.
    """

    __slots__ = ("undisclosed", "values")

    def __init__(self, values: tuple[Decimal, ...], undisclosed: int) -> None:
        self.values = values
        self.undisclosed = undisclosed

    @classmethod
    def from_marks(cls, marks: Collection[Decimal | None]) -> MarkSet:
        known = [value for value in marks if value is not None]
        known.sort()
        return cls(tuple(known), len(marks) - len(known))

    def without(self, value: Decimal | None) -> MarkSet:
        """The same marks with one mark of `value` taken out (used to drop an evaluator)."""
        if value is None:
            return MarkSet(self.values, self.undisclosed - 1)
        position = bisect_left(self.values, value)
        return MarkSet(self.values[:position] + self.values[position + 1 :], self.undisclosed)


def _known_value(spec: CriterionSpec, values: Sequence[Decimal]) -> Value:
    """Points from a leaf's non-empty, sorted, all disclosed marks."""
    value = aggregate_sorted(spec.aggregation, values)
    if spec.target is None:
        return value
    if spec.max_points is None:
        # Without the maximum an achieved score cannot become points.
        return Unknown.NOT_DISCLOSED
    return normalise(value, spec.max_points, spec.target)


def leaf_value(spec: CriterionSpec, marks: MarkSet | None) -> Value:
    """A leaf's unrounded points for one team (normalised when the leaf has a target)."""
    if marks is None or (not marks.values and not marks.undisclosed):
        return Unknown.MISSING
    if marks.undisclosed:
        return Unknown.NOT_DISCLOSED
    return _known_value(spec, marks.values)


def leaf_values(
    spec: CriterionSpec,
    teams: Iterable[str],
    marks: Mapping[str, Mapping[str, Decimal | None]],
) -> dict[str, Value]:
    """`leaf_value` for each of `teams`, straight from checked marks (team -> evaluator -> value).

    The hot path of a computation: the same values as going through `MarkSet`, without building
    one per team. The marks must have passed `prepare_stage`, so each is None or a finite
    Decimal: sorting then fails only when a None is among the numbers.
    """
    column: dict[str, Value] = {}
    missing = Unknown.MISSING
    undisclosed = Unknown.NOT_DISCLOSED
    for team in teams:
        by_evaluator = marks.get(team)
        if not by_evaluator:
            column[team] = missing
            continue
        try:
            values = sorted(by_evaluator.values())  # type: ignore[type-var]
        except TypeError:  # None among numbers: a mark is not disclosed
            column[team] = undisclosed
            continue
        if values[0] is None:  # one mark, not disclosed (several would not sort)
            column[team] = undisclosed
            continue
        # Sorted without a TypeError and the first is not None: every mark is a number.
        column[team] = _known_value(spec, cast("list[Decimal]", values))
    return column
