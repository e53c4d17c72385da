"""Competition ranking ("1224") of teams by published total, with a tie-break chain.

Concepts
--------
*Competition ranking*: teams that stand equal share a rank and the following rank is skipped:
1, 2, 2, 4. Teams that share a rank are flagged `tied`.

*Who gets a rank*: every team with `ranked=True` and a known total. Gates play no part here: a
team can rank in the top four by score and still be disqualified by a gate, and the public
record shows both facts. Teams that joined later (`ranked=False`) get no rank.

*Tie-break chain* (`Rule.tie_break`): criterion codes compared in order on published points,
higher first. A step separates a group of teams that are equal so far only if every team in that
group has known points on that criterion; otherwise the step is skipped for that group and the
next one tried, because splitting on a number that one of them lacks would decide by omission.
Teams still equal at the end share the rank. There is never a random draw and input order never
matters: inside a shared rank teams are listed by code, which affects display only.

Algorithm (`rank_groups`)
-------------------------
1. Sort the teams by total, highest first (then by code, for a stable listing).
2. Cut the sorted list into groups of equal total.
3. Refine each group of two or more through the tie-break chain, one step at a time, splitting
   it into sub-groups of equal points (highest first) when the step applies.
4. The groups, in order, are the ranking: a group's rank is 1 + the number of teams before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import groupby

Group = tuple[str, ...]  # teams that share one rank, by code


def _refine(
    group: Sequence[str], tie_values: Mapping[str, tuple[Decimal | None, ...]], step: int
) -> list[Group]:
    if len(group) == 1 or not tie_values or step == len(tie_values[group[0]]):
        return [tuple(sorted(group))]
    values: dict[str, Decimal] = {}
    for team in group:
        value = tie_values[team][step]
        if value is None:  # someone cannot be compared on this step: skip it for the group
            return _refine(group, tie_values, step + 1)
        values[team] = value
    ordered = sorted(group, key=lambda team: (-values[team], team))
    refined: list[Group] = []
    for _value, members in groupby(ordered, key=values.__getitem__):
        refined.extend(_refine(list(members), tie_values, step + 1))
    return refined


def rank_groups(
    totals: Mapping[str, Decimal],
    tie_values: Mapping[str, tuple[Decimal | None, ...]] | None = None,
) -> list[Group]:
    """The ranking as an ordered list of groups of teams sharing a rank (see the steps above)."""
    ordered = sorted(totals, key=lambda team: (-totals[team], team))
    groups: list[Group] = []
    for _total, members in groupby(ordered, key=totals.__getitem__):
        group = list(members)
        if len(group) == 1:
            groups.append((group[0],))
        else:
            groups.extend(_refine(group, tie_values or {}, 0))
    return groups


def competition_ranks(groups: Sequence[Group]) -> dict[str, tuple[int, bool]]:
    """Team -> (rank, tied) for an ordered list of groups: 1, 2, 2, 4."""
    ranks: dict[str, tuple[int, bool]] = {}
    before = 0
    for group in groups:
        for team in group:
            ranks[team] = (before + 1, len(group) > 1)
        before += len(group)
    return ranks
