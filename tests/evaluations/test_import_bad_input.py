"""The bad-input drill on the import services: whatever file arrives (see tests/bad_input.py),
checking it never fails with anything but a refusal, a refused file saves nothing, and each
problem in a row names the row and the column. Files that happen to be right are applied whole.

Each example runs in a savepoint rolled back at its end, on one stage built per test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import event, example, given
from hypothesis import strategies as st

from evaluations.models import Score, ScoreImport
from evaluations.services.imports import (
    score_import_apply,
    score_import_receive,
    score_import_run,
)
from evaluations.services.imports.files import _norm
from programs.errors import DomainError
from programs.numbers import mark_parse
from tests.bad_input import (
    assert_problems_name_row_and_column,
    build_drill_stage,
    csv_files,
    drill_settings,
    mark_texts,
    openpyxl_files,
    score_fingerprint,
    whole_files,
    xlsx_files,
)
from tests.builders import StageScenario

pytestmark = pytest.mark.django_db

HEADER = "팀,평가항목,평가위원,점수\r\n"


@pytest.fixture
def drill() -> StageScenario:
    return build_drill_stage()


def received(scenario: StageScenario, content: bytes) -> ScoreImport | None:
    """Upload and check a file as the clerk; a large file is checked as its job would be."""
    try:
        score_import = score_import_receive(
            stage_id=scenario.stage.pk,
            user=scenario.users["clerk"],
            filename="marks.csv",
            content=content,
        )
    except DomainError as err:
        assert err.code == "too_large"
        return None
    if score_import.status == ScoreImport.Status.RECEIVED:
        score_import = score_import_run(import_id=score_import.pk)  # the job's body
    return score_import


def check_then_apply(scenario: StageScenario, content: bytes) -> ScoreImport | None:
    """The drill's assertions for one file: refused whole with named problems and nothing
    saved, or applied whole."""
    before = score_fingerprint()
    score_import = received(scenario, content)
    if score_import is None:
        assert score_fingerprint() == before
        return None
    assert score_import.status in (ScoreImport.Status.READY, ScoreImport.Status.INVALID)
    assert_problems_name_row_and_column(score_import.problems)
    event(score_import.status)  # --hypothesis-show-statistics tells how the files fared
    for code in {p["code"] for p in score_import.problems}:
        event(code)
    if score_import.status == ScoreImport.Status.INVALID:
        assert score_import.problems and not score_import.plan
        with pytest.raises(DomainError) as refused:
            score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
        assert refused.value.code == "import_not_ready"
        assert score_fingerprint() == before
        return score_import
    applied = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    if applied.status == ScoreImport.Status.QUEUED:
        applied = score_import_run(import_id=applied.pk)
    assert applied.status == ScoreImport.Status.APPLIED, applied.error
    for pid, cid, evaluator, value, _score_id, _version in applied.plan:
        saved = Score.objects.get(participation_id=pid, criterion_id=cid, evaluator_code=evaluator)
        assert saved.value == (None if value is None else Decimal(value))
    if not applied.plan:
        assert score_fingerprint() == before
    return applied


def in_a_savepoint(check, *args):
    with transaction.atomic():
        result = check(*args)
        transaction.set_rollback(True)
    return result


@drill_settings(250)
@given(content=csv_files())
@example(content=(HEADER + "alpha,달성,,1e400\r\n").encode())  # was: overflow on apply (500)
@example(content=(HEADER + "alpha,달성,,99999999\r\n").encode())  # the same, typed out
@example(content=(HEADER + "x" * 5000 + "\r\nal\x00pha,nia,,5\r\n").encode())  # NUL: 500
@example(content=(HEADER + "a" * 200_000 + ",nia,,5\r\n").encode())  # csv field limit: 500
@example(content=(HEADER + "alpha,nia,,1" + "0" * 40 + ".0000\r\n").encode())  # quantize: 500
def test_a_csv_file_is_refused_whole_with_named_problems_or_applied_whole(drill, content):
    in_a_savepoint(check_then_apply, drill, content)


@drill_settings(250)
@given(content=st.one_of(xlsx_files(), openpyxl_files()))
def test_an_xlsx_file_is_refused_whole_with_named_problems_or_applied_whole(drill, content):
    in_a_savepoint(check_then_apply, drill, content)


@drill_settings(12)  # each of the files listed once
@given(content=whole_files)
def test_empty_header_only_and_foreign_files_are_refused_as_a_whole(drill, content):
    score_import = in_a_savepoint(check_then_apply, drill, content)
    assert score_import is not None and score_import.status == ScoreImport.Status.INVALID


# --- One bad cell in an otherwise good file ---------------------------------------------------

GOOD_ROWS = (
    ("alpha", "nia", "", "9.5"),
    ("alpha", "전문가", "E01", "31"),
    ("beta", "common", "", "비공개"),
    ("beta", "사용자", "E02", "20.25"),
)
# The column letters of the template: 팀 A, 평가항목 B, 평가위원 C, 점수 D.
LETTERS = {"team": "A", "criterion": "B", "evaluator": "C", "value": "D"}


# What both a CSV cell and an XLSX cell hold as typed (no control characters).
printable = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=30)


def refused_mark(text: str) -> bool:
    try:
        mark_parse(text, max_points=Decimal(10))
    except DomainError:
        return True
    return False


@st.composite
def one_bad_cell(draw: st.DrawFn) -> tuple[int, str, list[list[str]]]:
    """(row number in the sheet, column key, rows): a good file with one cell made wrong."""
    rows = [list(row) for row in GOOD_ROWS]
    index = draw(st.integers(0, len(rows) - 1))
    if index == 0:  # the first row's criterion takes points directly, with a maximum of 10
        key = draw(st.sampled_from(["team", "criterion", "evaluator", "value"]))
    else:
        key = draw(st.sampled_from(["team", "criterion"]))
    bad: str
    if key == "team":
        bad = draw(printable.filter(lambda t: _norm(t) not in ("alpha", "beta")))
    elif key == "criterion":
        bad = f"no such {draw(printable)}"
    elif key == "evaluator":
        bad = draw(st.sampled_from(["E01", "x", "평가위원"]))  # direct points take no evaluator
    else:
        bad = draw(
            mark_texts.filter(lambda t: t.isprintable() and t.strip() != "" and refused_mark(t))
        )
    rows[index][("team", "criterion", "evaluator", "value").index(key)] = bad
    return index + 2, key, rows


@drill_settings(100)
@given(case=one_bad_cell(), as_xlsx=st.booleans())
def test_one_bad_cell_is_named_by_its_row_and_column_and_nothing_else_is_flagged(
    drill, case, as_xlsx
):
    from tests.evaluations.test_score_import import csv_bytes, xlsx_bytes

    row, key, rows = case
    if as_xlsx:
        content = xlsx_bytes([[cell or None for cell in r] for r in rows])
    else:
        content = csv_bytes([",".join(_quoted(cell) for cell in r) for r in rows])
    score_import = in_a_savepoint(check_then_apply, drill, content)
    assert score_import is not None
    assert score_import.status == ScoreImport.Status.INVALID
    named = {(p["row"], p["column"], p["column_key"]) for p in score_import.problems}
    assert named == {(row, LETTERS[key], key)}, score_import.problems


def _quoted(cell: str) -> str:
    if any(ch in cell for ch in ',"\r\n') or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


# --- The same rule as the grid ----------------------------------------------------------------


@drill_settings(80)
@given(text=mark_texts)
def test_the_import_reads_a_typed_mark_exactly_as_the_grid_does(drill, text):
    """A mark the grid refuses is refused by the import (in the score column, naming it), and
    a mark the grid accepts is imported as the same value."""
    try:
        grid = mark_parse(text, max_points=Decimal(10))
    except DomainError:
        grid = None
    if "\r" in text or "\n" in text or "\x00" in text:
        return  # a line break or NUL ends or garbles the CSV line itself; covered above
    content = (HEADER + "alpha,nia,," + _quoted(text) + "\r\n").encode()

    def check() -> None:
        score_import = received(drill, content)
        assert score_import is not None
        if grid is None:
            assert score_import.status == ScoreImport.Status.INVALID
            assert [(p["row"], p["column"]) for p in score_import.problems] == [(2, "D")]
        else:
            assert score_import.status == ScoreImport.Status.READY, score_import.problems
            planned = {Decimal(e[3]) if e[3] is not None else None for e in score_import.plan}
            assert planned <= {grid.value}  # empty when the value is unchanged (5)

    in_a_savepoint(check)


@pytest.mark.parametrize("typed", ["12.5000", "9.1000", "7.0"])
def test_trailing_zeros_past_three_decimals_read_the_same_in_the_import_grid_and_api(drill, typed):
    from evaluations.services.scores import score_save

    value = Decimal(typed)
    assert mark_parse(typed).value == value
    score_import = received(drill, (HEADER + f"beta,tgt,,{typed}\r\n").encode())
    assert score_import is not None and score_import.status == ScoreImport.Status.READY
    assert Decimal(score_import.plan[0][3]) == value
    saved = score_save(
        participation_id=drill.participations["alpha"].pk,
        criterion_id=drill.criteria["tgt"].pk,
        value=typed,
        user=drill.users["clerk"],
    )
    assert saved.value == value
