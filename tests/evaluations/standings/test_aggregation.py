from decimal import Decimal as D

import pytest

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    Mark,
    Outcome,
    ReasonCode,
    StageInput,
    TeamEntry,
    aggregate,
    compute_standings,
    publish_points,
)


def decimals(*values: str) -> list[D]:
    return [D(value) for value in values]


def published(
    aggregation: Aggregation,
    values: list[D | None],
    *,
    max_points: str = "100",
    target: str | None = None,
) -> D | None:
    """The published points of a single leaf marked by one evaluator per value."""
    spec = CriterionSpec(
        "c", D(max_points), aggregation, target=None if target is None else D(target)
    )
    direct = aggregation is Aggregation.DIRECT
    marks = [
        Mark("team", "c", "" if direct else f"E{number:02d}", value)
        for number, value in enumerate(values, start=1)
    ]
    stage = StageInput(criteria=(spec,), teams=(TeamEntry("team"),), marks=tuple(marks))
    return compute_standings(stage).row("team").points["c"]


def test_trimmed_mean_of_ten_marks_drops_exactly_one_highest_and_one_lowest():
    marks = decimals("20", "30", "30", "31", "31", "32", "32", "33", "33", "35")

    assert aggregate(Aggregation.TRIMMED_MEAN, marks) == D("31.5")  # 252 / 8
    assert aggregate(Aggregation.MEAN, marks) == D("30.7")
    assert published(Aggregation.TRIMMED_MEAN, marks) == D("31.5")


def test_trimmed_mean_drops_only_one_of_several_equal_highest_marks():
    assert aggregate(Aggregation.TRIMMED_MEAN, decimals("10", "10", "10", "0")) == D("10")


def test_trimmed_mean_of_two_marks_is_the_plain_mean():
    assert aggregate(Aggregation.TRIMMED_MEAN, decimals("30", "31")) == D("30.5")
    assert published(Aggregation.TRIMMED_MEAN, decimals("30", "31")) == D("30.5")


def test_trimmed_mean_of_three_marks_is_the_middle_mark():
    assert aggregate(Aggregation.TRIMMED_MEAN, decimals("1", "9", "4")) == D("4")


def test_median_of_an_odd_count_is_the_middle_mark():
    assert aggregate(Aggregation.MEDIAN, decimals("3", "1", "2")) == D("2")


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_marks():
    assert aggregate(Aggregation.MEDIAN, decimals("4", "1", "3", "2")) == D("2.5")
    assert published(Aggregation.MEDIAN, decimals("4", "1", "3", "2")) == D("2.5")


def test_direct_points_are_published_as_entered_rounded_to_one_decimal():
    assert published(Aggregation.DIRECT, decimals("14.44")) == D("14.4")
    assert published(Aggregation.DIRECT, decimals("14.45")) == D("14.5")


def test_normalised_points_are_proportional_to_the_target():
    assert published(Aggregation.DIRECT, decimals("60"), max_points="10", target="80") == D("7.5")


def test_normalised_points_are_capped_at_the_maximum_when_the_target_is_beaten():
    assert published(Aggregation.DIRECT, decimals("95"), max_points="10", target="80") == D("10")


def test_achieved_scores_may_exceed_the_maximum_on_a_criterion_with_a_target():
    values = decimals("120", "130", "140")

    assert published(Aggregation.MEAN, values, max_points="10", target="100") == D("10")


def test_decimal_arithmetic_is_exact_before_rounding():
    mean = aggregate(Aggregation.MEAN, decimals("0.1", "0.2"))

    assert mean == D("0.15")
    assert str(mean) == "0.15"
    assert published(Aggregation.MEAN, decimals("0.1", "0.2")) == D("0.2")


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("0.05", "0.1"), ("0.04", "0.0"), ("0.25", "0.3"), ("90.15", "90.2"), ("33.349", "33.3")],
)
def test_rounding_is_half_up_to_one_decimal(value, rounded):
    assert publish_points(D(value)) == D(rounded)


def test_a_mean_ending_in_five_hundredths_is_published_rounded_up():
    assert published(Aggregation.MEAN, decimals("0.2", "0.3")) == D("0.3")  # 0.25, half up


def test_a_mark_recorded_as_not_disclosed_hides_the_leaf_and_the_total():
    row_points = published(Aggregation.MEAN, [D("30"), None, D("31")])

    assert row_points is None


def test_not_disclosed_and_missing_marks_give_different_reasons():
    criteria = (
        CriterionSpec("hidden", D("50"), Aggregation.MEAN),
        CriterionSpec("empty", D("50"), Aggregation.MEAN),
    )
    teams = (TeamEntry("a"), TeamEntry("b"))
    marks = (
        Mark("a", "hidden", "E01", None),
        Mark("a", "empty", "E01", D("40")),
        Mark("b", "hidden", "E01", D("40")),
    )

    result = compute_standings(StageInput(criteria, teams, marks))

    a, b = result.row("a"), result.row("b")
    assert (a.total, a.outcome, a.reason) == (None, Outcome.NOT_RANKED, ReasonCode.NOT_DISCLOSED)
    assert a.reason_en == "Scores not disclosed: hidden."
    assert (b.total, b.outcome, b.reason) == (None, Outcome.NOT_RANKED, ReasonCode.INCOMPLETE)
    assert b.reason_en == "Scores missing: empty."
    assert b.reason_ko == "점수 미입력: empty."


def test_aggregating_no_marks_is_refused():
    with pytest.raises(ValueError, match="no marks"):
        aggregate(Aggregation.MEAN, [])
