from decimal import Decimal as D

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    Flip,
    Mark,
    Outcome,
    Rule,
    RuleKind,
    SensitivityReport,
    StageInput,
    TeamEntry,
    compute_standings,
    sensitivity_check,
)

CRITERIA = (
    CriterionSpec("benchmark", D("50"), Aggregation.DIRECT, order=1),
    CriterionSpec("expert", D("50"), Aggregation.MEAN, order=2),
)


def stage(scores: dict[str, tuple[str, tuple[str, ...]]]) -> StageInput:
    """Per team: direct benchmark points and the expert marks of E01, E02, ..."""
    marks: list[Mark] = []
    for team, (benchmark, experts) in scores.items():
        marks.append(Mark(team, "benchmark", "", D(benchmark)))
        marks += [
            Mark(team, "expert", f"E{number:02d}", D(value))
            for number, value in enumerate(experts, start=1)
        ]
    return StageInput(
        criteria=CRITERIA,
        teams=tuple(TeamEntry(team) for team in scores),
        marks=tuple(marks),
        rule=Rule(RuleKind.ELIMINATE_LOWEST, count=1),
    )


# a: 30.0 + 30.0 = 60.0 and b: 35.0 + 25.1 = 60.1, so a is eliminated by a tenth of a point.
KNIFE_EDGE = stage(
    {
        "a": ("30.0", ("30.0", "30.0", "30.0")),
        "b": ("35.0", ("24.1", "24.1", "27.1")),
        "c": ("45.0", ("45.0", "45.0", "45.0")),
    }
)
CLEAR = stage(
    {
        "lg": ("33.6", ("31.0", "31.5", "32.3")),
        "skt": ("32.2", ("29.0", "30.1", "31.2")),
        "ncai": ("25.4", ("24.0", "25.8", "27.6")),
    }
)


def test_a_clear_result_is_reported_robust():
    report = sensitivity_check(CLEAR)

    assert report.robust is True
    assert report.flips == ()
    assert report.summary_en == "robust"
    assert report.summary_ko == "견고함"


def test_a_knife_edge_result_reports_each_flip_with_the_change_and_the_team():
    report = sensitivity_check(KNIFE_EDGE)

    eliminated, advanced = Outcome.ELIMINATED, Outcome.ADVANCED
    assert report.robust is False
    assert [
        (flip.change, flip.team, flip.outcome_before, flip.outcome_after) for flip in report.flips
    ] == [
        ("weight benchmark -10%", "a", eliminated, advanced),
        ("weight benchmark -10%", "b", advanced, eliminated),
        ("weight expert +10%", "a", eliminated, advanced),
        ("weight expert +10%", "b", advanced, eliminated),
        ("without evaluator E03", "a", eliminated, advanced),
        ("without evaluator E03", "b", advanced, eliminated),
    ]
    assert report.flips[2] == Flip(
        "weight expert +10%", "a", eliminated, advanced, change_ko="expert 가중치 +10%"
    )
    assert report.summary_en.startswith(
        "weight benchmark -10%: a eliminated -> advanced; weight benchmark -10%: b advanced -> "
    )
    assert "평가위원 E03 제외: b advanced → eliminated" in report.summary_ko


def test_a_weight_change_inside_a_parent_shifts_weight_among_its_children():
    criteria = (
        CriterionSpec("benchmark", D("40"), Aggregation.SUM),
        CriterionSpec("nia", D("10"), Aggregation.DIRECT, "benchmark"),
        CriterionSpec("common", D("30"), Aggregation.DIRECT, "benchmark"),
    )
    # x: 10.0 + 20.0 = 30.0; y: 5.0 + 25.1 = 30.1. NIA +10%: x 40 x 31/41 = 30.2, y 29.8.
    marks = (
        Mark("x", "nia", "", D("10.0")),
        Mark("x", "common", "", D("20.0")),
        Mark("y", "nia", "", D("5.0")),
        Mark("y", "common", "", D("25.1")),
    )
    stage_input = StageInput(
        criteria, (TeamEntry("x"), TeamEntry("y")), marks, rule=Rule(RuleKind.KEEP_TOP, count=1)
    )

    report = sensitivity_check(stage_input)

    assert ("weight nia +10%", "x", Outcome.ELIMINATED, Outcome.ADVANCED) in [
        (flip.change, flip.team, flip.outcome_before, flip.outcome_after) for flip in report.flips
    ]


def test_passing_the_computed_result_gives_the_same_report():
    result = compute_standings(KNIFE_EDGE)

    assert sensitivity_check(KNIFE_EDGE, result) == sensitivity_check(KNIFE_EDGE)


def test_a_long_list_of_flips_is_summarised_after_ten():
    flips = tuple(
        Flip(f"without evaluator E{n:02d}", "a", Outcome.ADVANCED, Outcome.ELIMINATED)
        for n in range(1, 13)
    )
    report = SensitivityReport(robust=False, flips=flips)

    assert report.summary_en.count("without evaluator") == 10
    assert report.summary_en.endswith("E10: a advanced -> eliminated; and 2 more")
    assert report.summary_ko.endswith("; 외 2건")
