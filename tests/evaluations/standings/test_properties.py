"""Properties that must hold for every stage, checked on generated stages (hypothesis).

The generated criteria tree has the stage-1 shape with random aggregations: a benchmark parent
with two shared leaves (one normalised against a target) and per-team individual leaves whose
maxima do not always add up to the parent's, an expert leaf and a directly entered user leaf.
Marks come from up to four evaluators; a few are undisclosed and a few leaves missing. Gates, late
joiners, rules and tie-break chains are random too.
"""

from dataclasses import replace
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
    compute_standings,
    input_digest,
    sensitivity_check,
)

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MARKED = [Aggregation.MEAN, Aggregation.TRIMMED_MEAN, Aggregation.MEDIAN]
EVALUATORS = ("E01", "E02", "E03", "E04")
TOP_LEVEL_MAX = D("100")  # benchmark 40 + expert 35 + user 25


def tenths(upper: int, size: int) -> st.SearchStrategy[list[D]]:
    value = st.integers(0, upper * 10).map(lambda tenths: D(tenths).scaleb(-1))
    return st.lists(value, min_size=1, max_size=size)


# Strategies are built once: building them inside the generator would dominate the run time.
# Marks per leaf: up to four evaluators, or one directly entered value. "common" collects
# achieved scores against a target of 80, so its marks may exceed the 20 points.
LEAF_VALUES = {
    "nia": tenths(10, 4),
    "common": tenths(160, 4),
    "indiv_a": tenths(10, 1),
    "indiv_b": tenths(5, 1),
    "expert": tenths(35, 4),
    "user": tenths(25, 1),
}
AGGREGATIONS = st.sampled_from(MARKED)
GATE_RESULTS = st.sampled_from([True] * 5 + [False, None, "absent"])
TIE_BREAKS = st.lists(st.sampled_from(["benchmark", "expert", "user", "indiv_a"]), unique=True)


@st.composite
def stages(draw: st.DrawFn) -> StageInput:
    count = draw(st.integers(2, 6))
    teams = [f"t{number}" for number in range(count)]
    with_individual_a = frozenset(draw(st.sets(st.sampled_from(teams))))
    criteria = (
        CriterionSpec("benchmark", D("40"), Aggregation.SUM, order=1),
        CriterionSpec("nia", D("10"), draw(AGGREGATIONS), "benchmark", order=1),
        CriterionSpec("common", D("20"), draw(AGGREGATIONS), "benchmark", target=D("80"), order=2),
        CriterionSpec(
            "indiv_a", D("10"), Aggregation.DIRECT, "benchmark", teams=with_individual_a, order=3
        ),
        CriterionSpec(
            "indiv_b",
            D("5"),
            Aggregation.DIRECT,
            "benchmark",
            teams=frozenset(teams) - with_individual_a,
            order=4,
        ),
        CriterionSpec("expert", D("35"), draw(AGGREGATIONS), order=2),
        CriterionSpec("user", D("25"), Aggregation.DIRECT, order=3),
    )
    leaves = [spec for spec in criteria if spec.aggregation is not Aggregation.SUM]
    pairs = [
        (team, spec.code)
        for team in teams
        for spec in leaves
        if spec.teams is None or team in spec.teams
    ]
    missing = draw(st.sets(st.sampled_from(pairs), max_size=2))
    undisclosed = draw(st.sets(st.sampled_from(pairs), max_size=2))
    # A twin copies the previous team's marks, so equal totals and ties are common.
    twins = draw(st.sets(st.sampled_from(teams[1:]), max_size=2))
    marks: list[Mark] = []
    for position, team in enumerate(teams):
        for spec in leaves:
            if (team, spec.code) not in pairs or (team, spec.code) in missing:
                continue
            twin_of = teams[position - 1] if team in twins else None
            if twin_of is not None and (twin_of, spec.code) in pairs:
                marks += [
                    replace(mark, team=team)
                    for mark in marks
                    if (mark.team, mark.criterion) == (twin_of, spec.code)
                ]
                continue
            values: list[D | None] = list(draw(LEAF_VALUES[spec.code]))
            if (team, spec.code) in undisclosed:
                values[0] = None
            evaluators = [""] if spec.aggregation is Aggregation.DIRECT else EVALUATORS
            marks += [
                Mark(team, spec.code, evaluator, value)
                for evaluator, value in zip(evaluators, values, strict=False)
            ]
    gate_codes = ("independence",) if draw(st.booleans()) else ()
    gates = [
        GateMark(team, "independence", passed)
        for team in teams
        if gate_codes
        for passed in [draw(GATE_RESULTS)]
        if passed != "absent"
    ]
    late = draw(st.sets(st.sampled_from(teams), max_size=1))
    kind = draw(st.sampled_from(list(RuleKind)))
    rule = Rule(
        kind,
        count=draw(st.integers(0, count)),
        threshold=D(draw(st.integers(0, 1000))).scaleb(-1),
        tie_break=tuple(draw(TIE_BREAKS)),
    )
    return StageInput(
        criteria=criteria,
        teams=tuple(TeamEntry(team, ranked=team not in late) for team in teams),
        marks=tuple(marks),
        gates=tuple(gates),
        gate_codes=gate_codes,
        rule=rule,
    )


@PROPERTY_SETTINGS
@given(stage=stages(), data=st.data())
def test_shuffling_the_inputs_never_changes_the_result_or_the_digest(stage, data):
    shuffled = replace(
        stage,
        criteria=tuple(data.draw(st.permutations(stage.criteria))),
        teams=tuple(data.draw(st.permutations(stage.teams))),
        marks=tuple(data.draw(st.permutations(stage.marks))),
        gates=tuple(data.draw(st.permutations(stage.gates))),
    )

    original = compute_standings(stage)
    again = compute_standings(shuffled)
    assert again == original
    assert [list(row.points) for row in again.rows] == [list(row.points) for row in original.rows]
    assert input_digest(shuffled) == input_digest(stage)
    assert sensitivity_check(shuffled) == sensitivity_check(stage, original)


@PROPERTY_SETTINGS
@given(stage=stages(), data=st.data())
def test_lowering_one_mark_never_improves_that_teams_rank(stage, data):
    lowerable = [index for index, mark in enumerate(stage.marks) if mark.value]
    if not lowerable:
        return
    index = data.draw(st.sampled_from(lowerable))
    mark = stage.marks[index]
    lower = D(data.draw(st.integers(0, int(mark.value * 100) - 1))).scaleb(-2)
    lowered = replace(
        stage, marks=(*stage.marks[:index], replace(mark, value=lower), *stage.marks[index + 1 :])
    )

    before = compute_standings(stage).row(mark.team)
    after = compute_standings(lowered).row(mark.team)

    if before.total is not None:
        assert after.total is not None
        assert after.total <= before.total
    if before.rank is not None:
        assert after.rank is not None
        assert after.rank >= before.rank


@PROPERTY_SETTINGS
@given(stage=stages())
def test_points_never_exceed_their_maximum_and_totals_never_exceed_the_top_level_sum(stage):
    maxima = {spec.code: spec.max_points for spec in stage.criteria}

    for row in compute_standings(stage).rows:
        for code, points in row.points.items():
            assert points is None or D(0) <= points <= maxima[code]
        assert row.total is None or row.total <= TOP_LEVEL_MAX


@PROPERTY_SETTINGS
@given(stage=stages())
def test_ranks_form_a_valid_competition_ranking(stage):
    rows = compute_standings(stage).rows
    ranked = [row for row in rows if row.rank is not None]

    for row in ranked:
        ahead = sum(1 for other in ranked if other.rank < row.rank)
        sharing = sum(1 for other in ranked if other.rank == row.rank)
        assert row.rank == ahead + 1
        assert row.tied is (sharing > 1)
        assert row.total is not None
        for other in ranked:
            if row.total > other.total:
                assert row.rank < other.rank
            if other.rank == row.rank:
                assert other.total == row.total
    for row in rows:
        if row.rank is None:
            assert row.tied is False
    keys = [(row.rank is None, row.rank or 0, row.team) for row in rows]
    assert keys == sorted(keys)
