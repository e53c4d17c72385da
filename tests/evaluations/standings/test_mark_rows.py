"""Marks given as plain `MarkRow` tuples behave exactly like `Mark` objects.

A service reading 200,000 rows passes them as tuples rather than building a `Mark` for each; the
results, the errors and the digest must not depend on the form, nor on mixing the two.
"""

import pickle
from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations.standings import (
    Aggregation,
    CriterionSpec,
    Mark,
    MarkRow,
    StageInput,
    StandingsInputError,
    TeamEntry,
    compute_standings,
    input_digest,
    sensitivity_check,
)
from evaluations.standings import prepare as prepare_module
from evaluations.standings.prepare import prepare_stage
from evaluations.standings.scoring import leaf_columns, raw_leaf_columns, summarise_marks
from tests.evaluations.standings.test_input_errors import VALID
from tests.evaluations.standings.test_properties import PROPERTY_SETTINGS, stages
from tests.evaluations.standings.test_stage1 import full_stage, published_stage


def row(mark: Mark) -> MarkRow:
    return (mark.team, mark.criterion, mark.evaluator, mark.value)


def as_rows(stage: StageInput, which: list[bool] | None = None) -> StageInput:
    """The same stage with its `Mark`s as tuples: all of them, or those flagged in `which`."""
    flags = which if which is not None else [True] * len(stage.marks)
    return replace(
        stage,
        marks=tuple(
            row(mark) if flag and isinstance(mark, Mark) else mark
            for mark, flag in zip(stage.marks, flags, strict=True)
        ),
    )


def flags_for(data: st.DataObject, stage: StageInput) -> list[bool]:
    count = len(stage.marks)
    return data.draw(st.lists(st.booleans(), min_size=count, max_size=count))


def outcome(stage: StageInput) -> tuple[str, object]:
    """What computing the stage gives: the standings, or the error and the names it carries."""
    try:
        return ("result", compute_standings(stage))
    except StandingsInputError as error:
        return ("error", (str(error), error.team, error.criterion, error.evaluator, error.gate))


@pytest.mark.parametrize("stage", [full_stage(), published_stage(), VALID])
def test_tuples_give_the_same_standings_digest_and_sensitivity_as_marks(stage):
    rows = as_rows(stage)
    mixed = as_rows(stage, [index % 2 == 0 for index in range(len(stage.marks))])

    assert all(type(mark) is tuple for mark in rows.marks)
    for other in (rows, mixed):
        assert compute_standings(other) == compute_standings(stage)
        assert input_digest(other) == input_digest(stage)
        assert sensitivity_check(other) == sensitivity_check(stage)


def test_the_stage_keeps_the_marks_as_given():
    mark = Mark("lg", "expert", "E02", D("30"))
    stage = replace(VALID, marks=[*VALID.marks[:2], row(mark), mark])

    assert stage.marks[2] == ("lg", "expert", "E02", D("30"))
    assert stage.marks[3] is mark


BAD_MARKS = [
    (Mark("lg", "user", "E01", D("20")), "the criterion is not defined"),
    (Mark("kakao", "nia", "", D("5")), "the team is not in this stage"),
    (Mark("skt", "expert", "E02", D("35.1")), "above the maximum of 35 points"),
    (Mark("skt", "expert", "E03", D("-1")), "the value -1 is negative"),
    (Mark("skt", "expert", "E03", 30.5), "must be a finite Decimal, not 30.5"),
    (Mark("skt", "expert", "E03", D("NaN")), "must be a finite Decimal"),
    (Mark("skt", "expert", "E03", D("sNaN")), "must be a finite Decimal"),
    (Mark("skt", "global_common", "", D("Infinity")), "must be a finite Decimal"),
    (Mark("lg", "expert", "E01", D("30")), "this evaluator already has a mark here"),
    (Mark("lg", "expert", "E01", None), "this evaluator already has a mark here"),
    (Mark("lg", "nia", "", D("9.3")), "more than one directly entered value"),
    (Mark("skt", "global_common", "E01", D("50")), "with no evaluator"),
    (Mark("skt", "expert", None, D("1")), "the evaluator must be a string"),
    (Mark("skt", "benchmark", "", D("30")), "adds up its sub-criteria"),
    (Mark("skt", "lg_only", "", D("3")), "the criterion does not apply to this team"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_MARKS)
def test_a_bad_mark_gives_the_same_error_as_a_mark_or_as_a_tuple(bad, message):
    as_mark = replace(VALID, marks=(*VALID.marks, bad))
    as_tuple = replace(VALID, marks=(*VALID.marks, row(bad)))
    all_tuples = as_rows(as_mark)

    kind, error = outcome(as_mark)
    assert kind == "error"
    assert message in error[0]
    assert error[0].startswith(
        f"Mark for team {bad.team!r}, criterion {bad.criterion!r}, evaluator {bad.evaluator!r}: "
    )
    assert error[1:4] == (bad.team, bad.criterion, bad.evaluator)
    assert outcome(as_tuple) == outcome(all_tuples) == outcome(as_mark)
    # An invalid stage still has a digest, the same for either form.
    assert input_digest(as_tuple) == input_digest(all_tuples) == input_digest(as_mark)
    assert input_digest(as_mark) != input_digest(VALID)


@pytest.mark.parametrize(
    "malformed",
    [("lg", "expert", "E02"), ("lg", "expert", "E02", D("1"), "extra"), None, "lgexpertE02"],
)
@pytest.mark.parametrize("others", ["marks", "tuples"])
def test_a_mark_that_is_neither_a_mark_nor_a_4_tuple_is_an_input_error(malformed, others):
    base = VALID if others == "marks" else as_rows(VALID)
    stage = replace(base, marks=(*base.marks[:2], malformed, *base.marks[2:]))

    with pytest.raises(StandingsInputError, match=r"^Mark number 3 must be a Mark or a \(team"):
        compute_standings(stage)
    assert len(input_digest(stage)) == 64
    assert input_digest(stage) != input_digest(base)


def test_an_earlier_bad_mark_is_reported_before_a_later_malformed_one():
    bad = row(Mark("kakao", "nia", "", D("5")))
    for base in (VALID, as_rows(VALID)):
        stage = replace(base, marks=(bad, *base.marks, ("lg", "expert")))

        with pytest.raises(StandingsInputError, match="the team is not in this stage"):
            compute_standings(stage)


def test_a_list_is_not_a_mark_row():
    stage = replace(VALID, marks=(*VALID.marks, ["lg", "expert", "E02", D("1")]))

    with pytest.raises(StandingsInputError, match="must be a Mark or a"):
        compute_standings(stage)


def test_a_named_tuple_of_four_fields_is_a_mark_row():
    from typing import NamedTuple

    class Row(NamedTuple):
        team: str
        criterion: str
        evaluator: str
        value: D | None

    stage = replace(VALID, marks=(*VALID.marks, Row("lg", "expert", "E02", D("29"))))
    plain = replace(VALID, marks=(*VALID.marks, ("lg", "expert", "E02", D("29"))))

    assert compute_standings(stage) == compute_standings(plain)
    assert input_digest(stage) == input_digest(plain)


def test_subclasses_of_decimal_and_str_count_as_their_plain_values():
    class Number(D):
        pass

    class Code(str):
        pass

    plain = replace(VALID, marks=(*VALID.marks, ("lg", "expert", "E02", D("29.50"))))
    subclassed = replace(VALID, marks=(*VALID.marks, ("lg", "expert", Code("E02"), Number("29.5"))))
    duplicate = replace(
        subclassed, marks=(*subclassed.marks, ("lg", "expert", Code("E02"), Number("1")))
    )

    assert compute_standings(subclassed) == compute_standings(plain)
    assert input_digest(subclassed) == input_digest(plain)
    with pytest.raises(StandingsInputError, match="this evaluator already has a mark here"):
        compute_standings(duplicate)


def test_the_digest_and_the_standings_share_one_preparation(monkeypatch):
    calls = []
    original = prepare_module._prepare

    def counting(stage):
        calls.append(stage)
        return original(stage)

    monkeypatch.setattr(prepare_module, "_prepare", counting)
    stage = as_rows(full_stage())

    digest = input_digest(stage)
    result = compute_standings(stage)
    sensitivity_check(stage, result)

    assert len(calls) == 1
    assert input_digest(stage) == digest
    assert prepare_stage(stage) is prepare_stage(stage)


def test_the_kept_preparation_takes_no_part_in_equality_hashing_or_pickling():
    stage = as_rows(full_stage())
    fresh = as_rows(full_stage())
    result = compute_standings(stage)

    assert stage == fresh
    assert hash(stage) == hash(fresh)
    assert "_prepared" not in repr(stage)
    copy = pickle.loads(pickle.dumps(stage))
    assert copy == stage
    assert copy._prepared is None
    assert compute_standings(copy) == result
    assert replace(stage)._prepared is None


def test_an_invalid_stage_is_not_kept_prepared_and_fails_every_time():
    stage = replace(VALID, marks=(*VALID.marks, ("lg", "nia", "", D("1"))))

    for _ in range(2):
        with pytest.raises(StandingsInputError, match="more than one directly entered"):
            compute_standings(stage)
    assert stage._prepared is None


def test_a_stage_with_no_marks_computes_and_digests():
    stage = StageInput(
        criteria=(CriterionSpec("expert", D("35"), Aggregation.MEAN),),
        teams=(TeamEntry("lg"),),
        marks=(),
    )

    assert compute_standings(stage).row("lg").total is None
    assert input_digest(stage) == input_digest(replace(stage, marks=[]))


# Bad marks to slip into generated stages; each breaks exactly one rule.
GENERATED_BAD = [
    ("t0", "nowhere", "E01", D("1")),
    ("t99", "expert", "E01", D("1")),
    ("t0", "benchmark", "", D("1")),
    ("t0", "expert", "E01", D("-0.1")),
    ("t0", "expert", "E01", D("35.01")),
    ("t0", "expert", "E01", 1.5),
    ("t0", "expert", "E01", D("NaN")),
    ("t0", "expert", 7, D("1")),
    ("t0", "user", "E01", D("1")),
    ("t0", "expert", "E09", D("1")),  # a valid one: generated stages have E01 to E04 only
]


@PROPERTY_SETTINGS
@given(stage=stages(), data=st.data())
def test_any_mix_of_marks_and_tuples_gives_the_same_outcome_and_digest(stage, data):
    mixed = as_rows(stage, flags_for(data, stage))
    rows = as_rows(stage)

    assert outcome(mixed) == outcome(rows) == outcome(stage)
    assert input_digest(mixed) == input_digest(rows) == input_digest(stage)
    assert sensitivity_check(rows) == sensitivity_check(stage)
    prepared = prepare_stage(rows)
    assert raw_leaf_columns(prepared) == leaf_columns(prepared, summarise_marks(prepared))


@PROPERTY_SETTINGS
@given(stage=stages(), data=st.data())
def test_an_invalid_mark_gives_the_same_error_and_digest_in_either_form(stage, data):
    if stage.marks:
        # A duplicate of an existing mark (same team, criterion and evaluator), other value.
        copied = data.draw(st.sampled_from(stage.marks))
        duplicate = (copied.team, copied.criterion, copied.evaluator, D("0"))
        candidates = [*GENERATED_BAD, duplicate]
    else:
        candidates = GENERATED_BAD
    bad = data.draw(st.sampled_from(candidates))
    position = data.draw(st.integers(0, len(stage.marks)))
    with_mark = replace(stage, marks=(*stage.marks[:position], Mark(*bad), *stage.marks[position:]))
    with_row = replace(stage, marks=(*stage.marks[:position], bad, *stage.marks[position:]))
    mixed = as_rows(with_mark, flags_for(data, with_mark))

    expected = outcome(with_mark)
    assert outcome(with_row) == outcome(mixed) == outcome(as_rows(with_mark)) == expected
    assert input_digest(with_row) == input_digest(mixed) == input_digest(with_mark)
    if expected[0] == "error":
        assert input_digest(with_mark) != input_digest(stage)
