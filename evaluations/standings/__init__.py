"""The pure standings core: a stage's inputs in, standings and proposed outcomes out.

Nothing here imports Django. Inputs and outputs are frozen dataclasses, every number is a
`Decimal`, and the result never depends on the order of the inputs or on chance. The modules:

* `types`: the value types and `ENGINE_VERSION`; marks are `Mark` objects or plain `MarkRow`
  tuples `(team, criterion, evaluator, value)`, with the same results either way;
* `prepare`: input checks (`StandingsInputError`) and indexing, done once per `StageInput` and
  shared by the digest, the standings and the sensitivity check;
* `aggregation`: marks to leaf points, and the one rounding rule;
* `scoring`: points up the criteria tree, and totals;
* `ranking`: competition ranking with a tie-break chain;
* `outcome` and `reasons`: the proposed outcome and its sentence in Korean and English;
* `compute`: `compute_standings`, the entry point;
* `sensitivity`: `sensitivity_check`, flips under +/-10% weights or without one evaluator;
* `digest`: `input_digest`, to skip recomputing unchanged inputs;
* `decisions`: `apply_decisions`, the committee's final outcomes.
"""

from evaluations.standings.aggregation import aggregate, publish_points
from evaluations.standings.compute import compute_standings
from evaluations.standings.decisions import apply_decisions
from evaluations.standings.digest import input_digest
from evaluations.standings.errors import DecisionError, StandingsError, StandingsInputError
from evaluations.standings.sensitivity import sensitivity_check
from evaluations.standings.types import (
    ENGINE_VERSION,
    Aggregation,
    CriterionSpec,
    FinalOutcome,
    Flip,
    FrozenPoints,
    GateMark,
    Mark,
    MarkRow,
    Outcome,
    ReasonCode,
    RecordedDecision,
    Rule,
    RuleKind,
    SensitivityReport,
    StageInput,
    StandingsResult,
    TeamEntry,
    TeamStanding,
)

__all__ = [
    "ENGINE_VERSION",
    "Aggregation",
    "CriterionSpec",
    "DecisionError",
    "FinalOutcome",
    "Flip",
    "FrozenPoints",
    "GateMark",
    "Mark",
    "MarkRow",
    "Outcome",
    "ReasonCode",
    "RecordedDecision",
    "Rule",
    "RuleKind",
    "SensitivityReport",
    "StageInput",
    "StandingsError",
    "StandingsInputError",
    "StandingsResult",
    "TeamEntry",
    "TeamStanding",
    "aggregate",
    "apply_decisions",
    "compute_standings",
    "input_digest",
    "publish_points",
    "sensitivity_check",
]
