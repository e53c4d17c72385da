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
