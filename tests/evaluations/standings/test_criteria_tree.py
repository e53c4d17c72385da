from decimal import Decimal as D

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    Mark,
    ReasonCode,
    StageInput,
    TeamEntry,
    compute_standings,
)


def stage(criteria: tuple[CriterionSpec, ...], marks: list[Mark], teams=("lg", "naver", "upstage")):
    return StageInput(criteria, tuple(TeamEntry(team) for team in teams), tuple(marks))


# Global individual benchmarks are chosen per team: LG has two worth 5 each, Naver TextVQA and
# DocVQA worth 5 each, Upstage five worth 2 each. Every team's children fill the same 10 points.
PER_TEAM = (
    CriterionSpec("global_individual", D("10"), Aggregation.SUM),
    CriterionSpec("lg_a", D("5"), Aggregation.DIRECT, "global_individual", teams=frozenset({"lg"})),
    CriterionSpec("lg_b", D("5"), Aggregation.DIRECT, "global_individual", teams=frozenset({"lg"})),
    CriterionSpec(
        "textvqa", D("5"), Aggregation.DIRECT, "global_individual", teams=frozenset({"naver"})
    ),
    CriterionSpec(
        "docvqa", D("5"), Aggregation.DIRECT, "global_individual", teams=frozenset({"naver"})
    ),
    *(
        CriterionSpec(
            f"up_{n}", D("2"), Aggregation.DIRECT, "global_individual", teams={"upstage"}, order=n
        )
        for n in range(5)
    ),
)
PER_TEAM_MARKS = [
    Mark("lg", "lg_a", "", D("4.5")),
    Mark("lg", "lg_b", "", D("5.0")),
    Mark("naver", "textvqa", "", D("4.0")),
    Mark("naver", "docvqa", "", D("3.5")),
    *(Mark("upstage", f"up_{n}", "", D("2")) for n in range(5)),
]


def test_a_per_team_parent_adds_up_only_the_children_that_apply_to_the_team():
    result = compute_standings(stage(PER_TEAM, PER_TEAM_MARKS))

    assert result.row("lg").points["global_individual"] == D("9.5")
    assert result.row("naver").points["global_individual"] == D("7.5")
    assert result.row("upstage").points["global_individual"] == D("10")


def test_criteria_that_do_not_apply_to_a_team_are_absent_from_its_points():
    naver = compute_standings(stage(PER_TEAM, PER_TEAM_MARKS)).row("naver")

    assert list(naver.points) == ["global_individual", "docvqa", "textvqa"]
    assert "lg_a" not in naver.points


def test_a_parent_scales_children_whose_maxima_do_not_add_up_to_its_own():
    criteria = (
        CriterionSpec("parent", D("10"), Aggregation.SUM),
        CriterionSpec("a", D("4"), Aggregation.DIRECT, "parent"),
        CriterionSpec("b", D("4"), Aggregation.DIRECT, "parent"),
    )
    marks = [Mark("lg", "a", "", D("3")), Mark("lg", "b", "", D("4"))]

    lg = compute_standings(stage(criteria, marks, teams=("lg",))).row("lg")

    assert lg.points["parent"] == D("8.8")  # 10 x 7 / 8 = 8.75, half up
    assert lg.total == D("8.8")


def test_parents_and_totals_add_up_the_rounded_points_of_their_children():
    criteria = (
        CriterionSpec("parent", D("10"), Aggregation.SUM),
        CriterionSpec("a", D("5"), Aggregation.MEAN, "parent"),
        CriterionSpec("b", D("5"), Aggregation.MEAN, "parent"),
    )
    marks = [
        Mark("lg", code, evaluator, D(value))
        for code in ("a", "b")
        for evaluator, value in (("E01", "0.03"), ("E02", "0.05"))
    ]

    lg = compute_standings(stage(criteria, marks, teams=("lg",))).row("lg")

    # Each child is 0.04, published 0.0; adding the unrounded 0.08 would have given 0.1.
    assert (lg.points["a"], lg.points["b"]) == (D("0.0"), D("0.0"))
    assert lg.points["parent"] == D("0.0")
    assert lg.total == D("0.0")


def test_a_child_without_points_leaves_its_parent_and_the_total_unknown():
    marks = [mark for mark in PER_TEAM_MARKS if mark.criterion != "docvqa"]

    naver = compute_standings(stage(PER_TEAM, marks)).row("naver")

    assert naver.points["textvqa"] == D("4.0")
    assert naver.points["docvqa"] is None
    assert naver.points["global_individual"] is None
    assert naver.total is None
    assert naver.reason is ReasonCode.INCOMPLETE
    assert naver.reason_en == "Scores missing: docvqa."


def test_an_undisclosed_maximum_means_the_total_cannot_be_computed():
    criteria = (
        CriterionSpec("expert", D("35"), Aggregation.DIRECT),
        CriterionSpec("user", None, Aggregation.DIRECT),
    )
    marks = [Mark("lg", "expert", "", D("31.6")), Mark("lg", "user", "", D("25.0"))]

    lg = compute_standings(stage(criteria, marks, teams=("lg",))).row("lg")

    assert lg.points == {"expert": D("31.6"), "user": D("25.0")}
    assert lg.total is None
    assert lg.reason is ReasonCode.NOT_DISCLOSED
    assert lg.reason_en == "Scores not disclosed: user."
