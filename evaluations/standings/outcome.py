"""The proposed outcome of each team: who advances, who is out, and who needs a decision.

Concepts
--------
*Proposed outcome*: what the numbers say. Staff record the final outcome as a decision
(`decisions.apply_decisions`); the proposal never decides on its own where a committee must.

*Precedence* (the first that applies wins):

1. A failed gate: DISQUALIFIED / GATE_FAILED, whatever the score, including for a team that joined
   later (exemption from the ranking is not exemption from independence).
2. `ranked=False`: NOT_RANKED / JOINED_LATER.
3. A gate without a result (missing or `passed=None`): NOT_RANKED / GATE_PENDING.
4. An unknown total: NOT_RANKED / NOT_DISCLOSED or INCOMPLETE.
5. Otherwise the team is *eligible* and the rule decides.

*The rule*, applied to the eligible teams in ranking order:

* NONE: everyone ADVANCED / NO_ELIMINATION.
* THRESHOLD: total >= threshold ADVANCED / ABOVE_LINE, else ELIMINATED / BELOW_LINE.
* ELIMINATE_LOWEST N: the N lowest ELIMINATED / BELOW_LINE, the rest ADVANCED / ABOVE_LINE
  (N at least the number of eligible teams eliminates them all).
* KEEP_TOP K: the top K ADVANCED / ABOVE_LINE, the rest ELIMINATED / BELOW_LINE.

So a stage can lose more teams than its rule says: stage 1 eliminated the lowest team (NC AI)
and disqualified Naver Cloud, which ranked in the top four by score.

*Tie at the line*: when teams sharing a rank would land on both sides of the line, every team of
that group is TIE_AT_LINE / TIE_AT_LINE: a committee has to decide, never a draw.

*Open teams and an undrawable line*: a ranked team whose gate is pending or whose total is
unknown may still join the eligible teams, at a position we may not know. Under ELIMINATE_LOWEST
and KEEP_TOP that can move the line. An eligible team keeps its proposal only if it is the same
in every way the open teams could resolve; otherwise it is NOT_RANKED / INCOMPLETE, naming the
open teams. Three scenarios suffice, because a team's outcome only worsens as teams join above
it (KEEP_TOP) and only improves as teams join below it (ELIMINATE_LOWEST): (a) no open team
joins; (b) all join, unknown totals above everyone; (c) all join, unknown totals below everyone.
THRESHOLD and NONE decide each team on its own, so open teams never affect them.

Algorithm (`propose_outcomes`)
------------------------------
1. Sort every team into disqualified, joined later, gate pending, unknown total, or eligible.
2. Keep the ranking groups (from `ranking.rank_groups`) restricted to the eligible teams.
3. Draw the line on those groups (the rule's cut position; a group across it is a tie).
4. If open teams could move the line, draw it in scenarios (b) and (c) too, and mark the
   eligible teams whose outcome differs between scenarios as undecidable for now.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from evaluations.standings.aggregation import Unknown, Value
from evaluations.standings.prepare import PreparedStage
from evaluations.standings.ranking import Group
from evaluations.standings.types import Outcome, ReasonCode, RuleKind


@dataclass(frozen=True, slots=True)
class Proposal:
    outcome: Outcome
    reason: ReasonCode
    position: int | None = None  # competition rank among the eligible teams
    eligible: int = 0  # how many eligible teams the rule was applied to
    tied_with: tuple[str, ...] = ()  # the other teams of a group tied across the line
    gates: tuple[str, ...] = ()  # failed or pending gates
    waiting_for: tuple[str, ...] = ()  # open teams that keep the line from being drawn


class _Unplaced:
    """An open team whose total is unknown, placed at one end of a scenario's ranking."""

    __slots__ = ()


_Line = dict[Hashable, tuple[Outcome, ReasonCode, int, tuple[Hashable, ...]]]


def _draw_line(groups: Sequence[Sequence[Hashable]], kind: RuleKind, count: int) -> _Line:
    size = sum(len(group) for group in groups)
    cut = count if kind is RuleKind.KEEP_TOP else size - count
    line: _Line = {}
    start = 0
    for group in groups:
        end = start + len(group)
        if end <= cut:
            verdict = (Outcome.ADVANCED, ReasonCode.ABOVE_LINE)
        elif start >= cut:
            verdict = (Outcome.ELIMINATED, ReasonCode.BELOW_LINE)
        else:
            verdict = (Outcome.TIE_AT_LINE, ReasonCode.TIE_AT_LINE)
        for team in group:
            line[team] = (*verdict, start + 1, tuple(group))
        start = end
    return line


def _restrict(groups: Sequence[Group], members: set[str]) -> list[Group]:
    restricted = (tuple(team for team in group if team in members) for group in groups)
    return [group for group in restricted if group]


def _unknown_reason(total: Unknown) -> ReasonCode:
    if total is Unknown.NOT_DISCLOSED:
        return ReasonCode.NOT_DISCLOSED
    return ReasonCode.INCOMPLETE


def propose_outcomes(
    prepared: PreparedStage, totals: Mapping[str, Value], groups: Sequence[Group]
) -> dict[str, Proposal]:
    """Each team's proposed outcome (see the module docstring for the rules and steps)."""
    proposals: dict[str, Proposal] = {}
    eligible: set[str] = set()
    open_teams: list[str] = []
    for team in prepared.team_codes:
        failed = prepared.failed_gates[team]
        pending = prepared.pending_gates[team]
        total = totals[team]
        if failed:
            proposals[team] = Proposal(Outcome.DISQUALIFIED, ReasonCode.GATE_FAILED, gates=failed)
        elif not prepared.entries[team].ranked:
            proposals[team] = Proposal(Outcome.NOT_RANKED, ReasonCode.JOINED_LATER)
        elif pending:
            proposals[team] = Proposal(Outcome.NOT_RANKED, ReasonCode.GATE_PENDING, gates=pending)
            open_teams.append(team)
        elif isinstance(total, Unknown):
            proposals[team] = Proposal(Outcome.NOT_RANKED, _unknown_reason(total))
            open_teams.append(team)
        else:
            eligible.add(team)

    rule = prepared.rule
    ordered = _restrict(groups, eligible)
    if rule.kind is RuleKind.NONE or rule.kind is RuleKind.THRESHOLD:
        _decide_each(proposals, ordered, len(eligible), totals, rule.kind, rule.threshold)
        return proposals

    count = rule.count or 0
    line = _draw_line(ordered, rule.kind, count)
    scenarios: list[_Line] = []
    if open_teams:
        joined = _restrict(groups, eligible | set(open_teams))
        unplaced = [(_Unplaced(),) for team in open_teams if isinstance(totals[team], Unknown)]
        scenarios.append(_draw_line([*unplaced, *joined], rule.kind, count))
        scenarios.append(_draw_line([*joined, *unplaced], rule.kind, count))
    waiting_for = tuple(sorted(open_teams))
    for team in eligible:
        outcome, reason, position, group = line[team]
        if any(scenario[team][0] is not outcome for scenario in scenarios):
            proposals[team] = Proposal(
                Outcome.NOT_RANKED, ReasonCode.INCOMPLETE, waiting_for=waiting_for
            )
            continue
        proposals[team] = Proposal(
            outcome,
            reason,
            position=position,
            eligible=len(eligible),
            tied_with=tuple(other for other in group if isinstance(other, str) and other != team),
        )
    return proposals


def _decide_each(
    proposals: dict[str, Proposal],
    ordered: Sequence[Group],
    eligible: int,
    totals: Mapping[str, Value],
    kind: RuleKind,
    threshold: Decimal | None,
) -> None:
    """NONE and THRESHOLD: each eligible team's outcome depends on its own total only."""
    start = 0
    for group in ordered:
        for team in group:
            total = totals[team]
            if kind is RuleKind.NONE:
                verdict = (Outcome.ADVANCED, ReasonCode.NO_ELIMINATION)
            elif threshold is not None and isinstance(total, Decimal) and total >= threshold:
                verdict = (Outcome.ADVANCED, ReasonCode.ABOVE_LINE)
            else:
                verdict = (Outcome.ELIMINATED, ReasonCode.BELOW_LINE)
            proposals[team] = Proposal(*verdict, position=start + 1, eligible=eligible)
        start += len(group)
