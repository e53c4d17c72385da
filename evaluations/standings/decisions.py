"""Applying the committee's recorded decisions to the proposed outcomes.

Concepts
--------
*Recorded decision*: the final outcome staff record for a team (ADVANCED, ELIMINATED or
DISQUALIFIED) with a reason. It may confirm the proposal or override it.

*Final outcome*: the decision when there is one, otherwise the proposal. `overridden` says the
decision differs from the proposal; its reason is the decision's reason (or, when a decision
confirms the proposal without a reason, and when there is no decision, the proposal's English
reason sentence).

A decision is required, and `DecisionError` raised naming every team concerned, when:

* the proposal is TIE_AT_LINE or NOT_RANKED (the numbers cannot decide) and no decision exists;
* a decision differs from the proposal and its reason is blank;
* a decision names a team that is not in the standings, or an outcome other than ADVANCED,
  ELIMINATED or DISQUALIFIED.
"""

from __future__ import annotations

from collections.abc import Mapping

from evaluations.standings.errors import DecisionError
from evaluations.standings.types import FinalOutcome, Outcome, RecordedDecision, StandingsResult

FINAL_OUTCOMES = frozenset({Outcome.ADVANCED, Outcome.ELIMINATED, Outcome.DISQUALIFIED})
NEEDS_DECISION = frozenset({Outcome.TIE_AT_LINE, Outcome.NOT_RANKED})


def apply_decisions(
    result: StandingsResult, decisions: Mapping[str, RecordedDecision]
) -> tuple[FinalOutcome, ...]:
    """Final outcomes in the order of `result.rows`; raise DecisionError listing every problem."""
    problems: list[tuple[str, str]] = []
    known = {row.team for row in result.rows}
    for team in sorted(set(decisions) - known):
        problems.append((team, f"{team}: there is no such team in these standings."))
    finals: list[FinalOutcome] = []
    for row in result.rows:
        decision = decisions.get(row.team)
        if decision is None:
            if row.outcome in NEEDS_DECISION:
                problems.append(
                    (
                        row.team,
                        f"{row.team}: the proposal is {row.outcome!s} "
                        f"({row.reason_en.rstrip('.')}), so a decision must be recorded.",
                    )
                )
            finals.append(FinalOutcome(row.team, row.outcome, row.outcome, False, row.reason_en))
            continue
        reason = decision.reason.strip()
        if decision.outcome not in FINAL_OUTCOMES:
            problems.append(
                (
                    row.team,
                    f"{row.team}: a decision must be advanced, eliminated or disqualified, "
                    f"not {decision.outcome!s}.",
                )
            )
        elif decision.outcome != row.outcome and not reason:
            problems.append(
                (
                    row.team,
                    f"{row.team}: the decision {decision.outcome!s} differs from the "
                    f"proposal {row.outcome!s} and needs a reason.",
                )
            )
        final = Outcome(decision.outcome) if decision.outcome in FINAL_OUTCOMES else row.outcome
        finals.append(
            FinalOutcome(
                team=row.team,
                proposed=row.outcome,
                final=final,
                overridden=final != row.outcome,
                reason=reason or row.reason_en,
            )
        )
    if problems:
        problems.sort()
        raise DecisionError(
            "Decisions cannot be applied: " + " ".join(message for _team, message in problems),
            teams=tuple(dict.fromkeys(team for team, _message in problems)),
        )
    return tuple(finals)
