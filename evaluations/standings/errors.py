"""The errors the standings core raises.

One base class, `StandingsError`, so a caller can catch everything the core reports about its
inputs with a single `except`. Two kinds are told apart because callers react differently:

* `StandingsInputError` (also a `ValueError`): the stage's inputs are inconsistent, e.g. a mark
  for a criterion that does not exist, a parent cycle, or a mark above the criterion's maximum.
  The message names the team, criterion, evaluator or gate; the same names are kept as
  attributes so a form or an import can point at the offending field or row.
* `DecisionError`: recorded decisions do not fit the proposed outcome (an override without a
  reason, or a team that needs a committee decision and has none). The message names the teams.
"""

from __future__ import annotations


class StandingsError(Exception):
    """Base class of every error the standings core raises on purpose."""


class StandingsInputError(StandingsError, ValueError):
    """The stage's inputs cannot be computed; the message says which item and why."""

    def __init__(
        self,
        message: str,
        *,
        team: str | None = None,
        criterion: str | None = None,
        evaluator: str | None = None,
        gate: str | None = None,
    ) -> None:
        super().__init__(message)
        self.team = team
        self.criterion = criterion
        self.evaluator = evaluator
        self.gate = gate


class DecisionError(StandingsError):
    """Recorded decisions are missing or unjustified for the teams named in the message."""

    def __init__(self, message: str, *, teams: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.teams = teams
