from dataclasses import replace
from decimal import Decimal as D

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    GateMark,
    Mark,
    Rule,
    RuleKind,
    StageInput,
    TeamEntry,
    input_digest,
)
from evaluations.standings import digest as digest_module

STAGE = StageInput(
    criteria=(
        CriterionSpec("benchmark", D("40"), Aggregation.SUM),
        CriterionSpec("nia", D("10"), Aggregation.DIRECT, "benchmark"),
        CriterionSpec("common", D("30"), Aggregation.DIRECT, "benchmark"),
        CriterionSpec("expert", D("35"), Aggregation.TRIMMED_MEAN),
    ),
    teams=(TeamEntry("lg"), TeamEntry("skt")),
    marks=(
        Mark("lg", "nia", "", D("9.2")),
        Mark("lg", "common", "", D("14.4")),
        Mark("lg", "expert", "E01", D("31")),
        Mark("skt", "nia", "", D("9.2")),
        Mark("skt", "expert", "E01", None),
    ),
    gates=(GateMark("lg", "independence", True), GateMark("skt", "independence", None)),
    gate_codes=("independence",),
    rule=Rule(RuleKind.ELIMINATE_LOWEST, count=1, tie_break=("expert", "benchmark")),
)


def test_the_digest_is_a_sha256_hex_string():
    digest = input_digest(STAGE)

    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_the_same_number_written_differently_gives_the_same_digest():
    rewritten = replace(
        STAGE,
        marks=tuple(
            replace(mark, value=D("9.20")) if mark.value == D("9.2") else mark
            for mark in STAGE.marks
        ),
        criteria=tuple(
            replace(spec, max_points=spec.max_points * D("1.00")) for spec in STAGE.criteria
        ),
    )

    assert input_digest(rewritten) == input_digest(STAGE)


def test_the_order_of_the_inputs_does_not_change_the_digest():
    reordered = replace(
        STAGE,
        criteria=STAGE.criteria[::-1],
        teams=STAGE.teams[::-1],
        marks=STAGE.marks[::-1],
        gates=STAGE.gates[::-1],
    )

    assert input_digest(reordered) == input_digest(STAGE)


def test_every_kind_of_change_changes_the_digest():
    changed = [
        replace(STAGE, marks=(*STAGE.marks[:-1], Mark("skt", "expert", "E01", D("30")))),
        replace(STAGE, marks=(*STAGE.marks, Mark("skt", "common", "", D("1")))),
        replace(STAGE, marks=(*STAGE.marks, STAGE.marks[0])),  # a duplicated mark
        replace(STAGE, gates=(STAGE.gates[0], GateMark("skt", "independence", False))),
        replace(STAGE, gate_codes=()),
        replace(STAGE, teams=(TeamEntry("lg"), TeamEntry("skt", ranked=False))),
        replace(STAGE, rule=replace(STAGE.rule, count=2)),
        replace(STAGE, rule=replace(STAGE.rule, tie_break=("benchmark", "expert"))),
        replace(STAGE, criteria=(*STAGE.criteria[:-1], replace(STAGE.criteria[-1], order=5))),
        replace(
            STAGE,
            criteria=(
                *STAGE.criteria[:-1],
                replace(STAGE.criteria[-1], aggregation=Aggregation.MEDIAN),
            ),
        ),
    ]

    digests = {input_digest(stage) for stage in changed}

    assert input_digest(STAGE) not in digests
    assert len(digests) == len(changed)


def as_rows(stage: StageInput) -> StageInput:
    return replace(
        stage,
        marks=tuple(
            (mark.team, mark.criterion, mark.evaluator, mark.value) for mark in stage.marks
        ),
    )


def test_marks_as_tuples_give_the_same_digest_as_mark_objects():
    assert input_digest(as_rows(STAGE)) == input_digest(STAGE)


def test_tuple_marks_are_order_independent_and_written_exactly():
    rows = as_rows(STAGE)
    reordered = replace(rows, marks=rows.marks[::-1])
    rewritten = replace(
        rows,
        marks=tuple(
            (team, criterion, evaluator, D("9.20") if value == D("9.2") else value)
            for team, criterion, evaluator, value in rows.marks
        ),
    )

    assert input_digest(reordered) == input_digest(rows)
    assert input_digest(rewritten) == input_digest(rows)


def test_an_undisclosed_mark_differs_from_every_number():
    undisclosed = replace(STAGE, marks=(*STAGE.marks, Mark("lg", "expert", "E02", None)))
    digests = {
        input_digest(replace(STAGE, marks=(*STAGE.marks, Mark("lg", "expert", "E02", value))))
        for value in (D("0"), D("0.00"), D("-0"), D("1E+1"), D("10"))
    }

    assert len(digests) == 2  # zero in any form, and ten in any form
    assert input_digest(undisclosed) not in digests


def test_numbers_are_told_apart_however_many_digits_they_have():
    # 31 significant digits: more than the engine's 28-digit precision, and still different.
    first = replace(
        STAGE,
        marks=(*STAGE.marks, Mark("lg", "expert", "E02", D("1.000000000000000000000000000001"))),
    )
    second = replace(
        STAGE,
        marks=(*STAGE.marks, Mark("lg", "expert", "E02", D("1.000000000000000000000000000002"))),
    )

    assert input_digest(first) != input_digest(second)


def test_a_duplicated_tuple_mark_changes_the_digest():
    rows = as_rows(STAGE)

    assert input_digest(replace(rows, marks=(*rows.marks, rows.marks[0]))) != input_digest(rows)
    # A second mark from one evaluator for one team and criterion, with its own value.
    twice = replace(rows, marks=(*rows.marks, ("lg", "expert", "E01", D("31"))))
    assert input_digest(twice) != input_digest(rows)


def test_the_engine_version_is_part_of_the_digest(monkeypatch):
    before = input_digest(STAGE)

    monkeypatch.setattr(digest_module, "ENGINE_VERSION", "another engine")

    assert input_digest(replace(STAGE)) != before


def test_an_invalid_stage_has_an_order_independent_digest():
    invalid = replace(
        STAGE, marks=(*STAGE.marks, Mark("kakao", "nia", "", D("1")), Mark("lg", "nia", "", D("1")))
    )
    rows = as_rows(invalid)

    assert input_digest(replace(invalid, marks=invalid.marks[::-1])) == input_digest(invalid)
    assert input_digest(replace(rows, marks=rows.marks[::-1])) == input_digest(invalid)


def test_evaluators_in_any_order_give_the_same_digest_even_past_the_known_orders(monkeypatch):
    evaluators = [f"E{number:02d}" for number in range(1, 7)]
    teams = [f"t{number}" for number in range(40)]
    stage = StageInput(
        criteria=(CriterionSpec("expert", D("35"), Aggregation.MEDIAN),),
        teams=tuple(TeamEntry(team) for team in teams),
        marks=tuple(
            (team, "expert", evaluator, D(index % 35))
            for index, (team, evaluator) in enumerate(
                (team, evaluator) for team in teams for evaluator in evaluators
            )
        ),
    )
    # Each team's marks in another order of evaluators: rotated, and reversed for odd teams.
    scrambled = replace(
        stage,
        marks=tuple(
            mark
            for position in range(len(teams))
            for group in [stage.marks[position * 6 : position * 6 + 6]]
            for rotated in [group[position % 6 :] + group[: position % 6]]
            for mark in (rotated[::-1] if position % 2 else rotated)
        ),
    )
    expected = input_digest(stage)

    assert input_digest(replace(scrambled)) == expected
    monkeypatch.setattr(digest_module, "_KNOWN_ORDERS", 1)
    assert input_digest(replace(scrambled)) == expected
    assert input_digest(replace(stage, marks=stage.marks[::-1])) == expected
    swapped = replace(
        stage,
        marks=(
            ("t0", "expert", "E01", stage.marks[1][3]),
            ("t0", "expert", "E02", stage.marks[0][3]),
            *stage.marks[2:],
        ),
    )
    assert stage.marks[0][3] != stage.marks[1][3]
    assert input_digest(swapped) != expected
