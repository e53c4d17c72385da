"""Value types of the standings core: what goes in, what comes out.

Concepts
--------
*Stage*: one evaluation round of the program (e.g. the stage-1 evaluation of January 2026). Its
inputs are a `StageInput`: a criteria tree, the teams taking part, every mark entered, the gate
results and the elimination rule.

*Criterion*: a node of the criteria tree (`CriterionSpec`). A leaf collects marks and aggregates
them (mean, trimmed mean, median, or one directly entered value); a parent (`Aggregation.SUM`)
adds up its children. Stage 1: benchmark 40 = NIA 10 + global common 20 + global individual 10;
expert 35; user 25. A criterion may apply to some teams only (`teams`), as the per-team
"global individual" benchmarks do.

*Mark*: one evaluator's value for one team on one leaf criterion, or the directly entered points
(evaluator ""). `value=None` records that the ministry did not disclose the number, which is
different from a mark that was never entered. A stage may also give its marks as plain
`MarkRow` tuples `(team, criterion, evaluator, value)`, the same four fields in the same order:
building 200,000 `Mark` objects costs more than computing with them, so a service reading rows
from a database passes the rows as they come. Either form, or a mix, gives the same results,
errors and digest.

*Gate*: a pass/fail requirement (e.g. independence, 독자성). Failing any gate disqualifies a team
whatever its score; a gate not yet decided keeps the team's outcome open.

*Rule*: how the stage eliminates teams (none, the lowest N, keep the top K, or a threshold), with
an ordered tie-break chain of criteria.

*Standing*: one team's published points per criterion, total, competition rank and proposed
outcome with a reason code and a one-sentence reason in Korean and English (`TeamStanding`).

Everything here is an immutable dataclass and every number a `Decimal`, so results can be hashed,
cached, compared and pickled, and no float ever rounds a published score.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# Bump whenever a change here can change any result for the same inputs: stored snapshots carry
# it, and the input digest includes it, so a new engine forces a recompute.
ENGINE_VERSION = "1"


class Aggregation(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    DIRECT = "direct"
    SUM = "sum"  # a parent: the points of its children, scaled to its maximum


class RuleKind(StrEnum):
    NONE = "none"
    ELIMINATE_LOWEST = "eliminate_lowest"
    KEEP_TOP = "keep_top"
    THRESHOLD = "threshold"


class Outcome(StrEnum):
    ADVANCED = "advanced"
    ELIMINATED = "eliminated"
    DISQUALIFIED = "disqualified"
    TIE_AT_LINE = "tie_at_line"
    NOT_RANKED = "not_ranked"


class ReasonCode(StrEnum):
    ABOVE_LINE = "above_line"
    NO_ELIMINATION = "no_elimination"
    BELOW_LINE = "below_line"
    GATE_FAILED = "gate_failed"
    GATE_PENDING = "gate_pending"
    TIE_AT_LINE = "tie_at_line"
    JOINED_LATER = "joined_later"
    NOT_DISCLOSED = "not_disclosed"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    code: str
    max_points: Decimal | None  # None: maximum not disclosed, so totals cannot be computed
    aggregation: Aggregation
    parent: str | None = None
    target: Decimal | None = None  # points = max x min(1, achieved / target)
    teams: frozenset[str] | None = None  # None: applies to every team
    order: int = 0

    def __post_init__(self) -> None:
        if self.teams is not None and not isinstance(self.teams, frozenset):
            object.__setattr__(self, "teams", frozenset(self.teams))


@dataclass(frozen=True, slots=True)
class Mark:
    team: str
    criterion: str
    evaluator: str = ""  # "" for directly entered points
    value: Decimal | None = None  # None: recorded as "not disclosed"


# A mark as a plain tuple: (team, criterion, evaluator, value), the fields of `Mark` in order.
MarkRow = tuple[str, str, str, Decimal | None]


@dataclass(frozen=True, slots=True)
class GateMark:
    team: str
    gate: str
    passed: bool | None  # None: not yet decided


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    count: int | None = None  # N for ELIMINATE_LOWEST, K for KEEP_TOP
    threshold: Decimal | None = None  # THRESHOLD: total >= threshold advances
    tie_break: tuple[str, ...] = ()  # criterion codes compared in order, higher is better

    def __post_init__(self) -> None:
        if not isinstance(self.tie_break, tuple):
            object.__setattr__(self, "tie_break", tuple(self.tie_break))


@dataclass(frozen=True, slots=True)
class TeamEntry:
    code: str
    ranked: bool = True  # False: joined later or exempt; never ranked or eliminated here


@dataclass(frozen=True, slots=True)
class StageInput:
    criteria: tuple[CriterionSpec, ...]
    teams: tuple[TeamEntry, ...]
    marks: tuple[Mark | MarkRow, ...]  # Mark objects, MarkRow tuples, or a mix of both
    gates: tuple[GateMark, ...] = ()
    gate_codes: tuple[str, ...] = ()  # a team with no GateMark for one of these is pending
    rule: Rule = Rule(RuleKind.NONE)
    # The checked and indexed inputs (`prepare.prepare_stage`), kept after the first use so that
    # the digest, the standings and the sensitivity check of one stage check and group its marks
    # only once. The inputs are immutable, so it can never go stale; it takes no part in
    # comparing, hashing, printing or pickling.
    _prepared: object = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Callers often hold lists or generators; storing tuples keeps the input immutable.
        for name in ("criteria", "teams", "marks", "gates", "gate_codes"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def __getstate__(self) -> tuple[object, ...]:
        return (self.criteria, self.teams, self.marks, self.gates, self.gate_codes, self.rule)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        names = ("criteria", "teams", "marks", "gates", "gate_codes", "rule")
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_prepared", None)


class FrozenPoints(Mapping[str, Decimal | None]):
    """Criterion code -> published points, read-only, hashable and picklable.

    Iterates in display order (the criteria tree, depth first, by `order` then code). Criteria
    that do not apply to the team are absent; `None` means the points are not known.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: Iterable[tuple[str, Decimal | None]] = ()) -> None:
        self._items: tuple[tuple[str, Decimal | None], ...] = tuple(items)
        self._index: dict[str, Decimal | None] = dict(self._items)

    def __getitem__(self, code: str) -> Decimal | None:
        return self._index[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenPoints):
            return self._index == other._index
        if isinstance(other, Mapping):
            return self._index == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._index.items()))

    def __repr__(self) -> str:
        return f"FrozenPoints({self._index!r})"

    def __reduce__(
        self,
    ) -> tuple[type[FrozenPoints], tuple[tuple[tuple[str, Decimal | None], ...]]]:
        return (FrozenPoints, (self._items,))


@dataclass(frozen=True, slots=True)
class TeamStanding:
    team: str
    points: Mapping[str, Decimal | None]  # a FrozenPoints; criterion code -> published points
    total: Decimal | None
    rank: int | None  # competition rank among ranked teams with a total, gates aside
    tied: bool  # shares its rank with another team
    outcome: Outcome
    reason: ReasonCode
    reason_ko: str
    reason_en: str
    failed_gates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StandingsResult:
    rows: tuple[TeamStanding, ...]  # by rank (unranked last), then team code
    _by_team: Mapping[str, TeamStanding] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if not isinstance(self.rows, tuple):
            object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "_by_team", {row.team: row for row in self.rows})

    def row(self, team: str) -> TeamStanding:
        try:
            return self._by_team[team]
        except KeyError:
            raise KeyError(f"Team {team!r} has no row in these standings.") from None


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    outcome: Outcome  # ADVANCED, ELIMINATED or DISQUALIFIED
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FinalOutcome:
    team: str
    proposed: Outcome
    final: Outcome
    overridden: bool  # a decision recorded an outcome other than the proposal
    reason: str


@dataclass(frozen=True, slots=True)
class Flip:
    change: str  # e.g. "weight expert +10%" or "without evaluator E03"
    team: str
    outcome_before: Outcome
    outcome_after: Outcome
    change_ko: str = ""  # the same change in Korean, e.g. "expert 가중치 +10%"


SUMMARY_FLIPS = 10  # a summary lists this many flips; `flips` always holds them all


@dataclass(frozen=True, slots=True)
class SensitivityReport:
    robust: bool
    flips: tuple[Flip, ...]

    @property
    def summary_en(self) -> str:
        if self.robust:
            return "robust"
        listed = "; ".join(
            f"{flip.change}: {flip.team} {flip.outcome_before} -> {flip.outcome_after}"
            for flip in self.flips[:SUMMARY_FLIPS]
        )
        more = len(self.flips) - SUMMARY_FLIPS
        return f"{listed}; and {more} more" if more > 0 else listed

    @property
    def summary_ko(self) -> str:
        if self.robust:
            return "견고함"
        listed = "; ".join(
            f"{flip.change_ko or flip.change}: {flip.team} {flip.outcome_before} → "
            f"{flip.outcome_after}"
            for flip in self.flips[:SUMMARY_FLIPS]
        )
        more = len(self.flips) - SUMMARY_FLIPS
        return f"{listed}; 외 {more}건" if more > 0 else listed
