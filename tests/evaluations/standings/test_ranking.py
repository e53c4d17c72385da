from decimal import Decimal as D

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Outcome,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
    compute_standings,
)

NO_ELIMINATION = Rule(RuleKind.NONE)
CRITERIA = (
    CriterionSpec("benchmark", D("50"), Aggregation.DIRECT, order=1),
    CriterionSpec("expert", D("50"), Aggregation.DIRECT, order=2),
)


def scored(
    scores: dict[str, tuple[str, str]],
    rule: Rule = NO_ELIMINATION,
    *,
    late: frozenset[str] = frozenset(),
    failed: frozenset[str] = frozenset(),
) -> StageInput:
    """Teams with (benchmark, expert) points entered directly."""
    marks = [
        Mark(team, code, "", D(value))
        for team, values in scores.items()
        for code, value in zip(("benchmark", "expert"), values, strict=True)
    ]
    return StageInput(
        criteria=CRITERIA,
        teams=tuple(TeamEntry(team, ranked=team not in late) for team in scores),
        marks=tuple(marks),
        gates=tuple(GateMark(team, "independence", team not in failed) for team in scores),
        gate_codes=("independence",),
        rule=rule,
    )


def ranks(stage: StageInput) -> list[tuple[str, int | None, bool]]:
    return [(row.team, row.rank, row.tied) for row in compute_standings(stage).rows]


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    stage = scored({"a": ("40", "40"), "b": ("30", "40"), "c": ("40", "30"), "d": ("30", "30")})

    assert ranks(stage) == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 4, False)]


def test_the_tie_break_chain_separates_teams_with_equal_totals():
    rule = Rule(RuleKind.NONE, tie_break=("expert",))
    stage = scored({"a": ("40", "40"), "b": ("30", "40"), "c": ("40", "30")}, rule)

    assert ranks(stage) == [("a", 1, False), ("b", 2, False), ("c", 3, False)]


def test_the_tie_break_chain_moves_on_when_a_step_is_equal():
    criteria = tuple(CriterionSpec(code, D("50"), Aggregation.DIRECT) for code in "abc")
    scores = {"x": ("10", "20", "30"), "y": ("20", "10", "30"), "z": ("30", "20", "10")}
    marks = tuple(
        Mark(team, code, "", D(value))
        for team, values in scores.items()
        for code, value in zip("abc", values, strict=True)
    )
    teams = tuple(TeamEntry(team) for team in scores)

    # All total 60; "c" puts z last and leaves x and y equal; "b" then puts x ahead of y.
    chained = StageInput(criteria, teams, marks, rule=Rule(RuleKind.NONE, tie_break=("c", "b")))
    assert ranks(chained) == [("x", 1, False), ("y", 2, False), ("z", 3, False)]
    one_step = StageInput(criteria, teams, marks, rule=Rule(RuleKind.NONE, tie_break=("c",)))
    assert ranks(one_step) == [("x", 1, True), ("y", 1, True), ("z", 3, False)]


def test_teams_equal_on_the_whole_chain_stay_tied():
    rule = Rule(RuleKind.NONE, tie_break=("expert", "benchmark"))
    stage = scored({"x": ("30", "40"), "y": ("30", "40"), "z": ("10", "10")}, rule)

    assert ranks(stage) == [("x", 1, True), ("y", 1, True), ("z", 3, False)]


def test_a_tie_break_step_is_skipped_for_teams_without_points_on_that_criterion():
    criteria = (
        CriterionSpec("total", D("100"), Aggregation.SUM),
        CriterionSpec("common", D("50"), Aggregation.DIRECT, "total"),
        CriterionSpec("only_a", D("50"), Aggregation.DIRECT, "total", teams=frozenset({"a"})),
        CriterionSpec("only_b", D("50"), Aggregation.DIRECT, "total", teams=frozenset({"b"})),
    )
    marks = (
        Mark("a", "common", "", D("40")),
        Mark("a", "only_a", "", D("40")),
        Mark("b", "common", "", D("45")),
        Mark("b", "only_b", "", D("35")),
    )
    rule = Rule(RuleKind.NONE, tie_break=("only_a", "common"))
    stage = StageInput(criteria, (TeamEntry("a"), TeamEntry("b")), marks, rule=rule)

    # "only_a" cannot compare a with b, so "common" decides.
    assert ranks(stage) == [("b", 1, False), ("a", 2, False)]


def test_a_disqualified_team_keeps_its_score_rank():
    stage = scored({"a": ("40", "40"), "b": ("30", "30")}, failed=frozenset({"a"}))

    a = compute_standings(stage).row("a")
    assert (a.rank, a.outcome) == (1, Outcome.DISQUALIFIED)


def test_a_team_that_joined_later_gets_no_rank_and_is_listed_last():
    stage = scored({"a": ("10", "10"), "late": ("50", "50")}, late=frozenset({"late"}))

    assert ranks(stage) == [("a", 1, False), ("late", None, False)]


def test_rows_are_ordered_by_rank_then_team_code_whatever_the_input_order():
    stage = scored({"d": ("1", "1"), "c": ("2", "2"), "b": ("2", "2"), "a": ("3", "3")})

    assert [row.team for row in compute_standings(stage).rows] == ["a", "b", "c", "d"]
