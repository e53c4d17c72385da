from decimal import Decimal as D

import pytest

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    DecisionError,
    Mark,
    Outcome,
    RecordedDecision,
    Rule,
    RuleKind,
    StageInput,
    StandingsError,
    TeamEntry,
    apply_decisions,
    compute_standings,
)


def standings(totals: dict[str, str], *, late: frozenset[str] = frozenset()):
    stage = StageInput(
        criteria=(CriterionSpec("score", D("100"), Aggregation.DIRECT),),
        teams=tuple(TeamEntry(team, ranked=team not in late) for team in totals),
        marks=tuple(Mark(team, "score", "", D(value)) for team, value in totals.items()),
        rule=Rule(RuleKind.ELIMINATE_LOWEST, count=1),
    )
    return compute_standings(stage)


def test_without_decisions_the_proposal_is_final():
    finals = apply_decisions(standings({"a": "90", "b": "80"}), {})

    assert [(f.team, f.proposed, f.final, f.overridden) for f in finals] == [
        ("a", Outcome.ADVANCED, Outcome.ADVANCED, False),
        ("b", Outcome.ELIMINATED, Outcome.ELIMINATED, False),
    ]
    assert finals[1].reason == "Ranked 2 of 2 eligible teams; the lowest 1 team is eliminated."


def test_a_decision_confirming_the_proposal_needs_no_reason():
    decisions = {"b": RecordedDecision(Outcome.ELIMINATED)}

    finals = apply_decisions(standings({"a": "90", "b": "80"}), decisions)

    assert (finals[1].final, finals[1].overridden) == (Outcome.ELIMINATED, False)


def test_an_override_with_a_reason_replaces_the_proposal():
    decisions = {"a": RecordedDecision(Outcome.DISQUALIFIED, "Licence breach found on appeal.")}

    finals = apply_decisions(standings({"a": "90", "b": "80"}), decisions)

    assert (finals[0].final, finals[0].overridden) == (Outcome.DISQUALIFIED, True)
    assert finals[0].reason == "Licence breach found on appeal."


def test_an_override_without_a_reason_is_refused_naming_the_team():
    decisions = {"b": RecordedDecision(Outcome.ADVANCED, "   ")}

    with pytest.raises(DecisionError, match="b: the decision advanced differs") as caught:
        apply_decisions(standings({"a": "90", "b": "80"}), decisions)

    assert caught.value.teams == ("b",)
    assert isinstance(caught.value, StandingsError)


def test_a_tie_at_the_line_without_a_decision_is_refused():
    result = standings({"a": "90", "b": "80", "c": "80"})

    with pytest.raises(DecisionError, match="c: the proposal is tie_at_line") as caught:
        apply_decisions(result, {"b": RecordedDecision(Outcome.ADVANCED, "Committee vote")})

    assert caught.value.teams == ("c",)


def test_a_tie_at_the_line_is_settled_by_decisions_for_every_tied_team():
    result = standings({"a": "90", "b": "80", "c": "80"})
    decisions = {
        "b": RecordedDecision(Outcome.ADVANCED, "Higher expert score (committee, 2026-01-14)."),
        "c": RecordedDecision(Outcome.ELIMINATED, "Lower expert score (committee, 2026-01-14)."),
    }

    finals = {f.team: f.final for f in apply_decisions(result, decisions)}

    assert finals == {"a": Outcome.ADVANCED, "b": Outcome.ADVANCED, "c": Outcome.ELIMINATED}


def test_a_team_not_ranked_needs_a_decision():
    result = standings({"a": "90", "b": "80", "late": "10"}, late=frozenset({"late"}))

    with pytest.raises(DecisionError, match="late: the proposal is not_ranked"):
        apply_decisions(result, {})
    finals = apply_decisions(
        result, {"late": RecordedDecision(Outcome.ADVANCED, "Joined through the additional call.")}
    )
    assert finals[-1].final is Outcome.ADVANCED


def test_every_problem_is_reported_at_once():
    result = standings({"a": "90", "b": "80", "c": "80"})
    decisions = {
        "a": RecordedDecision(Outcome.ELIMINATED),
        "ghost": RecordedDecision(Outcome.ADVANCED, "?"),
    }

    with pytest.raises(DecisionError) as caught:
        apply_decisions(result, decisions)

    assert caught.value.teams == ("a", "b", "c", "ghost")
    assert "ghost: there is no such team in these standings." in str(caught.value)


def test_a_decision_must_be_a_final_outcome():
    decisions = {"a": RecordedDecision(Outcome.TIE_AT_LINE, "Undecided")}

    with pytest.raises(DecisionError, match="a: a decision must be advanced, eliminated or"):
        apply_decisions(standings({"a": "90", "b": "80"}), decisions)
