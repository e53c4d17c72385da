from decimal import Decimal as D

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Outcome,
    ReasonCode,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
    compute_standings,
)

ELIMINATE_ONE = Rule(RuleKind.ELIMINATE_LOWEST, count=1)


def stage(
    totals: dict[str, str | None],
    rule: Rule,
    *,
    late: frozenset[str] = frozenset(),
    gates: dict[str, bool | None] | None = None,
) -> StageInput:
    """One directly entered criterion per team; None records the total as not disclosed.

    `gates` gives the independence result of the teams listed; teams not listed passed, and a
    team listed with None has no result yet.
    """
    gates = gates or {}
    return StageInput(
        criteria=(CriterionSpec("score", D("100"), Aggregation.DIRECT),),
        teams=tuple(TeamEntry(team, ranked=team not in late) for team in totals),
        marks=tuple(
            Mark(team, "score", "", None if value is None else D(value))
            for team, value in totals.items()
        ),
        gates=tuple(
            GateMark(team, "independence", gates.get(team, True))
            for team in totals
            if gates.get(team, True) is not None
        ),
        gate_codes=("independence",),
        rule=rule,
    )


def outcomes(stage_input: StageInput) -> dict[str, tuple[Outcome, ReasonCode]]:
    return {row.team: (row.outcome, row.reason) for row in compute_standings(stage_input).rows}


ADVANCED = (Outcome.ADVANCED, ReasonCode.ABOVE_LINE)
ELIMINATED = (Outcome.ELIMINATED, ReasonCode.BELOW_LINE)
TIED = (Outcome.TIE_AT_LINE, ReasonCode.TIE_AT_LINE)
OPEN = (Outcome.NOT_RANKED, ReasonCode.INCOMPLETE)


def test_no_rule_advances_every_team():
    result = outcomes(stage({"a": "90", "b": "10"}, Rule(RuleKind.NONE)))

    assert result == {
        "a": (Outcome.ADVANCED, ReasonCode.NO_ELIMINATION),
        "b": (Outcome.ADVANCED, ReasonCode.NO_ELIMINATION),
    }


def test_eliminate_lowest_eliminates_the_n_lowest():
    rule = Rule(RuleKind.ELIMINATE_LOWEST, count=2)

    result = outcomes(stage({"a": "90", "b": "80", "c": "70", "d": "60"}, rule))

    assert result == {"a": ADVANCED, "b": ADVANCED, "c": ELIMINATED, "d": ELIMINATED}


def test_keep_top_advances_the_top_k_and_eliminates_the_rest():
    rule = Rule(RuleKind.KEEP_TOP, count=2)

    result = compute_standings(stage({"a": "90", "b": "80", "c": "70"}, rule))

    assert {row.team: (row.outcome, row.reason) for row in result.rows} == {
        "a": ADVANCED,
        "b": ADVANCED,
        "c": ELIMINATED,
    }
    assert result.row("b").reason_en == "Ranked 2 of 3 eligible teams; the top 2 teams advance."
    assert (
        result.row("c").reason_ko == "심사 대상 3팀 중 3위로 상위 2팀 진출 기준에 들지 못했습니다."
    )


def test_threshold_advances_totals_at_or_above_it():
    rule = Rule(RuleKind.THRESHOLD, threshold=D("70.0"))

    result = compute_standings(stage({"a": "70.0", "b": "69.9", "c": None}, rule))

    assert result.row("a").outcome is Outcome.ADVANCED
    assert result.row("a").reason_en == "Total 70.0 meets the threshold of 70.0."
    assert result.row("b").outcome is Outcome.ELIMINATED
    assert result.row("b").reason_ko == "총점 69.9점으로 기준 70.0점에 미달합니다."
    # An unknown total elsewhere never matters under a threshold.
    assert result.row("c").reason is ReasonCode.NOT_DISCLOSED


def test_a_tie_across_the_line_needs_a_committee_decision_for_every_tied_team():
    result = compute_standings(stage({"a": "90", "b": "70", "c": "70"}, ELIMINATE_ONE))

    assert {row.team: (row.outcome, row.reason) for row in result.rows} == {
        "a": ADVANCED,
        "b": TIED,
        "c": TIED,
    }
    b = result.row("b")
    assert (b.rank, b.tied) == (2, True)
    assert b.reason_en == (
        "Tied at rank 2 of 3 eligible teams with c across the line; a committee decision is needed."
    )


def test_a_tie_entirely_on_one_side_of_the_line_is_decided_normally():
    result = outcomes(stage({"a": "90", "b": "90", "c": "70"}, ELIMINATE_ONE))

    assert result == {"a": ADVANCED, "b": ADVANCED, "c": ELIMINATED}


def test_a_tie_broken_by_the_chain_is_no_longer_a_tie_at_the_line():
    criteria = (
        CriterionSpec("benchmark", D("50"), Aggregation.DIRECT),
        CriterionSpec("expert", D("50"), Aggregation.DIRECT),
    )
    scores = {"a": ("45", "45"), "b": ("40", "30"), "c": ("30", "40")}
    marks = tuple(
        Mark(team, code, "", D(value))
        for team, values in scores.items()
        for code, value in zip(("benchmark", "expert"), values, strict=True)
    )
    rule = Rule(RuleKind.ELIMINATE_LOWEST, count=1, tie_break=("expert",))
    teams = tuple(TeamEntry(team) for team in scores)

    result = outcomes(StageInput(criteria, teams, marks, rule=rule))

    assert result == {"a": ADVANCED, "b": ELIMINATED, "c": ADVANCED}


def test_a_team_that_joined_later_is_not_ranked_and_does_not_move_the_line():
    result = outcomes(stage({"a": "90", "b": "80", "late": "10"}, ELIMINATE_ONE, late={"late"}))

    assert result == {
        "a": ADVANCED,
        "b": ELIMINATED,
        "late": (Outcome.NOT_RANKED, ReasonCode.JOINED_LATER),
    }


def test_a_failed_gate_disqualifies_even_the_best_team_and_a_late_joiner():
    result = outcomes(
        stage(
            {"a": "95", "b": "80", "c": "70", "late": "60"},
            ELIMINATE_ONE,
            late={"late"},
            gates={"a": False, "late": False},
        )
    )

    disqualified = (Outcome.DISQUALIFIED, ReasonCode.GATE_FAILED)
    assert result == {"a": disqualified, "b": ADVANCED, "c": ELIMINATED, "late": disqualified}


def test_a_pending_gate_leaves_the_team_undecided():
    result = compute_standings(
        stage({"a": "90", "b": "80", "c": "95"}, ELIMINATE_ONE, gates={"c": None})
    )

    c = result.row("c")
    assert (c.outcome, c.reason, c.rank) == (Outcome.NOT_RANKED, ReasonCode.GATE_PENDING, 1)
    assert c.reason_en == "Gate result pending: independence."


def test_teams_whose_outcome_depends_on_a_pending_gate_are_not_decided_yet():
    # If c passes, c (lowest) is out and b stays; if c fails, b is the lowest eligible team.
    result = compute_standings(
        stage({"a": "90", "b": "80", "c": "70"}, ELIMINATE_ONE, gates={"c": None})
    )

    assert result.row("a").outcome is Outcome.ADVANCED
    b = result.row("b")
    assert (b.outcome, b.reason) == OPEN
    assert b.reason_en == "The line cannot be drawn until results are known for: c."
    assert b.reason_ko == "다음 팀의 결과가 확정되어야 기준선을 정할 수 있습니다: c."


def test_teams_whose_outcome_depends_on_an_unknown_total_are_not_decided_yet():
    result = outcomes(stage({"a": "90", "b": "80", "c": None}, ELIMINATE_ONE))

    assert result == {"a": ADVANCED, "b": OPEN, "c": (Outcome.NOT_RANKED, ReasonCode.NOT_DISCLOSED)}


def test_a_team_out_whatever_the_unknown_totals_is_still_proposed_for_elimination():
    rule = Rule(RuleKind.KEEP_TOP, count=1)

    result = outcomes(stage({"a": "90", "b": "80", "c": None}, rule))

    assert result["b"] == ELIMINATED
    assert result["a"] == OPEN  # c might outscore a


def test_eliminating_as_many_teams_as_are_eligible_eliminates_them_all():
    rule = Rule(RuleKind.ELIMINATE_LOWEST, count=3)

    result = outcomes(stage({"a": "90", "b": "80"}, rule))

    assert result == {"a": ELIMINATED, "b": ELIMINATED}
