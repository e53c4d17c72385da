"""Importing marks from XLSX and CSV: every problem named by row and column, nothing saved
unless the whole file is right, the same file twice changes nothing, a failed apply can be
retried."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from evaluations.models import Score, ScoreImport
from evaluations.services.imports import (
    MAX_BYTES,
    problem_message,
    score_import_apply,
    score_import_receive,
    score_import_recheck,
    score_import_run,
    template_csv,
    template_xlsx,
)
from evaluations.services.lifecycle import stage_return_to_scoring
from evaluations.services.scores import score_save
from evaluations.tasks import scores_import
from programs.errors import DomainError, PermissionDenied
from programs.models import Stage
from tests.builders import build_stage
from tests.factories import OrganizationFactory, ParticipationFactory, TeamFactory

pytestmark = pytest.mark.django_db

HEADER = "팀,평가항목,평가위원,점수\r\n"


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def csv_bytes(rows: list[str], *, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return (header + "".join(row + "\r\n" for row in rows)).encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, title: str = "점수", header=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header or ["팀", "평가항목", "평가위원", "점수"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def receive(scenario, content: bytes, *, user="clerk", name="marks.csv") -> ScoreImport:
    return score_import_receive(
        stage_id=scenario.stage.pk, user=scenario.users[user], filename=name, content=content
    )


def problems_of(score_import: ScoreImport) -> list[tuple[object, str, str]]:
    return [(p["row"], p["column"], p["code"]) for p in score_import.problems]


GOOD_ROWS = [
    "alpha,nia,,9.5",
    "alpha,전문가,E01,30",
    "beta,common,,비공개",
    "Beta,사용자,E02,20.25",
]


def test_a_valid_csv_is_previewed_then_applied_as_the_clerk(
    scenario, django_capture_on_commit_callbacks
):
    score_import = receive(scenario, csv_bytes(GOOD_ROWS))
    assert score_import.status == ScoreImport.Status.READY
    assert (score_import.rows_total, score_import.rows_created) == (4, 4)
    assert not Score.objects.exists()  # a preview saves nothing

    with django_capture_on_commit_callbacks(execute=True):
        applied = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert applied.status == ScoreImport.Status.APPLIED
    values = {
        (s.participation.team.slug, s.criterion.code, s.evaluator_code): s.value
        for s in Score.objects.select_related("participation__team", "criterion")
    }
    assert values == {
        ("alpha", "nia", ""): Decimal("9.5"),
        ("alpha", "expert", "E01"): Decimal("30"),
        ("beta", "common", ""): None,
        ("beta", "user", "E02"): Decimal("20.25"),
    }
    assert set(Score.objects.values_list("entered_by", flat=True)) == {scenario.users["clerk"].pk}
    scenario.stage.refresh_from_db()
    assert scenario.stage.standings_inputs_version > 0  # the standings will follow


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8-sig", b""), ("cp949", b""), ("euc-kr", b"")],
)
def test_korean_csv_is_read_in_utf8_with_or_without_bom_and_in_cp949(scenario, encoding, prefix):
    rows = ["alpha,전문가,E01,30", "beta,사용자,E02,20"]
    score_import = receive(scenario, prefix + csv_bytes(rows, encoding=encoding))
    assert score_import.status == ScoreImport.Status.READY, score_import.problems
    assert score_import.rows_created == 2


def test_english_headers_and_full_width_digits_are_read(scenario):
    content = csv_bytes(["alpha,Expert,E01,３０．５"], header="Team,Criterion,Evaluator,Score\r\n")
    score_import = receive(scenario, content)
    assert score_import.status == ScoreImport.Status.READY
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert Score.objects.get().value == Decimal("30.5")


def test_a_mark_is_read_as_the_grid_reads_it(scenario):
    """The import reads a typed mark with the grid's rule (programs.numbers.mark_parse)."""
    content = csv_bytes(['alpha,nia,,"9,5"', "beta,nia,,7.2500", "alpha,common,,n/d"])
    score_import = receive(scenario, content)
    assert score_import.status == ScoreImport.Status.READY, score_import.problems
    assert [entry[3] for entry in score_import.plan] == ["9.5", "7.250", None]


def test_xlsx_from_excel_is_read_with_numbers_as_excel_stored_them(scenario):
    score_import = receive(
        scenario,
        xlsx_bytes([["alpha", "nia", None, 9.2], ["beta", "nia", None, 7]]),
        name="marks.xlsx",
    )
    assert score_import.status == ScoreImport.Status.READY, score_import.problems
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal(7), Decimal("9.2")]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("gamma,nia,,5", (2, "A", "unknown_team")),
        ("alpha,nope,,5", (2, "B", "unknown_criterion")),
        ("alpha,벤치마크,,5", (2, "B", "computed_criterion")),
        ("alpha,nia,,11", (2, "D", "above_max")),
        ("alpha,nia,,abc", (2, "D", "not_a_number")),
        ("alpha,nia,,-1", (2, "D", "negative")),
        ("alpha,nia,,9.1234", (2, "D", "too_many_decimals")),
        ('alpha,nia,,"9,125"', (2, "D", "decimal_comma")),  # 9125 or 9.125? (as in the grid)
        ("alpha,nia,,1e1", (2, "D", "not_a_number")),  # Decimal would read 10
        ("alpha,nia,,+5", (2, "D", "not_a_number")),
        ("alpha,nia,,٣", (2, "D", "not_a_number")),  # another script's digit
        ("alpha,nia,,1234567", (2, "D", "above_max")),
        ("alpha,nia,,", (2, "D", "empty_value")),
        ("alpha,nia,E01,5", (2, "C", "evaluator_not_expected")),
        ("alpha,전문가,,5", (2, "C", "evaluator_needed")),
    ],
)
def test_each_row_problem_is_named_by_row_and_column_and_nothing_is_saved(scenario, row, expected):
    score_import = receive(scenario, csv_bytes(["beta,nia,,5", row]))
    assert score_import.status == ScoreImport.Status.INVALID
    row_number, column, code = expected
    assert problems_of(score_import) == [(row_number + 1, column, code)]
    with pytest.raises(DomainError):
        score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert not Score.objects.exists()


def test_a_duplicate_row_names_the_first_one(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,5", "beta,nia,,6", "Alpha,NIA,,7"]))
    assert problems_of(score_import) == [(4, "", "duplicate")]
    assert score_import.problems[0]["params"] == {"first_row": 2}


def test_a_formula_cell_is_refused(scenario):
    score_import = receive(
        scenario, xlsx_bytes([["alpha", "nia", None, "=5+4"]]), name="marks.xlsx"
    )
    assert problems_of(score_import) == [(2, "D", "formula")]
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (HEADER.encode(), "empty_file"),
        ("팀,평가항목,점수\r\n".encode("utf-16-le")[:7] + b"\x00\xff\xfe", "not_a_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
        ("팀,평가항목,평가위원,점수\r\nalpha,nia,,5\r\n".encode() + b"\xff\xfe\xfa", "undecodable"),
        ("팀,항목없음,점수\r\nalpha,nia,5\r\n".encode(), "missing_column"),
    ],
)
def test_file_problems_are_reported_once_and_nothing_is_saved(scenario, content, code):
    score_import = receive(scenario, content)
    assert score_import.status == ScoreImport.Status.INVALID
    assert [p["code"] for p in score_import.problems] == [code]
    assert not Score.objects.exists()


def test_a_workbook_without_the_scores_sheet_is_the_wrong_sheet(scenario):
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["hello"])
    workbook.create_sheet("요약").append(["총점"])
    out = io.BytesIO()
    workbook.save(out)
    score_import = receive(scenario, out.getvalue(), name="marks.xlsx")
    assert problems_of(score_import) == [(None, "", "wrong_sheet")]
    assert "“Sheet1”, “요약”" in problem_message(score_import.problems[0])


def test_a_file_too_large_is_refused_before_it_is_stored(scenario):
    with pytest.raises(DomainError) as refused:
        receive(scenario, b"a" * (MAX_BYTES + 1))
    assert refused.value.code == "too_large"
    assert not ScoreImport.objects.exists()


def test_problems_read_in_the_active_language(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,11"]))
    [problem] = score_import.problems
    with translation.override("en"):
        assert problem_message(problem) == "11.0 is above the maximum of 10.0 points for “nia”."


def test_the_same_file_twice_changes_nothing(scenario):
    content = csv_bytes(GOOD_ROWS)
    first = receive(scenario, content)
    score_import_apply(import_id=first.pk, user=scenario.users["clerk"])
    before = list(Score.objects.values_list("id", "version", "value", "entered_at"))

    again = receive(scenario, content, user="clerk2")
    assert again.pk == first.pk
    assert again.status == ScoreImport.Status.APPLIED
    assert score_import_apply(import_id=again.pk, user=scenario.users["clerk2"]).pk == first.pk
    assert list(Score.objects.values_list("id", "version", "value", "entered_at")) == before
    assert ScoreImport.objects.count() == 1


def test_a_file_with_the_values_already_entered_plans_no_change(scenario):
    score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.5",
        user=scenario.users["clerk"],
    )
    score_import = receive(scenario, csv_bytes(["alpha,nia,,9.50", "beta,nia,,3"]))
    assert (score_import.rows_unchanged, score_import.rows_created) == (1, 1)
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk2"])
    kept = Score.objects.get(participation=scenario.participations["alpha"])
    assert (kept.version, kept.entered_by) == (1, scenario.users["clerk"])


def test_a_changed_value_updates_the_score_and_clears_its_confirmation(scenario):
    score = score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.5",
        user=scenario.users["clerk"],
    )
    Score.objects.filter(pk=score.pk).update(confirmed_by=scenario.users["verifier"])
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]), user="clerk2")
    assert score_import.rows_updated == 1
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk2"])
    score.refresh_from_db()
    assert (score.value, score.version, score.confirmed_by) == (Decimal(8), 2, None)
    assert score.entered_by == scenario.users["clerk2"]


def test_a_score_saved_by_someone_else_after_the_preview_stops_the_whole_import(scenario):
    score = score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.5",
        user=scenario.users["clerk"],
    )
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8", "beta,nia,,7"]), user="clerk2")
    score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.9",
        user=scenario.users["clerk"],
        expected_version=1,
    )
    failed = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk2"])
    assert failed.status == ScoreImport.Status.FAILED
    assert failed.error["code"] == "conflict"
    score.refresh_from_db()
    assert score.value == Decimal("9.9")
    assert not Score.objects.filter(participation=scenario.participations["beta"]).exists()


def test_an_import_that_failed_is_retried_after_the_cause_is_fixed(scenario):
    admin = scenario.users["admin"]
    stage = scenario.stage
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    # The stage leaves scoring between the preview and the apply: the apply fails.
    Stage.objects.filter(pk=stage.pk).update(status=Stage.Status.REVIEW)
    failed = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert failed.status == ScoreImport.Status.FAILED
    assert failed.error["code"] == "wrong_status"
    assert not Score.objects.exists()

    stage_return_to_scoring(stage_id=stage.pk, user=admin)
    retried = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert retried.status == ScoreImport.Status.APPLIED
    assert Score.objects.get().value == Decimal(8)
    assert retried.attempts == 2


def test_recheck_after_a_conflict_previews_against_current_values(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="1",
        user=scenario.users["clerk2"],
    )
    assert score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"]).status == (
        ScoreImport.Status.FAILED
    )
    rechecked = score_import_recheck(import_id=score_import.pk, user=scenario.users["clerk"])
    assert (rechecked.status, rechecked.rows_updated) == (ScoreImport.Status.READY, 1)
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert Score.objects.get().value == Decimal(8)


def test_a_stage_not_in_scoring_takes_no_import(scenario):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.REVIEW)
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    assert problems_of(score_import) == [(None, "", "wrong_status")]


@pytest.mark.parametrize("role", ["verifier", "outsider"])
def test_only_clerks_and_administrators_import(scenario, role):
    with pytest.raises(PermissionDenied):
        receive(scenario, csv_bytes(["alpha,nia,,8"]), user=role)


def test_the_task_is_safe_to_run_twice(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    ScoreImport.objects.filter(pk=score_import.pk).update(status=ScoreImport.Status.QUEUED)
    ScoreImport.objects.filter(pk=score_import.pk).update(applied_by=scenario.users["clerk"])
    scores_import(score_import.pk)
    scores_import(score_import.pk)
    assert Score.objects.get().version == 1
    assert ScoreImport.objects.get().status == ScoreImport.Status.APPLIED


def test_a_large_file_is_checked_and_applied_by_the_job(
    scenario, django_capture_on_commit_callbacks
):
    build_more_teams(scenario, 200)
    rows = [f"team{n},nia,,{n % 10}" for n in range(200)]
    rows += [f"team{n},common,,{n % 20}" for n in range(200)]
    with django_capture_on_commit_callbacks(execute=True):
        score_import = receive(scenario, csv_bytes(rows))
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.READY, score_import.problems[:3]
    with django_capture_on_commit_callbacks(execute=True):
        queued = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert queued.status == ScoreImport.Status.QUEUED  # answered at once; the job applies it
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.APPLIED
    assert Score.objects.count() == 400


def test_applying_uses_a_bounded_number_of_queries(scenario):
    build_more_teams(scenario, 300)
    rows = [f"team{n},{code},,{n % 10}" for n in range(300) for code in ("nia", "common")]
    score_import = receive(scenario, csv_bytes(rows))
    score_import_run(import_id=score_import.pk)  # the check, as the job does it
    score_import.refresh_from_db()
    ScoreImport.objects.filter(pk=score_import.pk).update(
        status=ScoreImport.Status.QUEUED, applied_by=scenario.users["clerk"]
    )
    with CaptureQueriesContext(connection) as queries:
        score_import_run(import_id=score_import.pk)
    assert Score.objects.count() == 600
    # Reads and bookkeeping: a fixed number. Writes: batches of many rows (SQLite's limit on
    # query parameters makes its batches smaller than PostgreSQL's).
    sql = [query["sql"] for query in queries.captured_queries]
    inserts = [s for s in sql if s.startswith("INSERT")]
    assert len(sql) - len(inserts) <= 10
    assert len(inserts) <= 2 * (600 // 50)  # the scores and their history records


def build_more_teams(scenario, count: int) -> None:
    org = OrganizationFactory(slug="bulk-org")
    call = scenario.teams["alpha"].joined_stage
    for n in range(count):
        team = TeamFactory(
            program=scenario.program,
            slug=f"team{n}",
            name_ko=f"team{n}",
            name_en=f"Team {n}",
            lead=org,
            joined_stage=call,
        )
        ParticipationFactory(stage=scenario.stage, team=team)


def test_the_template_lists_every_expected_mark_with_korean_headers(scenario):
    score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["expert"].pk,
        value="30",
        evaluator_code="E07",
        user=scenario.users["clerk"],
    )
    text = template_csv(stage=scenario.stage).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "팀,평가항목,평가위원,점수,최대 점수"
    assert "alpha,전문가,E07,30.0,35.0" in lines
    assert "beta,nia,,,10.0" in lines
    assert not any(line.startswith("alpha,벤치마크") for line in lines)  # computed: not entered

    workbook = load_workbook(io.BytesIO(template_xlsx(stage=scenario.stage)))
    assert workbook.sheetnames == ["점수"]


def test_the_filled_template_imports_without_problems(scenario):
    text = template_csv(stage=scenario.stage).decode("utf-8-sig")
    filled = []
    for line in text.splitlines()[1:]:
        team, criterion, evaluator, _value, maximum = line.split(",")
        evaluator = evaluator or ("E01" if criterion in ("전문가", "사용자") else "")
        filled.append(f"{team},{criterion},{evaluator},{maximum}")
    score_import = receive(scenario, csv_bytes(filled).replace(b"\r\n", b"\n"))
    assert score_import.status == ScoreImport.Status.READY, score_import.problems
    assert score_import.rows_created == len(filled)


def test_an_applied_import_is_in_the_history_of_each_score_with_who_and_why(scenario):
    first = score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.5",
        user=scenario.users["clerk"],
    )
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8", "beta,nia,,7"]), user="clerk2")
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk2"])
    changed = first.history.order_by("history_id").last()
    assert (changed.value, changed.history_type) == (Decimal(8), "~")
    assert changed.history_user == scenario.users["clerk2"]
    assert "marks.csv" in changed.history_change_reason
    new = Score.objects.get(participation=scenario.participations["beta"])
    [created] = new.history.all()
    assert (created.history_type, created.history_user) == ("+", scenario.users["clerk2"])


def test_an_import_left_waiting_by_a_lost_job_is_queued_again_and_applied_once(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    # The job was never delivered (broker down): the import waits in "queued".
    ScoreImport.objects.filter(pk=score_import.pk).update(
        status=ScoreImport.Status.QUEUED, applied_by=scenario.users["clerk"]
    )
    again = score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert again.status == ScoreImport.Status.APPLIED
    score_import_apply(import_id=score_import.pk, user=scenario.users["clerk"])
    assert Score.objects.get().version == 1


def test_a_file_left_unchecked_by_a_lost_job_is_checked_when_asked_again(scenario):
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    ScoreImport.objects.filter(pk=score_import.pk).update(status=ScoreImport.Status.RECEIVED)
    checked = score_import_recheck(import_id=score_import.pk, user=scenario.users["clerk"])
    assert checked.status == ScoreImport.Status.READY


def test_an_apply_job_that_gives_up_says_so_and_can_be_applied_again(scenario, monkeypatch):
    """The job's last failure (retries spent, or an error nobody expected) rolls its transaction
    back; the import then reads "stopped before finishing; nothing was saved" instead of
    waiting as "applying" for ever, and the clerk applies it again."""
    from evaluations.services import imports

    clerk = scenario.users["clerk"]
    score_import = receive(scenario, csv_bytes(["alpha,nia,,8"]))
    ScoreImport.objects.filter(pk=score_import.pk).update(
        status=ScoreImport.Status.QUEUED, applied_by=clerk
    )

    def broken(import_id: int) -> ScoreImport:
        Score.objects.create(  # written, then rolled back with the failure
            participation=scenario.participations["alpha"],
            criterion=scenario.criteria["nia"],
            value=Decimal(8),
            value_max=scenario.criteria["nia"].max_points,
        )
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "_apply", lambda import_id: transaction_atomic(broken, import_id))
    # As a worker runs it: the failure goes through the task's handlers, not up to the caller.
    result = scores_import.apply(args=(score_import.pk,), throw=False)
    assert result.failed() and isinstance(result.result, RuntimeError)
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.FAILED
    assert score_import.error["code"] == "interrupted"
    with translation.override("ko"):
        assert "아무것도 저장되지 않았습니다" in str(imports.ERROR_MESSAGES["interrupted"])
    assert not Score.objects.exists()

    monkeypatch.undo()
    applied = score_import_apply(import_id=score_import.pk, user=clerk)
    assert applied.status == ScoreImport.Status.APPLIED
    assert Score.objects.get().value == Decimal(8)


def transaction_atomic(action, *args):
    from django.db import transaction

    with transaction.atomic():
        return action(*args)
