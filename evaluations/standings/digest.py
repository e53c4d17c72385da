"""A fingerprint of a stage's inputs, so an unchanged stage is never recomputed.

Concepts
--------
*Input digest*: the SHA-256 (hex) of a canonical text of everything that can change a result:
the engine version, the criteria, the teams, every mark, the gate results, the gates in use and
the rule. Two inputs that mean the same get the same digest:

* order does not matter: criteria, teams, marks, gate results and gate codes are sorted; only
  the tie-break chain keeps its order, because its order changes the ranking;
* a mark is the same whether given as a `Mark` or as a `MarkRow` tuple;
* numbers are written exactly and canonically (digits without trailing zeros, and an exponent),
  so Decimal("9.2") and Decimal("9.20") are the same number, and no two different numbers are,
  however many digits they have; an undisclosed mark (None) is written "-", which no number is;
* codes are written with `repr` of lists and tuples of strings, which cannot be confused with
  other content whatever characters the codes contain.

Algorithm (`input_digest`)
--------------------------
1. Prepare the stage (`prepare.prepare_stage`: the checks and the grouping of the marks as
   criterion -> team -> evaluator -> value that computing the standings needs anyway, kept on
   the stage so `compute_standings` reuses it).
2. Valid stage: write the marks from that grouping, each level sorted (`_grouped_marks`): the
   criteria, each criterion's teams, each team's evaluators, and all the values in that order.
   Sorting 1,000 teams per criterion and looking up the order of 10 evaluators per team is much
   cheaper than sorting 200,000 marks, and a valid stage has at most one mark per (criterion,
   team, evaluator), so the grouping holds every mark.
3. Invalid stage (the computation will fail; the digest does not validate): write the marks as
   a sorted multiset, so a duplicated mark still changes the digest. The two ways are marked in
   the text, so they can never give the same text.
4. Write the small parts (rule, gate codes, criteria, teams, gate results) sorted, and hash.

Including `ENGINE_VERSION` means a new engine forces a recompute of unchanged inputs.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from evaluations.standings.errors import StandingsInputError
from evaluations.standings.prepare import PreparedStage, prepare_stage
from evaluations.standings.types import ENGINE_VERSION, Mark, StageInput

UNDISCLOSED = "-"  # the text of a mark recorded as not disclosed (value None)
_KNOWN_ORDERS = 1_000
_GATE_STATES: dict[bool | None, str] = {True: "passed", False: "failed", None: "pending"}


def _exact(value: Decimal) -> str:
    """Canonical text of a finite Decimal: 9.2 and 9.20 are "92e-1"; every zero is "0"."""
    sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    if not text:
        return "0"
    assert isinstance(exponent, int)
    return f"{'-' if sign else ''}{text}e{exponent + len(digits) - len(text)}"


def _number(value: object) -> str:
    """Canonical text of anything given as a number; what is not a finite Decimal keeps its type,
    so it can never pass for a valid number."""
    if value is None:
        return UNDISCLOSED
    if isinstance(value, Decimal) and value.is_finite():
        return _exact(value)
    return f"{type(value).__name__}:{value!r}"


def _grouped_marks(prepared: PreparedStage) -> tuple[list[object], str]:
    """The marks of a valid stage as a layout and one comma-separated text of every value.

    The layout: the distinct sets of evaluators, each sorted, numbered in order of first use;
    then per criterion (sorted) its code, its teams with marks (sorted) and the number of each
    team's set of evaluators. The values follow in that order: criterion, team, evaluator.

    A stage's groups nearly all share one set of evaluators, so each set is written once. The
    marks of a group usually arrive in the same order as in other groups (the order rows come
    out of the database), so a group's order is looked up rather than sorted; up to
    `_KNOWN_ORDERS` orders are remembered, so marks in no order at all cost one sort per group.
    After `prepare_stage` every value is None or a finite plain Decimal, whose `str` is exact,
    so each distinct text is made canonical once.
    """
    numbers: dict[tuple[str, ...], int] = {}  # sorted evaluators -> number
    # evaluators in the order they came -> (number, sorted order, or None when already sorted)
    orders: dict[tuple[str, ...], tuple[int, tuple[str, ...] | None]] = {}
    criteria: list[tuple[str, list[str], list[int]]] = []
    values: list[Decimal | None] = []
    extend = values.extend
    for code in sorted(prepared.marks):
        by_team = prepared.marks[code]
        teams = sorted(by_team)
        used: list[int] = []
        for team in teams:
            by_evaluator = by_team[team]
            keys = tuple(by_evaluator)
            order = orders.get(keys)
            if order is None:
                sorted_keys = tuple(sorted(keys))
                number = numbers.setdefault(sorted_keys, len(numbers))
                order = (number, None if sorted_keys == keys else sorted_keys)
                if len(orders) < _KNOWN_ORDERS:
                    orders[keys] = order
            number, ordered = order
            used.append(number)
            if ordered is None:
                extend(by_evaluator.values())
            else:
                extend(map(by_evaluator.__getitem__, ordered))
        criteria.append((code, teams, used))
    canonical = _CanonicalTexts()
    return [list(numbers), criteria], ",".join(map(canonical.__getitem__, map(str, values)))


class _CanonicalTexts(dict[str, str]):
    """`str(value)` -> canonical text, for the values of checked marks (None or a plain Decimal),
    each distinct text worked out once: a stage repeats few distinct marks."""

    def __missing__(self, text: str) -> str:
        canonical = self[text] = UNDISCLOSED if text == "None" else _exact(Decimal(text))
        return canonical


def _listed_marks(stage: StageInput) -> list[tuple[object, ...]]:
    """The marks of an invalid stage as a sorted multiset, whatever form each was given in."""
    rows: list[tuple[object, ...]] = []
    for mark in stage.marks:
        if isinstance(mark, Mark):
            rows.append((mark.team, mark.criterion, mark.evaluator, _number(mark.value)))
        elif isinstance(mark, tuple) and len(mark) == 4:
            team, criterion, evaluator, value = mark
            rows.append((team, criterion, evaluator, _number(value)))
        else:
            rows.append(("malformed", type(mark).__name__, repr(mark)))
    # Malformed rows have three items, so they sort among the others without confusion.
    return sorted(rows, key=lambda row: tuple(map(repr, row)))


def _text(stage: StageInput) -> str:
    try:
        prepared = prepare_stage(stage)
    except (StandingsInputError, TypeError):
        form = "listed"
        marks: object = _listed_marks(stage)
        values = ""
    else:
        form = "grouped"
        marks, values = _grouped_marks(prepared)
    rule = stage.rule
    criteria = sorted(
        (
            spec.code,
            "" if spec.max_points is None else _number(spec.max_points),
            str(spec.aggregation),
            spec.parent or "",
            "" if spec.target is None else _number(spec.target),
            "" if spec.teams is None else repr(sorted(spec.teams)),
            spec.order,
        )
        for spec in stage.criteria
    )
    teams = sorted((entry.code, bool(entry.ranked)) for entry in stage.teams)
    gates = sorted((mark.team, mark.gate, _GATE_STATES[mark.passed]) for mark in stage.gates)
    head = (
        "engine",
        ENGINE_VERSION,
        "rule",
        str(rule.kind),
        rule.count,
        None if rule.threshold is None else _number(rule.threshold),
        list(rule.tie_break),
        "gate_codes",
        sorted(set(stage.gate_codes)),
        "marks",
        form,
    )
    return f"{[head, criteria, teams, gates, marks]!r}\n{values}"


def input_digest(stage: StageInput) -> str:
    """SHA-256 hex of the canonical, order-independent text of the stage's inputs.

    It prepares the stage, and keeps the preparation on it for `compute_standings` and
    `sensitivity_check`; an invalid stage still gets a digest.
    """
    return hashlib.sha256(_text(stage).encode("utf-8")).hexdigest()
