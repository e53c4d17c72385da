"""Stage 1 of the program (result announced 2026-01-15), from the fact sheet, sections 2.2 and 2.3.

Published: LG benchmark 33.6 (= NIA 9.2 + global common 14.4 + global individual 10.0), expert
31.6, user 25.0, total 90.2; SKT NIA 9.2; Upstage global individual 10.0; Naver Cloud in the top
four by total but failed the independence gate; NC AI lowest total. Averages over the five
teams: benchmark 30.4, expert 28.56, user 20.76, total 79.7.
"""

import pickle
from decimal import Decimal as D

import pytest

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Outcome,
    ReasonCode,
    RecordedDecision,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
    apply_decisions,
    compute_standings,
)

TEAMS = ("lg", "skt", "upstage", "naver", "ncai")
BENCHMARK_PARTS = ("nia", "global_common", "global_individual")

CRITERIA = (
    CriterionSpec("benchmark", D("40"), Aggregation.SUM, order=1),
    CriterionSpec("nia", D("10"), Aggregation.DIRECT, parent="benchmark", order=1),
    CriterionSpec("global_common", D("20"), Aggregation.DIRECT, parent="benchmark", order=2),
    CriterionSpec("global_individual", D("10"), Aggregation.DIRECT, parent="benchmark", order=3),
    CriterionSpec("expert", D("35"), Aggregation.TRIMMED_MEAN, order=2),
    CriterionSpec("user", D("25"), Aggregation.DIRECT, order=3),
)
INDEPENDENCE_FAILED_BY = {"naver"}
ELIMINATE_ONE = Rule(RuleKind.ELIMINATE_LOWEST, count=1)

# Hand-made full scores: LG's are the published ones; the others are invented so that each
# published average over the five teams comes out exactly (benchmark 30.4, expert 28.56,
# user 20.76, total 79.7), Naver ranks fourth and NC AI last.
FULL_SCORES = {
    #          nia    common  indiv.  expert  user
    "lg": ("9.2", "14.4", "10.0", "31.6", "25.0"),
    "skt": ("9.2", "13.9", "9.1", "30.1", "22.4"),
    "upstage": ("8.6", "12.7", "10.0", "29.5", "21.9"),
    "naver": ("8.4", "12.1", "9.0", "25.8", "19.6"),
    "ncai": ("7.9", "10.2", "7.3", "25.8", "14.9"),
}
# Ten experts; the trimmed mean drops -1.0 and +1.5 and the eight others average to the score.
EXPERT_SPREAD = ("-1.0", "-0.5", "-0.3", "-0.1", "0", "0", "0.1", "0.3", "0.5", "1.5")


def gates() -> tuple[GateMark, ...]:
    return tuple(
        GateMark(team, "independence", team not in INDEPENDENCE_FAILED_BY) for team in TEAMS
    )


def expert_marks(team: str, score: str) -> list[Mark]:
    return [
        Mark(team, "expert", f"E{number:02d}", D(score) + D(offset))
        for number, offset in enumerate(EXPERT_SPREAD, start=1)
    ]


def full_stage() -> StageInput:
    marks: list[Mark] = []
    for team, (nia, common, individual, expert, user) in FULL_SCORES.items():
        marks += [
            Mark(team, "nia", "", D(nia)),
            Mark(team, "global_common", "", D(common)),
            Mark(team, "global_individual", "", D(individual)),
            Mark(team, "user", "", D(user)),
            *expert_marks(team, expert),
        ]
    return StageInput(
        criteria=CRITERIA,
        teams=tuple(TeamEntry(team) for team in TEAMS),
        marks=tuple(marks),
        gates=gates(),
        gate_codes=("independence",),
        rule=ELIMINATE_ONE,
    )


def published_stage() -> StageInput:
    """Only what the ministry published; every other number recorded as not disclosed."""
    published = {
        ("lg", "nia"): "9.2",
        ("lg", "global_common"): "14.4",
        ("lg", "global_individual"): "10.0",
        ("lg", "user"): "25.0",
        ("skt", "nia"): "9.2",
        ("upstage", "global_individual"): "10.0",
    }
    marks: list[Mark] = [Mark("lg", "expert", "", D("31.6"))]  # the panel average, as published
    for team in TEAMS:
        for code in (*BENCHMARK_PARTS, "user"):
            value = published.get((team, code))
            marks.append(Mark(team, code, "", None if value is None else D(value)))
        if team != "lg":
            marks.append(Mark(team, "expert", "", None))
    return StageInput(
        criteria=CRITERIA,
        teams=tuple(TeamEntry(team) for team in TEAMS),
        marks=tuple(marks),
        gates=gates(),
        gate_codes=("independence",),
        rule=ELIMINATE_ONE,
    )


def test_lg_direct_sub_scores_give_benchmark_33_6_and_total_90_2():
    lg = compute_standings(published_stage()).row("lg")

    assert lg.points["benchmark"] == D("33.6")
    assert lg.total == D("90.2")
    assert lg.rank == 1


def test_points_list_the_criteria_tree_in_display_order():
    lg = compute_standings(full_stage()).row("lg")

    assert list(lg.points) == [
        "benchmark",
        "nia",
        "global_common",
        "global_individual",
        "expert",
        "user",
    ]
    assert dict(lg.points) == {
        "benchmark": D("33.6"),
        "nia": D("9.2"),
        "global_common": D("14.4"),
        "global_individual": D("10.0"),
        "expert": D("31.6"),
        "user": D("25.0"),
    }


def test_hand_made_full_scores_reproduce_the_published_averages():
    result = compute_standings(full_stage())

    def average(code: str) -> D:
        return sum(result.row(team).points[code] for team in TEAMS) / len(TEAMS)

    assert average("benchmark") == D("30.4")
    assert average("expert") == D("28.56")
    assert average("user") == D("20.76")
    assert (sum(result.row(team).total for team in TEAMS) / 5).quantize(D("0.1")) == D("79.7")


def test_naver_is_in_the_top_four_by_score_yet_disqualified_by_the_independence_gate():
    naver = compute_standings(full_stage()).row("naver")

    assert naver.rank == 4
    assert naver.outcome is Outcome.DISQUALIFIED
    assert naver.reason is ReasonCode.GATE_FAILED
    assert naver.failed_gates == ("independence",)
    assert naver.reason_en == "Failed the gate: independence."
    assert naver.reason_ko == "게이트 미통과: independence."


def test_the_lowest_team_is_eliminated_so_two_teams_are_out_although_the_rule_said_one():
    result = compute_standings(full_stage())

    assert [(row.team, row.rank, row.outcome) for row in result.rows] == [
        ("lg", 1, Outcome.ADVANCED),
        ("skt", 2, Outcome.ADVANCED),
        ("upstage", 3, Outcome.ADVANCED),
        ("naver", 4, Outcome.DISQUALIFIED),
        ("ncai", 5, Outcome.ELIMINATED),
    ]
    ncai = result.row("ncai")
    assert ncai.reason is ReasonCode.BELOW_LINE
    assert ncai.reason_en == "Ranked 4 of 4 eligible teams; the lowest 1 team is eliminated."
    assert ncai.reason_ko == "심사 대상 4팀 중 4위로 하위 1팀 탈락 기준에 해당합니다."


def test_expert_points_are_the_trimmed_mean_of_ten_evaluators():
    result = compute_standings(full_stage())

    # The plain mean of LG's ten marks would be 31.65, published as 31.7.
    assert result.row("lg").points["expert"] == D("31.6")


def test_published_record_leaves_teams_without_disclosed_totals_not_ranked():
    result = compute_standings(published_stage())

    skt = result.row("skt")
    assert skt.points["nia"] == D("9.2")
    assert skt.total is None
    assert skt.rank is None
    assert skt.outcome is Outcome.NOT_RANKED
    assert skt.reason is ReasonCode.NOT_DISCLOSED
    assert skt.reason_en == (
        "Scores not disclosed: global_common, global_individual, expert, user."
    )
    assert skt.reason_ko == "점수 비공개: global_common, global_individual, expert, user."
    assert result.row("upstage").points["global_individual"] == D("10.0")
    assert result.row("ncai").reason is ReasonCode.NOT_DISCLOSED


def test_published_record_cannot_draw_the_line_while_other_totals_are_unknown():
    result = compute_standings(published_stage())

    lg = result.row("lg")
    assert lg.outcome is Outcome.NOT_RANKED
    assert lg.reason is ReasonCode.INCOMPLETE
    assert lg.reason_en == (
        "The line cannot be drawn until results are known for: ncai, skt, upstage."
    )
    assert result.row("naver").outcome is Outcome.DISQUALIFIED


def test_recorded_decisions_reproduce_the_real_stage_1_outcome():
    result = compute_standings(published_stage())
    announced = "MSIT announcement of 2026-01-15."
    decisions = {
        "lg": RecordedDecision(Outcome.ADVANCED, f"Ranked first overall; {announced}"),
        "skt": RecordedDecision(Outcome.ADVANCED, announced),
        "upstage": RecordedDecision(Outcome.ADVANCED, announced),
        "naver": RecordedDecision(Outcome.DISQUALIFIED),
        "ncai": RecordedDecision(Outcome.ELIMINATED, f"Lowest total of the five; {announced}"),
    }

    finals = {final.team: final for final in apply_decisions(result, decisions)}

    assert {team: final.final for team, final in finals.items()} == {
        "lg": Outcome.ADVANCED,
        "skt": Outcome.ADVANCED,
        "upstage": Outcome.ADVANCED,
        "naver": Outcome.DISQUALIFIED,
        "ncai": Outcome.ELIMINATED,
    }
    assert finals["naver"].overridden is False
    assert finals["naver"].reason == "Failed the gate: independence."
    assert finals["ncai"].overridden is True
    assert finals["ncai"].reason == f"Lowest total of the five; {announced}"


def test_standings_are_read_only_hashable_and_picklable_so_they_can_be_cached():
    result = compute_standings(full_stage())

    with pytest.raises(TypeError):
        result.row("lg").points["expert"] = D("35")  # type: ignore[index]
    with pytest.raises(AttributeError):
        result.row("lg").total = D("100")  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(result)) == result
    assert hash(pickle.loads(pickle.dumps(result))) == hash(result)
