"""One sentence per proposed outcome, in Korean and in English.

Concepts
--------
The sentence is what staff and the public read next to the outcome, so it states the concrete
fact behind the reason code: the position among the eligible teams and the rule, the failed or
pending gates, the criteria whose points are not disclosed or missing, the teams tied across the
line, or the open teams that keep the line from being drawn. Criterion and gate codes are quoted
as they are stored; long lists are cut after five names.

Examples: "Ranked 4 of 4 eligible teams; the lowest 1 team is eliminated." /
"심사 대상 4팀 중 4위로 하위 1팀 탈락 기준에 해당합니다."; "Failed the gate: independence." /
"게이트 미통과: independence."
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from evaluations.standings.outcome import Proposal
from evaluations.standings.types import ReasonCode, Rule, RuleKind

_LIST_LIMIT = 5


def _names_en(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LIST_LIMIT])
    rest = len(names) - _LIST_LIMIT
    return f"{shown} and {rest} more" if rest > 0 else shown


def _names_ko(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LIST_LIMIT])
    rest = len(names) - _LIST_LIMIT
    return f"{shown} 외 {rest}건" if rest > 0 else shown


def _teams_en(count: int) -> str:
    return "1 team" if count == 1 else f"{count} teams"


def _line_sentences(proposal: Proposal, rule: Rule, total: Decimal | None) -> tuple[str, str]:
    position = proposal.position
    eligible = proposal.eligible
    count = rule.count or 0
    above = proposal.reason is ReasonCode.ABOVE_LINE
    if rule.kind is RuleKind.THRESHOLD:
        threshold = rule.threshold
        if above:
            return (
                f"총점 {total}점으로 기준 {threshold}점 이상입니다.",
                f"Total {total} meets the threshold of {threshold}.",
            )
        return (
            f"총점 {total}점으로 기준 {threshold}점에 미달합니다.",
            f"Total {total} is below the threshold of {threshold}.",
        )
    ranked_en = f"Ranked {position} of {eligible} eligible teams"
    ranked_ko = f"심사 대상 {eligible}팀 중 {position}위로"
    verb = "is" if count == 1 else "are"
    if rule.kind is RuleKind.ELIMINATE_LOWEST:
        if above:
            return (
                f"{ranked_ko} 하위 {count}팀 탈락 기준보다 위에 있습니다.",
                f"{ranked_en}; only the lowest {_teams_en(count)} {verb} eliminated.",
            )
        return (
            f"{ranked_ko} 하위 {count}팀 탈락 기준에 해당합니다.",
            f"{ranked_en}; the lowest {_teams_en(count)} {verb} eliminated.",
        )
    verb = "advances" if count == 1 else "advance"
    if above:
        return (
            f"{ranked_ko} 상위 {count}팀 진출 기준에 들었습니다.",
            f"{ranked_en}; the top {_teams_en(count)} {verb}.",
        )
    return (
        f"{ranked_ko} 상위 {count}팀 진출 기준에 들지 못했습니다.",
        f"{ranked_en}; only the top {_teams_en(count)} {verb}.",
    )


def reason_sentences(
    proposal: Proposal,
    *,
    rule: Rule,
    total: Decimal | None,
    unknown_criteria: Sequence[str] = (),
) -> tuple[str, str]:
    """(Korean, English) sentence for a proposal; `unknown_criteria` explains unknown totals."""
    reason = proposal.reason
    if reason is ReasonCode.ABOVE_LINE or reason is ReasonCode.BELOW_LINE:
        return _line_sentences(proposal, rule, total)
    if reason is ReasonCode.NO_ELIMINATION:
        return ("이번 단계에는 탈락 기준이 없습니다.", "No team is eliminated in this stage.")
    if reason is ReasonCode.TIE_AT_LINE:
        others = list(proposal.tied_with)
        return (
            f"심사 대상 {proposal.eligible}팀 중 공동 {proposal.position}위"
            f"({_names_ko(others)} 팀과 동점)로 기준선에 걸쳐 있어 위원회 결정이 필요합니다.",
            f"Tied at rank {proposal.position} of {proposal.eligible} eligible teams with "
            f"{_names_en(others)} across the line; a committee decision is needed.",
        )
    if reason is ReasonCode.GATE_FAILED:
        noun = "gate" if len(proposal.gates) == 1 else "gates"
        return (
            f"게이트 미통과: {_names_ko(proposal.gates)}.",
            f"Failed the {noun}: {_names_en(proposal.gates)}.",
        )
    if reason is ReasonCode.GATE_PENDING:
        return (
            f"게이트 결과 대기 중: {_names_ko(proposal.gates)}.",
            f"Gate result pending: {_names_en(proposal.gates)}.",
        )
    if reason is ReasonCode.JOINED_LATER:
        return (
            "추가 합류 팀으로 이번 단계 순위 산정 대상이 아닙니다.",
            "Joined later; not ranked in this stage.",
        )
    if proposal.waiting_for:
        teams = proposal.waiting_for
        return (
            f"다음 팀의 결과가 확정되어야 기준선을 정할 수 있습니다: {_names_ko(teams)}.",
            f"The line cannot be drawn until results are known for: {_names_en(teams)}.",
        )
    criteria = list(unknown_criteria)
    if reason is ReasonCode.NOT_DISCLOSED:
        return (
            f"점수 비공개: {_names_ko(criteria)}.",
            f"Scores not disclosed: {_names_en(criteria)}.",
        )
    return (f"점수 미입력: {_names_ko(criteria)}.", f"Scores missing: {_names_en(criteria)}.")
