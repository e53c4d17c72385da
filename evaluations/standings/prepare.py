"""Checking a stage's inputs and indexing them once for every computation that follows.

Concepts
--------
*Applicability*: a criterion applies to a team when neither it nor any of its ancestors is limited
to other teams (`CriterionSpec.teams`). Codes in `teams` that are not in the stage are ignored,
so one criteria tree can serve a stage that some teams have left.

*Input errors* (`StandingsInputError`, message naming the team, criterion, evaluator or gate):
duplicate team or criterion codes; an unknown parent or a parent cycle; a SUM criterion without
children or a non-SUM criterion with children; a maximum or target that is not a positive
Decimal; a target on a SUM criterion; a mark for an unknown team or criterion, for a SUM
criterion, or for a criterion that does not apply to the team; a mark value that is not a finite
Decimal, is negative, or is above the maximum of a criterion without a target; two marks from one
evaluator for the same team and criterion (for DIRECT: more than one entered value); an evaluator
on a DIRECT criterion; a mark that is neither a `Mark` nor a 4-tuple; a gate result for an
unknown team or a gate not used in the stage; an incomplete rule (no count, no threshold,
unknown tie-break criterion). A mark gives the same error whether it is a `Mark` or a `MarkRow`.

Algorithm (`prepare_stage`)
---------------------------
1. Index the teams by code (sorted, so nothing later depends on input order).
2. Index the criteria, check each one, walk every parent chain to reject cycles, and derive the
   display order (depth first, by `order` then code) and a children-first order for computing.
3. Work out which stage teams each criterion applies to.
4. Check the rule and the gate results; list each team's failed and pending gates.
5. Pass over the marks once, checking each and grouping them as
   criterion -> team -> evaluator -> value; grouping by evaluator is what catches duplicates.
   `Mark` objects are read as `MarkRow` tuples first, so both forms take the same path.

The result is kept on the `StageInput`: `input_digest`, `compute_standings` and
`sensitivity_check` of one stage check and group its marks once between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any, NoReturn, cast

from evaluations.standings.errors import StandingsInputError
from evaluations.standings.types import (
    Aggregation,
    CriterionSpec,
    Mark,
    MarkRow,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
)

# criterion -> team -> evaluator -> value
MarkIndex = dict[str, dict[str, dict[str, Decimal | None]]]


@dataclass(frozen=True, slots=True)
class PreparedStage:
    specs: Mapping[str, CriterionSpec]
    children: Mapping[str, tuple[str, ...]]  # in display order
    display_order: tuple[str, ...]  # parents before children
    compute_order: tuple[str, ...]  # children before parents
    top_level: tuple[str, ...]
    leaves: tuple[str, ...]
    teams_for: Mapping[str, tuple[str, ...]]  # criterion -> sorted stage teams it applies to
    team_codes: tuple[str, ...]  # sorted
    entries: Mapping[str, TeamEntry]
    marks: MarkIndex
    failed_gates: Mapping[str, tuple[str, ...]]
    pending_gates: Mapping[str, tuple[str, ...]]
    rule: Rule

    def chain(self, code: str) -> tuple[str, ...]:
        """The criterion and its ancestors, from the criterion up to the top level."""
        codes = [code]
        while (parent := self.specs[codes[-1]].parent) is not None:
            codes.append(parent)
        return tuple(codes)


def _is_decimal(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _index_teams(teams: tuple[TeamEntry, ...]) -> dict[str, TeamEntry]:
    entries: dict[str, TeamEntry] = {}
    for entry in teams:
        if entry.code in entries:
            raise StandingsInputError(f"Team {entry.code!r} is listed twice.", team=entry.code)
        entries[entry.code] = entry
    return dict(sorted(entries.items()))


def _check_criterion(spec: CriterionSpec) -> None:
    code = spec.code
    if not isinstance(spec.aggregation, Aggregation):
        raise StandingsInputError(
            f"Criterion {code!r}: unknown aggregation {spec.aggregation!r}.", criterion=code
        )
    for name, value in (("maximum", spec.max_points), ("target", spec.target)):
        if value is not None and not (_is_decimal(value) and value > 0):
            raise StandingsInputError(
                f"Criterion {code!r}: the {name} must be a positive Decimal, not {value!r}.",
                criterion=code,
            )
    if spec.target is not None and spec.aggregation is Aggregation.SUM:
        raise StandingsInputError(
            f"Criterion {code!r}: a target applies to marks, not to the sum of sub-criteria.",
            criterion=code,
        )


def _index_criteria(
    criteria: tuple[CriterionSpec, ...],
) -> tuple[dict[str, CriterionSpec], dict[str, tuple[str, ...]], tuple[str, ...]]:
    specs: dict[str, CriterionSpec] = {}
    for spec in criteria:
        if spec.code in specs:
            raise StandingsInputError(
                f"Criterion {spec.code!r} is defined twice.", criterion=spec.code
            )
        _check_criterion(spec)
        specs[spec.code] = spec

    def display_key(code: str) -> tuple[int, str]:
        return (specs[code].order, code)

    kids: dict[str | None, list[str]] = {}
    for code, spec in specs.items():
        if spec.parent is not None and spec.parent not in specs:
            raise StandingsInputError(
                f"Criterion {code!r}: its parent {spec.parent!r} is not defined.", criterion=code
            )
        kids.setdefault(spec.parent, []).append(code)

    acyclic: set[str] = set()
    for code in specs:
        path: list[str] = []
        current: str | None = code
        while current is not None and current not in acyclic:
            if current in path:
                cycle = " -> ".join([*path[path.index(current) :], current])
                raise StandingsInputError(
                    f"Criterion {current!r} is its own ancestor: {cycle}.", criterion=current
                )
            path.append(current)
            current = specs[current].parent
        acyclic.update(path)

    children = {code: tuple(sorted(kids.get(code, ()), key=display_key)) for code in specs}
    for code, spec in specs.items():
        if spec.aggregation is Aggregation.SUM and not children[code]:
            raise StandingsInputError(
                f"Criterion {code!r} adds up its sub-criteria but has none.", criterion=code
            )
        if spec.aggregation is not Aggregation.SUM and children[code]:
            raise StandingsInputError(
                f"Criterion {code!r} has sub-criteria, so its aggregation must be 'sum', "
                f"not {spec.aggregation.value!r}.",
                criterion=code,
            )

    display: list[str] = []
    stack = list(reversed(sorted(kids.get(None, ()), key=display_key)))
    while stack:
        code = stack.pop()
        display.append(code)
        stack.extend(reversed(children[code]))
    return specs, children, tuple(display)


def _teams_for(
    specs: Mapping[str, CriterionSpec], display: tuple[str, ...], team_codes: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    # Display order visits parents first, so a parent's team list is ready for its children.
    teams_for: dict[str, tuple[str, ...]] = {}
    for code in display:
        spec = specs[code]
        inherited = team_codes if spec.parent is None else teams_for[spec.parent]
        if spec.teams is None:
            teams_for[code] = inherited
        else:
            teams_for[code] = tuple(team for team in inherited if team in spec.teams)
    return teams_for


def _check_rule(rule: Rule, specs: Mapping[str, CriterionSpec]) -> None:
    if not isinstance(rule.kind, RuleKind):
        raise StandingsInputError(f"Unknown elimination rule {rule.kind!r}.")
    if rule.kind in (RuleKind.ELIMINATE_LOWEST, RuleKind.KEEP_TOP):
        count = rule.count
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise StandingsInputError(
                f"Rule {rule.kind.value!r} needs a whole number of teams (0 or more), "
                f"not {count!r}."
            )
    if rule.kind is RuleKind.THRESHOLD and not _is_decimal(rule.threshold):
        raise StandingsInputError(
            f"Rule 'threshold' needs a Decimal threshold, not {rule.threshold!r}."
        )
    for position, code in enumerate(rule.tie_break):
        if code not in specs:
            raise StandingsInputError(
                f"Tie-break criterion {code!r} is not defined in this stage.", criterion=code
            )
        if code in rule.tie_break[:position]:
            raise StandingsInputError(
                f"Tie-break criterion {code!r} is listed twice.", criterion=code
            )


def _gate_status(
    stage: StageInput, entries: Mapping[str, TeamEntry]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    gate_codes = sorted(set(stage.gate_codes))
    results: dict[tuple[str, str], bool | None] = {}
    for mark in stage.gates:
        names = {"team": mark.team, "gate": mark.gate}
        where = f"Gate result for team {mark.team!r}, gate {mark.gate!r}"
        if mark.team not in entries:
            raise StandingsInputError(f"{where}: the team is not in this stage.", **names)
        if mark.gate not in gate_codes:
            raise StandingsInputError(f"{where}: the gate does not apply in this stage.", **names)
        if mark.passed not in (True, False, None):
            raise StandingsInputError(f"{where}: passed must be True, False or None.", **names)
        if (mark.team, mark.gate) in results:
            raise StandingsInputError(f"{where}: recorded twice.", **names)
        results[(mark.team, mark.gate)] = mark.passed
    failed: dict[str, tuple[str, ...]] = {}
    pending: dict[str, tuple[str, ...]] = {}
    for team in entries:
        failed[team] = tuple(gate for gate in gate_codes if results.get((team, gate)) is False)
        pending[team] = tuple(gate for gate in gate_codes if results.get((team, gate)) is None)
    return failed, pending


def _reject_mark(team: Any, criterion: Any, evaluator: Any, reason: str) -> NoReturn:
    raise StandingsInputError(
        f"Mark for team {team!r}, criterion {criterion!r}, evaluator {evaluator!r}: {reason}",
        team=team,
        criterion=criterion,
        evaluator=evaluator,
    )


def _check_mark(
    team: Any,
    criterion: Any,
    evaluator: Any,
    value: Any,
    specs: Mapping[str, CriterionSpec],
    entries: Mapping[str, TeamEntry],
    allowed: Mapping[str, frozenset[str]],
) -> None:
    """Check one mark thoroughly: raise the matching error, or return when it is valid.

    The slow path for a mark that failed the fast checks of `_group_marks`, which are stricter
    than the rules (a subclass of Decimal or str is valid, though not fast).
    """
    spec = specs.get(criterion)
    if spec is None:
        _reject_mark(team, criterion, evaluator, "the criterion is not defined in this stage.")
    if spec.aggregation is Aggregation.SUM:
        _reject_mark(
            team,
            criterion,
            evaluator,
            "the criterion adds up its sub-criteria; mark those instead.",
        )
    if team not in entries:
        _reject_mark(team, criterion, evaluator, "the team is not in this stage.")
    if not isinstance(evaluator, str):
        _reject_mark(
            team, criterion, evaluator, "the evaluator must be a string ('' for direct points)."
        )
    if evaluator and spec.aggregation is Aggregation.DIRECT:
        _reject_mark(
            team,
            criterion,
            evaluator,
            "the criterion takes points entered directly, with no evaluator.",
        )
    if value is not None:
        if not _is_decimal(value):
            _reject_mark(
                team, criterion, evaluator, f"the value must be a finite Decimal, not {value!r}."
            )
        if value < 0:
            _reject_mark(team, criterion, evaluator, f"the value {value} is negative.")
        bound = spec.max_points if spec.target is None else None
        if bound is not None and value > bound:
            _reject_mark(
                team,
                criterion,
                evaluator,
                f"the value {value} is above the maximum of {bound} points.",
            )
    if team not in allowed[spec.code]:
        _reject_mark(team, criterion, evaluator, "the criterion does not apply to this team.")


def _reject_duplicate(team: Any, criterion: Any, evaluator: Any) -> NoReturn:
    if evaluator:
        _reject_mark(team, criterion, evaluator, "this evaluator already has a mark here.")
    _reject_mark(team, criterion, evaluator, "more than one directly entered value.")


def _reject_malformed(marks: tuple[object, ...]) -> None:
    """Raise for the first mark that is neither a Mark nor a 4-tuple, if it comes before any
    mark with an unhashable code (which fails on its own); otherwise return."""
    for position, mark in enumerate(marks):
        if isinstance(mark, Mark):
            codes: tuple[object, ...] = (mark.team, mark.criterion, mark.evaluator)
        elif isinstance(mark, tuple) and len(mark) == 4:
            codes = mark[:3]
        else:
            raise StandingsInputError(
                f"Mark number {position + 1} must be a Mark or a (team, criterion, evaluator, "
                f"value) tuple, not {mark!r}."
            )
        try:
            hash(codes)
        except TypeError:
            return


_MARK_FIELDS = attrgetter("team", "criterion", "evaluator", "value")


def _as_rows(marks: tuple[Mark | MarkRow, ...]) -> Iterable[MarkRow]:
    """The marks as (team, criterion, evaluator, value) rows; plain tuples pass through as given.

    Only `Mark` objects: each is read into a tuple as the loop reaches it (in C, and the tuple
    is freed at once). A mix: anything that is neither a Mark nor a tuple becomes None, which
    fails to unpack in `_group_marks`, so `_reject_malformed` reports it in its place.
    """
    kinds = set(map(type, marks))
    if kinds <= {tuple}:
        return cast("tuple[MarkRow, ...]", marks)
    if kinds == {Mark}:
        return map(_MARK_FIELDS, marks)
    # Typed Any: malformed input (rejected by the caller) passes through as it came.
    rows: list[Any] = [
        mark
        if mark.__class__ is tuple
        else (mark.team, mark.criterion, mark.evaluator, mark.value)
        if isinstance(mark, Mark)
        else tuple(mark)
        if isinstance(mark, tuple)
        else None
        for mark in marks
    ]
    return rows


def _group_marks(
    marks: tuple[Mark | MarkRow, ...],
    specs: Mapping[str, CriterionSpec],
    leaves: tuple[str, ...],
    teams_for: Mapping[str, tuple[str, ...]],
    entries: Mapping[str, TeamEntry],
) -> MarkIndex:
    # The hot loop of a recompute (200,000 marks for a big stage): one dict lookup gives a
    # criterion's group and checks, one more the team's group, which exists only for the teams
    # the criterion applies to, so it also checks the team. Everything else a valid mark needs
    # is a class check or a comparison; a mark failing any of them is checked again slowly by
    # `_check_mark`, which raises the matching error (or accepts it after all: a subclass of
    # Decimal or str is valid, and is stored as a plain Decimal or str).
    groups: MarkIndex = {}
    checks: dict[str, tuple[dict[str, dict[str, Decimal | None]], bool, Decimal | None]] = {}
    for code in leaves:
        spec = specs[code]
        by_team: dict[str, dict[str, Decimal | None]] = {team: {} for team in teams_for[code]}
        groups[code] = by_team
        bound = spec.max_points if spec.target is None else None
        checks[code] = (by_team, spec.aggregation is Aggregation.DIRECT, bound)
    no_group: dict[str, dict[str, Decimal | None]] = {}
    not_a_leaf = (no_group, False, None)
    allowed: dict[str, frozenset[str]] = {}
    zero = Decimal(0)
    decimal = Decimal
    plain_str = str
    rows = _as_rows(marks)
    try:
        for team, criterion, evaluator, value in rows:
            by_team, direct, bound = checks.get(criterion, not_a_leaf)
            by_evaluator = by_team.get(team)
            if (
                by_evaluator is None
                or evaluator.__class__ is not plain_str
                or (direct and evaluator)
                or (
                    value is not None
                    and (
                        value.__class__ is not decimal
                        or not value.is_finite()
                        or value < zero
                        or (bound is not None and value > bound)
                    )
                )
            ):
                if not allowed:
                    allowed.update((code, frozenset(teams_for[code])) for code in specs)
                _check_mark(team, criterion, evaluator, value, specs, entries, allowed)
                # Valid after all: a subclass of str or Decimal, stored as a plain one.
                by_evaluator = by_team[team]
                key = plain_str.__str__(evaluator)
                if key in by_evaluator:
                    _reject_duplicate(team, criterion, evaluator)
                by_evaluator[key] = None if value is None else decimal(value)
                continue
            if evaluator in by_evaluator:
                _reject_duplicate(team, criterion, evaluator)
            by_evaluator[evaluator] = value
    except (TypeError, ValueError) as error:
        if not isinstance(error, StandingsInputError):
            _reject_malformed(marks)
        raise
    # Only the teams with marks stay, as if the groups had been made mark by mark.
    return {
        code: {team: by_evaluator for team, by_evaluator in by_team.items() if by_evaluator}
        for code, by_team in groups.items()
    }


def prepare_stage(stage: StageInput) -> PreparedStage:
    """Check the stage's inputs and index them; raise StandingsInputError on the first problem.

    The result is kept on the stage, so the digest, the standings and the sensitivity check of
    one `StageInput` share one preparation. Treat it as read-only.
    """
    prepared = stage._prepared
    if isinstance(prepared, PreparedStage):
        return prepared
    prepared = _prepare(stage)
    object.__setattr__(stage, "_prepared", prepared)
    return prepared


def _prepare(stage: StageInput) -> PreparedStage:
    entries = _index_teams(stage.teams)
    team_codes = tuple(entries)
    specs, children, display = _index_criteria(stage.criteria)
    teams_for = _teams_for(specs, display, team_codes)
    _check_rule(stage.rule, specs)
    failed, pending = _gate_status(stage, entries)
    leaves = tuple(code for code in display if not children[code])
    marks = _group_marks(stage.marks, specs, leaves, teams_for, entries)
    return PreparedStage(
        specs=specs,
        children=children,
        display_order=display,
        compute_order=tuple(reversed(display)),
        top_level=tuple(code for code in display if specs[code].parent is None),
        leaves=leaves,
        teams_for=teams_for,
        team_codes=team_codes,
        entries=entries,
        marks=marks,
        failed_gates=failed,
        pending_gates=pending,
        rule=stage.rule,
    )
