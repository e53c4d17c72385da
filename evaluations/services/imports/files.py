"""Reading an uploaded file into rows: XLSX (openpyxl) or CSV in UTF-8, UTF-8 with BOM,
UTF-16 or CP949/EUC-KR. Raises `FileProblem` when the file itself is unusable."""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from evaluations.services.imports.messages import COLUMN_LABELS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# csv refuses a cell longer than 128 KiB with an error. No cell of a file we accept is longer than
# the file, so a cell of any length is read and then refused by the row's checks (an unknown team,
# not a number), which name its row and column.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
SHEET_NAMES = ("점수", "scores")

# Column key → header texts accepted (compared after NFKC, lower case, spaces removed).
HEADERS: dict[str, tuple[str, ...]] = {
    "team": ("팀", "팀명", "컨소시엄", "team"),
    "criterion": ("평가항목", "항목", "criterion"),
    "evaluator": ("평가위원", "평가위원코드", "evaluator", "evaluatorcode"),
    "value": ("점수", "score", "points", "value"),
}
REQUIRED_COLUMNS = ("team", "criterion", "value")


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


# --- Reading files ------------------------------------------------------------------------


def _norm(text: Any) -> str:
    """Names compared the way people mean them: full-width forms, spaces and case ignored."""
    return _norm_text(str(text or ""))


# Team and criterion names repeat on every row: normalise each distinct text once.
@functools.lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


_SPACES = re.compile(r"\s+")


def _blank(cell: Cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


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
        data = [(n, c) for n, c in rows if not all(_blank(cell) for cell in c)]
        return Sheet(
            header_row=number,
            columns=columns,
            column_letters={key: _letter(index) for key, index in columns.items()},
            rows=data,
        )
    return None


# What reading a damaged workbook raises (each seen in the bad-input drill, or raised by zipfile
# for a cut-off entry): a broken zip, its compressed data or its XML, a number or date cell that
# does not parse, a shared string that is not there, a part that is missing.
XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ElementTree.ParseError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
)


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        yield number, [Cell(value) for value in row]


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    rows = worksheet.iter_rows()
    number = 0
    while True:
        # The sheet is read lazily, so a damaged part of the workbook (a number that is not one,
        # a broken zip entry or XML) shows up only here, row by row.
        try:
            row = next(rows)
        except StopIteration:
            return
        except XLSX_ERRORS:
            raise FileProblem("not_a_spreadsheet") from None
        number += 1
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
    except XLSX_ERRORS:
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
