from dataclasses import replace
from decimal import Decimal as D

import pytest

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Rule,
    RuleKind,
    StageInput,
    StandingsError,
    StandingsInputError,
    TeamEntry,
    compute_standings,
    sensitivity_check,
)

CRITERIA = (
    CriterionSpec("benchmark", D("40"), Aggregation.SUM),
    CriterionSpec("nia", D("10"), Aggregation.DIRECT, "benchmark"),
    CriterionSpec("global_common", D("30"), Aggregation.DIRECT, "benchmark", target=D("80")),
    CriterionSpec("expert", D("35"), Aggregation.TRIMMED_MEAN),
    CriterionSpec("lg_only", D("5"), Aggregation.DIRECT, teams=frozenset({"lg"})),
)
VALID = StageInput(
    criteria=CRITERIA,
    teams=(TeamEntry("lg"), TeamEntry("skt")),
    marks=(
        Mark("lg", "nia", "", D("9.2")),
        Mark("lg", "global_common", "", D("95")),  # above 30: an achieved score against 80
        Mark("lg", "expert", "E01", D("31")),
        Mark("lg", "lg_only", "", D("5")),
        Mark("skt", "nia", "", D("9.2")),
    ),
    gates=(GateMark("lg", "independence", True),),
    gate_codes=("independence",),
    rule=Rule(RuleKind.ELIMINATE_LOWEST, count=1),
)


def with_marks(*marks: Mark) -> StageInput:
    return replace(VALID, marks=VALID.marks + marks)


def with_criteria(*criteria: CriterionSpec) -> StageInput:
    return replace(VALID, criteria=VALID.criteria + criteria)


def test_the_valid_stage_computes():
    assert compute_standings(VALID).row("lg").points["global_common"] == D("30")


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (
            with_marks(Mark("lg", "user", "E01", D("20"))),
            "Mark for team 'lg', criterion 'user', evaluator 'E01': the criterion is not defined",
        ),
        (
            with_marks(Mark("kakao", "nia", "", D("5"))),
            "Mark for team 'kakao', criterion 'nia', evaluator '': the team is not in this stage",
        ),
        (
            with_marks(Mark("skt", "expert", "E02", D("35.1"))),
            "evaluator 'E02': the value 35.1 is above the maximum of 35 points",
        ),
        (
            with_marks(Mark("skt", "expert", "E03", D("-1"))),
            "Mark for team 'skt', criterion 'expert', evaluator 'E03': the value -1 is negative",
        ),
        (
            with_marks(Mark("skt", "expert", "E03", 30.5)),
            "the value must be a finite Decimal, not 30.5",
        ),
        (
            with_marks(Mark("skt", "expert", "E03", D("NaN"))),
            "the value must be a finite Decimal",
        ),
        (
            with_marks(Mark("lg", "expert", "E01", D("30"))),
            "Mark for team 'lg', criterion 'expert', evaluator 'E01': this evaluator already",
        ),
        (
            with_marks(Mark("lg", "nia", "", D("9.3"))),
            "Mark for team 'lg', criterion 'nia', evaluator '': more than one directly entered",
        ),
        (
            with_marks(Mark("skt", "global_common", "E01", D("50"))),
            "takes points entered directly, with no evaluator",
        ),
        (
            with_marks(Mark("skt", "benchmark", "", D("30"))),
            "criterion 'benchmark', evaluator '': the criterion adds up its sub-criteria",
        ),
        (
            with_marks(Mark("skt", "lg_only", "", D("3"))),
            "Mark for team 'skt', criterion 'lg_only', evaluator '': the criterion does not apply",
        ),
        (
            with_criteria(
                CriterionSpec("a", D("1"), Aggregation.SUM, parent="b"),
                CriterionSpec("b", D("1"), Aggregation.SUM, parent="a"),
            ),
            "is its own ancestor",
        ),
        (
            with_criteria(CriterionSpec("orphan", D("1"), Aggregation.MEAN, parent="ghost")),
            "Criterion 'orphan': its parent 'ghost' is not defined",
        ),
        (
            with_criteria(CriterionSpec("nia", D("10"), Aggregation.DIRECT)),
            "Criterion 'nia' is defined twice",
        ),
        (
            with_criteria(CriterionSpec("empty", D("10"), Aggregation.SUM)),
            "Criterion 'empty' adds up its sub-criteria but has none",
        ),
        (
            with_criteria(CriterionSpec("sub", D("1"), Aggregation.MEAN, parent="expert")),
            "Criterion 'expert' has sub-criteria, so its aggregation must be 'sum'",
        ),
        (
            with_criteria(CriterionSpec("zero", D("0"), Aggregation.MEAN)),
            "Criterion 'zero': the maximum must be a positive Decimal",
        ),
        (
            replace(VALID, teams=(*VALID.teams, TeamEntry("lg"))),
            "Team 'lg' is listed twice",
        ),
        (
            replace(VALID, gates=(GateMark("lg", "licence", True),)),
            "Gate result for team 'lg', gate 'licence': the gate does not apply in this stage",
        ),
        (
            replace(VALID, gates=(GateMark("kakao", "independence", True),)),
            "Gate result for team 'kakao', gate 'independence': the team is not in this stage",
        ),
        (
            replace(VALID, rule=Rule(RuleKind.KEEP_TOP)),
            "Rule 'keep_top' needs a whole number of teams",
        ),
        (
            replace(VALID, rule=Rule(RuleKind.THRESHOLD)),
            "Rule 'threshold' needs a Decimal threshold",
        ),
        (
            replace(VALID, rule=Rule(RuleKind.NONE, tie_break=("speed",))),
            "Tie-break criterion 'speed' is not defined",
        ),
    ],
)
def test_inconsistent_inputs_are_refused_with_a_message_naming_the_item(stage, message):
    with pytest.raises(StandingsInputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        compute_standings(stage)


def test_the_input_error_carries_the_team_criterion_and_evaluator():
    with pytest.raises(StandingsInputError) as caught:
        compute_standings(with_marks(Mark("skt", "expert", "E02", D("36"))))

    error = caught.value
    assert (error.team, error.criterion, error.evaluator) == ("skt", "expert", "E02")
    assert isinstance(error, ValueError)
    assert isinstance(error, StandingsError)


def test_the_sensitivity_check_refuses_the_same_inputs():
    with pytest.raises(StandingsInputError, match="above the maximum"):
        sensitivity_check(with_marks(Mark("skt", "expert", "E02", D("36"))))
