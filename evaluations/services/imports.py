"""Importing marks from a spreadsheet: XLSX, or CSV as Excel writes it on Korean Windows.

One row per mark, as in the downloadable template of a stage:

    팀 | 평가항목 | 평가위원 | 점수      (English headers Team / Criterion / Evaluator / Score too)

Teams and criteria are named as staff know them (Korean or English name, or the code); the
evaluator is empty for points entered directly; "비공개" / "not disclosed" records a value the
ministry did not disclose. Other columns (the template's maximum points) are ignored.

The life of an import (`ScoreImport.Status`):

1. `score_import_receive`: the file is stored with its SHA-256. The same file uploaded again
   for the same stage finds the earlier import: once applied, nothing happens a second time.
2. `score_import_check`: every row is checked by the rules of `score_save` (leaf criterion of
   the stage, the team's own criteria, evaluator code or none, at most three decimals, not
   negative, not above the maximum) plus the file's own rules (known team and criterion, a
   number and not a formula, no duplicate row). Problems are stored as codes with parameters
   and shown by row and column in the reader's language. No problem → `ready`, with the plan
   of what applying will write and the version of every score it will change.
3. `score_import_apply` queues the apply; `score_import_run` performs it in ONE transaction:
   every planned score is written or none is. A score changed by someone else since the
   preview stops the whole apply (nothing is overwritten silently); the import is then
   `failed` with the reason and can be checked again and retried.

Files above `SYNC_MAX_ROWS` rows are checked and applied by the `scores_import` Celery task;
the task is safe to run twice (the import row is locked, and an applied import is left alone).
Queries are bounded: a fixed number to read the stage, then batched writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Participation, Score, ScoreImport
from evaluations.roles import Role, require_role
from evaluations.services.recompute import stage_inputs_changed
from evaluations.services.scores import EVALUATOR_CODE, _editable_statuses, _value_ceiling
from programs.errors import ConflictError, DomainError, NotFound
from programs.models import Criterion, Stage
from programs.numbers import decimal_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Above this many rows the check and the apply run as a Celery job with a progress bar.
SYNC_MAX_ROWS = 300
# Before a file is parsed its row count is unknown; about 300 rows of CSV or XLSX stay below this.
SYNC_MAX_BYTES = 20_000
PROGRESS_EVERY = 500
BATCH_SIZE = 1_000

SHEET_NAMES = ("점수", "scores")
NOT_DISCLOSED = {"비공개", "not disclosed", "undisclosed"}

# Column key → header texts accepted (compared after NFKC, lower case, spaces removed).
HEADERS: dict[str, tuple[str, ...]] = {
    "team": ("팀", "팀명", "컨소시엄", "team"),
    "criterion": ("평가항목", "항목", "criterion"),
    "evaluator": ("평가위원", "평가위원코드", "evaluator", "evaluatorcode"),
    "value": ("점수", "score", "points", "value"),
}
REQUIRED_COLUMNS = ("team", "criterion", "value")
TEMPLATE_HEADERS_KO = ("팀", "평가항목", "평가위원", "점수", "최대 점수")
COLUMN_LABELS = {
    "team": _("Team"),
    "criterion": _("Criterion"),
    "evaluator": _("Evaluator"),
    "value": _("Score"),
}

# Problem code → sentence (parameters filled from the problem's params when shown).
PROBLEM_MESSAGES: dict[str, Any] = {
    "empty_file": _("The file is empty: it has no rows of marks."),
    "too_large": _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split it in two."),
    "too_many_rows": _("The file has more than %(limit)s rows; split it in two."),
    "undecodable": _(
        "The file is neither UTF-8 nor CP949/EUC-KR text (unreadable bytes near byte "
        "%(position)s). Save it again as CSV (UTF-8) or as an Excel workbook."
    ),
    "not_a_spreadsheet": _(
        "This is not an XLSX workbook or a CSV file. Save it from Excel as .xlsx or .csv."
    ),
    "old_excel": _("Old Excel files (.xls) cannot be read; save it as .xlsx."),
    "wrong_sheet": _(
        "No sheet named “점수” with the template's columns was found (sheets in the file: "
        "%(sheets)s)."
    ),
    "missing_column": _(
        "The column “%(column)s” is missing from the first row. The first row must name the "
        "columns: 팀, 평가항목, 평가위원, 점수."
    ),
    "wrong_status": _(
        "Stage “%(stage)s” is %(status)s; marks can be imported only while it is in scoring."
    ),
    "unknown_team": _("“%(value)s” is not a team of this stage (teams: %(known)s)."),
    "unknown_criterion": _("“%(value)s” is not a criterion of this stage."),
    "ambiguous_criterion": _(
        "“%(value)s” names more than one criterion; write it as in the template (%(choices)s)."
    ),
    "computed_criterion": _("“%(value)s” is computed from its sub-criteria; enter those instead."),
    "not_own_criterion": _("“%(value)s” is not one of %(team)s's own criteria."),
    "max_not_set": _(
        "The maximum points of “%(value)s” are not set; an administrator must set them first."
    ),
    "evaluator_not_expected": _(
        "“%(criterion)s” takes points entered directly: leave the evaluator empty."
    ),
    "evaluator_needed": _(
        "“%(criterion)s” averages evaluator marks: give an evaluator code of 1–20 letters, "
        "digits, - or _."
    ),
    "empty_value": _("No score: write a number, or 비공개 for a value not disclosed."),
    "formula": _(
        "The cell holds a formula (%(value)s); paste the values instead (Paste Special → Values)."
    ),
    "not_a_number": _("“%(value)s” is not a number."),
    "decimal_comma": _("“%(value)s” uses a comma; write the decimal point as “.” (e.g. 12.5)."),
    "too_many_decimals": _("%(value)s has more than three decimal places."),
    "negative": _("%(value)s is negative; a score cannot be negative."),
    "above_max": _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
    "duplicate": _("The same team, criterion and evaluator are already in row %(first_row)s."),
}

ERROR_MESSAGES: dict[str, Any] = {
    "conflict": _(
        "%(count)s score(s) were changed by someone else since the preview (first: %(first)s); "
        "nothing was saved. Check the file again to see the current values."
    ),
    "wrong_status": PROBLEM_MESSAGES["wrong_status"],
    "interrupted": _("The import stopped before finishing; nothing was saved. Retry it."),
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as read from the file: its text, or a number Excel stored, or a formula."""

    value: Any
    is_formula: bool = False


@dataclass(frozen=True, slots=True)
class Sheet:
    """The rows of the sheet to import; row numbers are those the spreadsheet shows (1-based)."""

    header_row: int
    columns: dict[str, int]  # column key → 0-based index
    column_letters: dict[str, str]
    rows: list[tuple[int, list[Cell]]]


class FileProblem(Exception):
    """The file as a whole cannot be read; one problem, no rows."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def problem_message(problem: dict[str, Any]) -> str:
    """The sentence for a stored problem, in the active language."""
    text = str(PROBLEM_MESSAGES.get(problem["code"], problem["code"]))
    try:
        return text % problem.get("params", {})
    except (KeyError, TypeError, ValueError):
        return text


def error_message(error: dict[str, Any]) -> str:
    if not error:
        return ""
    text = str(ERROR_MESSAGES.get(error.get("code", ""), error.get("message", "")))
    try:
        return text % error.get("params", {})
    except (KeyError, TypeError, ValueError):
        return text


def column_label(key: str) -> str:
    return str(COLUMN_LABELS.get(key, key))


def problem_column(problem: dict[str, Any]) -> str:
    """“D (Score)”: the spreadsheet's column letter and what the column holds, in the active
    language; empty for a problem about the whole row or file."""
    if not problem.get("column"):
        return ""
    return f"{problem['column']} ({column_label(problem.get('column_key') or '')})"


# --- Reading files ------------------------------------------------------------------------


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def decode_text(content: bytes) -> str:
    """CSV bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else CP949 (⊃ EUC-KR)."""
    if content.startswith(b"\xef\xbb\xbf"):
        encodings: Sequence[str] = ("utf-8-sig",)
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp949")
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    position = first_error.start if first_error else 0
    # CP949 failing further on means the file is mostly Korean text with a broken part.
    raise FileProblem("undecodable", position=position)


def _find_header(rows: Iterator[tuple[int, list[Cell]]]) -> Sheet | None:
    """The first non-empty row names the columns; None when it does not name the template's."""
    for number, cells in rows:
        texts = [_norm(cell.value) for cell in cells]
        if not any(texts):
            continue
        columns: dict[str, int] = {}
        for index, text in enumerate(texts):
            for key, names in HEADERS.items():
                if text in names and key not in columns:
                    columns[key] = index
        if not columns:
            return None
        for key in REQUIRED_COLUMNS:
            if key not in columns:
                raise FileProblem("missing_column", column=str(COLUMN_LABELS[key]))
        data = [(n, c) for n, c in rows if any(_norm(cell.value) for cell in c)]
        return Sheet(
            header_row=number,
            columns=columns,
            column_letters={key: _letter(index) for key, index in columns.items()},
            rows=data,
        )
    return None


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        yield number, [Cell(value) for value in row]


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        cells = []
        for cell in row:
            value = getattr(cell, "value", None)
            is_formula = getattr(cell, "data_type", None) == "f" or (
                isinstance(value, str) and value.startswith("=")
            )
            cells.append(Cell(value, is_formula))
        yield number, cells


def read_sheet(content: bytes) -> Sheet:
    """Read an uploaded file into rows; raise FileProblem when the file itself is unusable."""
    if not content.strip():
        raise FileProblem("empty_file")
    if len(content) > MAX_BYTES:
        raise FileProblem("too_large", size=len(content), limit=MAX_BYTES)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("old_excel")
    if content.startswith(b"PK"):
        sheet = _read_xlsx(content)
    else:
        if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileProblem("not_a_spreadsheet")
        found = _find_header(_csv_rows(decode_text(content)))
        if found is None:
            raise FileProblem("missing_column", column=str(COLUMN_LABELS["team"]))
        sheet = found
    if not sheet.rows:
        raise FileProblem("empty_file")
    if len(sheet.rows) > MAX_ROWS:
        raise FileProblem("too_many_rows", limit=MAX_ROWS)
    return sheet


def _read_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem("not_a_spreadsheet") from None
    try:
        names = list(workbook.sheetnames)
        preferred = [n for n in names if _norm(n) in SHEET_NAMES]
        # The template's sheet first; a workbook with a single sheet may call it anything.
        candidates = preferred or (names if len(names) == 1 else [])
        for name in candidates:
            found = _find_header(_xlsx_rows(workbook[name]))
            if found is not None:
                return found
        raise FileProblem("wrong_sheet", sheets=", ".join(f"“{n}”" for n in names))
    finally:
        workbook.close()


# --- What the stage accepts ------------------------------------------------------------------


@dataclass(slots=True)
class StageLookup:
    """The stage's teams, criteria and current scores, read in a fixed number of queries."""

    stage: Stage
    teams: dict[str, int]  # normalised name/slug → participation id
    team_names: dict[int, str]
    criteria: dict[str, list[Criterion]]  # normalised name/code → criteria
    leaf_ids: set[int]
    own: set[tuple[int, int]]  # (participation id, individual criterion id)
    existing: dict[tuple[int, int, str], tuple[int, int, Decimal | None, str]]
    # (pid, cid, evaluator) → (score id, version, value, entered by)


def stage_lookup(*, stage: Stage) -> StageLookup:
    participations = list(
        Participation.objects.filter(stage=stage).values_list(
            "id", "team__slug", "team__name_ko", "team__name_en"
        )
    )
    teams: dict[str, int] = {}
    team_names: dict[int, str] = {}
    for pid, slug, name_ko, name_en in participations:
        team_names[pid] = name_ko or name_en
        for key in (slug, name_ko, name_en):
            if key:
                teams.setdefault(_norm(key), pid)
    criteria_list = list(Criterion.objects.filter(stage=stage).select_related("parent"))
    parents = {c.parent_id for c in criteria_list if c.parent_id}
    criteria: dict[str, list[Criterion]] = {}
    for criterion in criteria_list:
        keys = {_norm(criterion.code), _norm(criterion.name_ko), _norm(criterion.name_en)}
        keys |= {_norm(path) for path in criterion_paths(criterion)}
        for key in keys - {""}:
            criteria.setdefault(key, []).append(criterion)
    through = Participation.individual_criteria.through
    own = set(
        through.objects.filter(participation__stage=stage).values_list(
            "participation_id", "criterion_id"
        )
    )
    existing = {
        (pid, cid, evaluator): (sid, version, value, who or "")
        for sid, pid, cid, evaluator, version, value, who in Score.objects.filter(
            participation__stage=stage
        )
        .values_list(
            "id",
            "participation_id",
            "criterion_id",
            "evaluator_code",
            "version",
            "value",
            "entered_by__username",
        )
        .iterator(chunk_size=10_000)
    }
    return StageLookup(
        stage=stage,
        teams=teams,
        team_names=team_names,
        criteria=criteria,
        leaf_ids={c.pk for c in criteria_list if c.pk not in parents},
        own=own,
        existing=existing,
    )


def criterion_paths(criterion: Criterion) -> list[str]:
    """“Parent > child” names, which tell apart sub-criteria that share a name."""
    if criterion.parent_id is None:
        return []
    parent = criterion.parent
    return [f"{parent.name_ko} > {criterion.name_ko}", f"{parent.name_en} > {criterion.name_en}"]


def criterion_label(criterion: Criterion, *, unique_names: set[str]) -> str:
    """The name the template writes: the Korean name, or “parent > name” when it is shared."""
    if criterion.name_ko in unique_names or criterion.parent_id is None:
        return criterion.name_ko
    return criterion_paths(criterion)[0]


def parse_value(cell: Cell) -> tuple[Decimal | None, str | None, dict[str, Any]]:
    """(value, problem code or None, params). Full-width digits are read; a comma is refused."""
    raw = cell.value
    if cell.is_formula:
        return None, "formula", {"value": str(raw)[:40]}
    if isinstance(raw, bool):
        return None, "not_a_number", {"value": str(raw)}
    if isinstance(raw, int | float | Decimal):
        # Excel stores numbers as binary floats; repr gives the shortest decimal that round-trips.
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif raw is None:
        return None, "empty_value", {}
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if text == "":
            return None, "empty_value", {}
        if text.casefold() in NOT_DISCLOSED:
            return None, None, {}
        if "," in text:
            return None, "decimal_comma", {"value": raw.strip()}
    else:  # a date or time typed into the score column
        return None, "not_a_number", {"value": str(raw)}
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "not_a_number", {"value": str(raw).strip()[:40]}
    if not value.is_finite():
        return None, "not_a_number", {"value": str(raw).strip()[:40]}
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        if value == value.quantize(Decimal("0.001")):
            value = value.quantize(Decimal("0.001"))
        else:
            return None, "too_many_decimals", {"value": text}
    if value < 0:
        return None, "negative", {"value": text}
    return value, None, {}


def _cell(cells: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(cells):
        return Cell(None)
    return cells[index]


def _text(cell: Cell) -> str:
    if cell.value is None:
        return ""
    return unicodedata.normalize("NFKC", str(cell.value)).strip()


@dataclass(slots=True)
class CheckResult:
    problems: list[dict[str, Any]]
    plan: list[list[Any]]
    rows_total: int
    created: int
    updated: int
    unchanged: int


def check_rows(*, sheet: Sheet, lookup: StageLookup, progress: Any = None) -> CheckResult:
    """Check every row; plan the writes. `progress(n)` is called every PROGRESS_EVERY rows."""
    problems: list[dict[str, Any]] = []
    plan: list[list[Any]] = []
    seen: dict[tuple[int, int, str], int] = {}
    created = updated = unchanged = 0
    cols = sheet.columns
    letters = sheet.column_letters
    known_teams = ", ".join(sorted(set(lookup.team_names.values())))

    def problem(row: int, key: str | None, code: str, **params: Any) -> None:
        column = letters[key] if key else ""
        problems.append(
            {"row": row, "column": column, "column_key": key, "code": code, "params": params}
        )

    for done, (row, cells) in enumerate(sheet.rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        team_text = _text(_cell(cells, cols["team"]))
        criterion_text = _text(_cell(cells, cols["criterion"]))
        evaluator = _text(_cell(cells, cols.get("evaluator")))
        value, value_problem, value_params = parse_value(_cell(cells, cols["value"]))

        pid = lookup.teams.get(_norm(team_text))
        if pid is None:
            problem(row, "team", "unknown_team", value=team_text, known=known_teams)
        matches = lookup.criteria.get(_norm(criterion_text), [])
        criterion: Criterion | None = None
        if not matches:
            problem(row, "criterion", "unknown_criterion", value=criterion_text)
        elif len(matches) > 1:
            choices = ", ".join(
                f"“{criterion_paths(c)[0] if c.parent_id else c.name_ko}”" for c in matches
            )
            problem(row, "criterion", "ambiguous_criterion", value=criterion_text, choices=choices)
        else:
            criterion = matches[0]
        if criterion is not None:
            name = criterion.name_ko
            if criterion.pk not in lookup.leaf_ids:
                problem(row, "criterion", "computed_criterion", value=name)
                criterion = None
            elif (
                criterion.is_individual
                and pid is not None
                and (pid, criterion.pk) not in lookup.own
            ):
                problem(
                    row,
                    "criterion",
                    "not_own_criterion",
                    value=name,
                    team=lookup.team_names[pid],
                )
                criterion = None
            elif criterion.max_points is None and criterion.target is None:
                problem(row, "criterion", "max_not_set", value=name)
                criterion = None
        if criterion is not None:
            direct = criterion.aggregation == Criterion.Aggregation.DIRECT
            if direct and evaluator:
                problem(row, "evaluator", "evaluator_not_expected", criterion=criterion.name_ko)
            elif not direct and not EVALUATOR_CODE.match(evaluator):
                problem(row, "evaluator", "evaluator_needed", criterion=criterion.name_ko)
        if value_problem is not None:
            problem(row, "value", value_problem, **value_params)
        elif criterion is not None and value is not None:
            ceiling = _value_ceiling(criterion)
            if ceiling is not None and value > ceiling:
                problem(
                    row,
                    "value",
                    "above_max",
                    value=decimal_text(value),
                    max=decimal_text(ceiling),
                    criterion=criterion.name_ko,
                )
        if pid is None or criterion is None:
            continue
        key = (pid, criterion.pk, evaluator)
        if key in seen:
            problem(row, None, "duplicate", first_row=seen[key])
            continue
        seen[key] = row
        if problems:
            continue  # nothing will be applied; no need to plan
        current = lookup.existing.get(key)
        if current is None:
            created += 1
            plan.append([pid, criterion.pk, evaluator, _plain(value), None, None])
        elif current[2] == value:
            unchanged += 1
        else:
            updated += 1
            plan.append([pid, criterion.pk, evaluator, _plain(value), current[0], current[1]])
    if problems:
        plan, created, updated, unchanged = [], 0, 0, 0
    return CheckResult(problems, plan, len(sheet.rows), created, updated, unchanged)


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- Services --------------------------------------------------------------------------------


def _progress_key(import_id: int) -> str:
    return f"score-import-progress:{import_id}"


def import_progress(score_import: ScoreImport) -> tuple[int, int]:
    """(rows done, rows total) for the progress bar; the cache holds it while a job runs."""
    total = score_import.rows_total
    if score_import.status in (ScoreImport.Status.APPLIED,):
        return total, total
    if score_import.status in (ScoreImport.Status.INVALID, ScoreImport.Status.READY):
        return total, total
    done = cache.get(_progress_key(score_import.pk))
    return min(int(done or 0), total), total


def _set_progress(import_id: int, done: int) -> None:
    cache.set(_progress_key(import_id), done, timeout=3_600)


def score_import_receive(
    *, stage_id: int, user: AbstractBaseUser, filename: str, content: bytes
) -> ScoreImport:
    """Store an uploaded file and check it (now, or in a job for a large file).

    The same bytes uploaded again for the same stage return the earlier import; an applied one
    stays as it is, any other is checked again against the current scores.
    """
    require_role(user, Role.CLERK, Role.ADMIN)
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage %(id)s does not exist."), params={"id": stage_id})
    if len(content) > MAX_BYTES:
        # Not stored: a file this size is refused before it takes room in the database.
        raise DomainError(
            PROBLEM_MESSAGES["too_large"],
            code="too_large",
            field="file",
            params={"size": len(content), "limit": MAX_BYTES},
        )
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        score_import, made = ScoreImport.objects.select_for_update().get_or_create(
            stage=stage,
            digest=digest,
            defaults={
                "filename": filename[:255],
                "content": content,
                "size": len(content),
                "uploaded_by": user,
            },
        )
        if not made:
            if score_import.status in (ScoreImport.Status.APPLIED, ScoreImport.Status.QUEUED):
                return score_import
            score_import.status = ScoreImport.Status.RECEIVED
            score_import.filename = filename[:255]
            score_import.uploaded_by = user
            score_import.save(update_fields=["status", "filename", "uploaded_by", "updated_at"])
    if score_import.size > SYNC_MAX_BYTES:
        _enqueue(score_import.pk)
        return score_import
    return score_import_check(import_id=score_import.pk)


def _enqueue(import_id: int) -> None:
    from evaluations.tasks import scores_import

    transaction.on_commit(lambda: scores_import.delay(import_id))


def score_import_check(*, import_id: int) -> ScoreImport:
    """received → ready (with a plan) or invalid (with problems). Safe to call twice."""
    claimed = ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.RECEIVED)
    score_import = claimed.first()
    if score_import is None:
        return ScoreImport.objects.get(pk=import_id)
    stage = score_import.stage
    _set_progress(import_id, 0)
    problems: list[dict[str, Any]] = []
    result: CheckResult | None = None
    try:
        sheet = read_sheet(bytes(score_import.content))
    except FileProblem as exc:
        problems = [
            {"row": None, "column": "", "column_key": None, "code": exc.code, "params": exc.params}
        ]
    else:
        if stage.status not in _editable_statuses(score_import.uploaded_by):
            problems = [_status_problem(stage)]
        else:
            ScoreImport.objects.filter(pk=import_id).update(rows_total=len(sheet.rows))
            lookup = stage_lookup(stage=stage)
            result = check_rows(
                sheet=sheet, lookup=lookup, progress=lambda n: _set_progress(import_id, n)
            )
            problems = result.problems
    fields: dict[str, Any] = {
        "problems": problems,
        "plan": result.plan if result else [],
        "rows_total": result.rows_total if result else 0,
        "rows_checked": result.rows_total if result else 0,
        "rows_created": result.created if result else 0,
        "rows_updated": result.updated if result else 0,
        "rows_unchanged": result.unchanged if result else 0,
        "error": {},
        "status": ScoreImport.Status.INVALID if problems else ScoreImport.Status.READY,
        "updated_at": timezone.now(),
    }
    # Compare-and-set: a second check running meanwhile finds the status already moved on.
    ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.RECEIVED).update(**fields)
    return ScoreImport.objects.get(pk=import_id)


def _status_problem(stage: Stage) -> dict[str, Any]:
    return {
        "row": None,
        "column": "",
        "column_key": None,
        "code": "wrong_status",
        "params": {"stage": stage.name_ko, "status": str(stage.get_status_display())},
    }


def score_import_recheck(*, import_id: int, user: AbstractBaseUser) -> ScoreImport:
    """Check a failed or previewed import again against the current scores (e.g. after a
    conflict, or after an administrator set a missing maximum)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    updated = ScoreImport.objects.filter(
        pk=import_id,
        status__in=[
            ScoreImport.Status.FAILED,
            ScoreImport.Status.INVALID,
            ScoreImport.Status.READY,
        ],
    ).update(status=ScoreImport.Status.RECEIVED, updated_at=timezone.now())
    score_import = ScoreImport.objects.filter(pk=import_id).first()
    if score_import is None:
        raise NotFound(_("Import %(id)s does not exist."), params={"id": import_id})
    if not updated:
        return score_import
    if score_import.size > SYNC_MAX_BYTES:
        _enqueue(import_id)
        return score_import
    return score_import_check(import_id=import_id)


def score_import_apply(*, import_id: int, user: AbstractBaseUser) -> ScoreImport:
    """ready (or failed: a retry) → queued, then apply now or in a job for a large file."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        score_import = ScoreImport.objects.select_for_update().filter(pk=import_id).first()
        if score_import is None:
            raise NotFound(_("Import %(id)s does not exist."), params={"id": import_id})
        if score_import.status in (ScoreImport.Status.APPLIED, ScoreImport.Status.QUEUED):
            return score_import  # the same request twice
        if score_import.status not in (ScoreImport.Status.READY, ScoreImport.Status.FAILED):
            raise DomainError(
                _("This import has problems to fix first; nothing was applied."),
                code="import_not_ready",
            )
        score_import.status = ScoreImport.Status.QUEUED
        score_import.applied_by = user
        score_import.error = {}
        score_import.save(update_fields=["status", "applied_by", "error", "updated_at"])
        if score_import.rows_total > SYNC_MAX_ROWS:
            _set_progress(import_id, 0)
            _enqueue(import_id)
            return score_import
    return score_import_run(import_id=import_id)


def score_import_run(*, import_id: int) -> ScoreImport:
    """Do what the import is waiting for: check a received file, apply a queued one.

    The Celery task's body. Safe to run twice: the import row is locked for the apply and an
    applied import is left alone. On a rule broken since the preview (a score changed by
    someone else, the stage left scoring) the import is `failed`, nothing is saved, and it can
    be retried.
    """
    score_import = ScoreImport.objects.filter(pk=import_id).first()
    if score_import is None:
        return None  # type: ignore[return-value]  # deleted meanwhile: nothing to do
    if score_import.status == ScoreImport.Status.RECEIVED:
        return score_import_check(import_id=import_id)
    if score_import.status != ScoreImport.Status.QUEUED:
        return score_import
    try:
        return _apply(import_id)
    except DomainError as exc:
        error = {"code": exc.code, "params": {k: str(v) for k, v in exc.params.items()}}
        if exc.code not in ERROR_MESSAGES:
            error["message"] = exc.message
        ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.QUEUED).update(
            status=ScoreImport.Status.FAILED,
            error=error,
            attempts=score_import.attempts + 1,
            updated_at=timezone.now(),
        )
        return ScoreImport.objects.get(pk=import_id)


def _apply(import_id: int) -> ScoreImport:
    """Write the plan in one transaction, all of it or nothing.

    1. Lock the import row: a second run waits, then finds it applied and stops.
    2. Check the stage still takes scores from the person who applies.
    3. Lock the planned scores that exist and compare their versions with the preview's; any
       difference stops everything (someone else saved meanwhile).
    4. Create new scores in batches, update changed ones in batches (version + 1, confirmation
       cleared, as `score_save` does), bump the stage's inputs once, mark the import applied.
    """
    with transaction.atomic():
        score_import = (
            ScoreImport.objects.select_for_update()
            .select_related("stage", "applied_by")
            .get(pk=import_id)
        )
        if score_import.status != ScoreImport.Status.QUEUED:
            return score_import
        stage = score_import.stage
        user = score_import.applied_by or score_import.uploaded_by
        if stage.status not in _editable_statuses(user):
            problem = _status_problem(stage)
            raise DomainError(
                PROBLEM_MESSAGES["wrong_status"], code="wrong_status", params=problem["params"]
            )
        plan = score_import.plan
        ceilings = dict(Criterion.objects.filter(stage=stage).values_list("id", "max_points"))
        targets = set(
            Criterion.objects.filter(stage=stage, target__isnull=False).values_list("id", flat=True)
        )
        update_ids = [entry[4] for entry in plan if entry[4] is not None]
        locked: dict[int, Score] = {}
        for start in range(0, len(update_ids), BATCH_SIZE):
            chunk = update_ids[start : start + BATCH_SIZE]
            locked.update(
                (score.pk, score)
                for score in Score.objects.select_for_update().filter(pk__in=chunk)
            )
        stale = [
            entry
            for entry in plan
            if entry[4] is not None
            and (entry[4] not in locked or locked[entry[4]].version != entry[5])
        ]
        # A mark created by someone else since the preview (the plan said "new").
        new_keys = {(e[0], e[1], e[2]) for e in plan if e[4] is None}
        if new_keys:
            pids = {key[0] for key in new_keys}
            taken = [
                key
                for key in Score.objects.filter(participation_id__in=pids).values_list(
                    "participation_id", "criterion_id", "evaluator_code"
                )
                if key in new_keys
            ]
        else:
            taken = []
        if stale or taken:
            first = stale[0][:3] if stale else list(taken[0])
            raise ConflictError(
                ERROR_MESSAGES["conflict"],
                params={"count": len(stale) + len(taken), "first": _describe(first)},
            )
        now = timezone.now()
        done = 0
        new_scores = []
        changed = []
        for pid, cid, evaluator, value, score_id, version in plan:
            decimal_value = None if value is None else Decimal(value)
            ceiling = None if cid in targets else ceilings.get(cid)
            if score_id is None:
                new_scores.append(
                    Score(
                        participation_id=pid,
                        criterion_id=cid,
                        evaluator_code=evaluator,
                        value=decimal_value,
                        value_max=ceiling,
                        entered_by=user,
                    )
                )
            else:
                score = locked[score_id]
                score.value = decimal_value
                score.value_max = ceiling
                score.version = version + 1
                score.entered_by = user
                score.entered_at = now
                score.confirmed_by = None
                score.confirmed_at = None
                changed.append(score)
        for start in range(0, len(new_scores), BATCH_SIZE):
            Score.objects.bulk_create(new_scores[start : start + BATCH_SIZE])
            done += len(new_scores[start : start + BATCH_SIZE])
            _set_progress(import_id, done)
        for start in range(0, len(changed), BATCH_SIZE):
            Score.objects.bulk_update(
                changed[start : start + BATCH_SIZE],
                [
                    "value",
                    "value_max",
                    "version",
                    "entered_by",
                    "entered_at",
                    "confirmed_by",
                    "confirmed_at",
                ],
            )
            done += len(changed[start : start + BATCH_SIZE])
            _set_progress(import_id, done)
        if plan:
            stage_inputs_changed(stage_id=stage.pk)
        score_import.status = ScoreImport.Status.APPLIED
        score_import.applied_at = now
        score_import.attempts += 1
        score_import.error = {}
        score_import.save(update_fields=["status", "applied_at", "attempts", "error", "updated_at"])
        _set_progress(import_id, score_import.rows_total)
        return score_import


def _describe(key: Sequence[Any]) -> str:
    pid, cid, evaluator = key[0], key[1], key[2]
    participation = Participation.objects.filter(pk=pid).select_related("team").first()
    criterion = Criterion.objects.filter(pk=cid).first()
    parts = [
        participation.team.name_ko if participation else str(pid),
        criterion.name_ko if criterion else str(cid),
    ]
    if evaluator:
        parts.append(evaluator)
    return " / ".join(parts)


# --- Template ----------------------------------------------------------------------------------


def template_rows(*, stage: Stage) -> list[list[Any]]:
    """One row per mark the stage expects, with the current value when there is one.

    Criteria that average evaluator marks get one row per evaluator already entered, or one
    row with the evaluator left for staff to fill in.
    """
    lookup = stage_lookup(stage=stage)
    criteria = [c for c in Criterion.objects.filter(stage=stage).select_related("parent")]
    leaves = [c for c in criteria if c.pk in lookup.leaf_ids]
    name_counts: dict[str, int] = {}
    for criterion in criteria:
        name_counts[criterion.name_ko] = name_counts.get(criterion.name_ko, 0) + 1
    unique_names = {name for name, count in name_counts.items() if count == 1}
    evaluators: dict[tuple[int, int], list[tuple[str, Decimal | None]]] = {}
    for (pid, cid, evaluator), (_sid, _v, value, _who) in lookup.existing.items():
        evaluators.setdefault((pid, cid), []).append((evaluator, value))
    rows: list[list[Any]] = []
    participations = sorted(lookup.team_names.items(), key=lambda item: item[1])
    for pid, team_name in participations:
        for criterion in leaves:
            if criterion.is_individual and (pid, criterion.pk) not in lookup.own:
                continue
            label = criterion_label(criterion, unique_names=unique_names)
            maximum = decimal_text(_value_ceiling(criterion)) or ""
            marks = sorted(evaluators.get((pid, criterion.pk), [])) or [("", None)]
            for evaluator, value in marks:
                shown = (
                    "비공개"
                    if value is None and (pid, criterion.pk, evaluator) in (lookup.existing)
                    else (decimal_text(value) or "")
                )
                rows.append([team_name, label, evaluator, shown, maximum])
    return rows


def template_csv(*, stage: Stage) -> bytes:
    """The template as CSV in UTF-8 with a BOM, which Excel on Korean Windows opens correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS_KO)
    writer.writerows(template_rows(stage=stage))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(*, stage: Stage) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAMES[0]
    sheet.append(list(TEMPLATE_HEADERS_KO))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows(stage=stage):
        sheet.append(row)
    for letter, width in zip("ABCDE", (24, 28, 12, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
