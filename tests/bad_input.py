"""The bad-input drill's generators and checks, shared by its import, grid and API tests.

Hypothesis writes the input a careless or hostile sender could: marks that are not numbers
(NaN, Infinity, "1e400", formulas, other scripts' digits, huge numbers), names with control
characters or thousands of letters, and whole files in the wrong encoding, with a BOM, mixed
line endings, duplicated or thousands of columns, only a header, or damaged XLSX bytes. The
tests then assert what a person would notice: never a server error, nothing partly saved, and a
message naming the row and the column of each problem in a row.

Every run is the same run (`derandomize`, no example database, no deadline). The numbers of
examples are the defaults below times `BAD_INPUT_SCALE` (e.g. `BAD_INPUT_SCALE=10` to search
harder locally).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Count, Max, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from evaluations.models import Score
from evaluations.services.imports import problem_column, problem_message
from evaluations.services.imports.messages import PROBLEM_MESSAGES
from programs.models import Criterion
from tests.builders import StageScenario, build_stage
from tests.factories import CriterionFactory


def drill_settings(default_examples: int) -> settings:
    """A fixed set of examples, the same on every run, sized by BAD_INPUT_SCALE."""
    scale = float(os.environ.get("BAD_INPUT_SCALE", "1"))
    return settings(
        max_examples=max(1, round(default_examples * scale)),
        derandomize=True,
        database=None,
        deadline=None,
        # The stage is built once per test, not per example; each example rolls back its writes.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- The stage the drill writes into ----------------------------------------------------------


def build_drill_stage() -> StageScenario:
    """Stage 1 with two teams, a criterion without a ceiling (achieved scores normalised against
    a target: only the size of the column limits them) and marks already entered, so a file
    or a post can change existing marks as well as create new ones."""
    from evaluations.services.scores import score_save

    scenario = build_stage(teams=("alpha", "beta"))
    scenario.criteria["tgt"] = CriterionFactory(
        stage=scenario.stage,
        code="tgt",
        name_ko="달성",
        name_en="Achieved",
        max_points=Decimal(10),
        target=Decimal(80),
        aggregation=Criterion.Aggregation.DIRECT,
        order=20,
    )
    clerk = scenario.users["clerk"]
    for team, code, evaluator, value in (
        ("alpha", "nia", "", "5"),
        ("alpha", "expert", "E01", "30"),
        ("beta", "tgt", "", "77.5"),
        ("beta", "user", "E02", None),
    ):
        score_save(
            participation_id=scenario.participations[team].pk,
            criterion_id=scenario.criteria[code].pk,
            evaluator_code=evaluator,
            value=value,
            user=clerk,
        )
    return scenario


def score_fingerprint() -> tuple[Any, ...]:
    """Every mark and every history row, cheaply: any write changes at least one figure."""
    scores = Score.objects.aggregate(
        n=Count("id"), last=Max("id"), versions=Sum("version"), total=Sum("value")
    )
    history = Score.history.aggregate(n=Count("history_id"), last=Max("history_id"))
    return (*scores.values(), *history.values())


# --- Marks as typed -------------------------------------------------------------------------

BAD_MARKS = (
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "1E+400",
    "-1e400",
    "1e-400",
    "1e2",
    "+5",
    "-0",
    "-5",
    "12.5000",
    "12.1255",
    "0.0001",
    "9,5",
    "9,125",
    "1,234.5",
    "٣",
    "²",
    "𝟓",
    "½",
    "Ⅴ",
    "１２．５",
    "－３",
    " 7 ",
    "\u30008\u3000",
    "",
    "   ",
    "비공개",
    "undisclosed",
    "n/d",
    "0x10",
    "1_000",
    "99999999",
    "1000000",
    "999999.999",
    "999999.9995",
    "9" * 400,
    "9" * 40 + ".0000",
    "0." + "0" * 30 + "1",
    '=HYPERLINK("http://example.com","9")',
    "=1+1",
    "@SUM(A1)",
    "+1+1",
    "5\x00",
    "\x00",
    "\t5",
    "5\r",
    "'5",
    "5점",
    "--5",
    "..5",
    "5.",
    ".5",
    "0",
    "10",
    "10.001",
    "80.5",
)

mark_texts = st.one_of(
    st.sampled_from(BAD_MARKS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers().map(str),
    st.from_regex(r"-?[0-9]{0,9}([.,][0-9]{0,6})?", fullmatch=True),
    st.text(max_size=12),
)

# Marks a grid or an API client would send for this stage: mostly right, now and then anything.
good_marks = st.one_of(
    st.decimals(0, 10, places=2).map(lambda d: format(d, "f")), st.sampled_from(["비공개", "7"])
)
posted_marks = st.integers(0, 1).flatmap(lambda pick: mark_texts if pick else good_marks)

# Text with control characters, other scripts, surrogate-free (what a decoded file can hold).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
long_names = st.integers(min_value=200, max_value=3_000).map(lambda n: "가나다" * n)

team_texts = st.one_of(
    st.sampled_from(["alpha", "Alpha", " ALPHA ", "beta", "ａｌｐｈａ", "gamma", "alpha\x00"]),
    any_text,
    long_names,
)
criterion_texts = st.one_of(
    st.sampled_from(
        [
            "nia",
            "NIA",
            "common",
            "individual",
            "전문가",
            "expert",
            "사용자",
            "user",
            "벤치마크",  # computed from its sub-criteria
            "benchmark > nia",
            "tgt",
            "달성",
            "Achieved",
        ]
    ),
    any_text,
)
evaluator_texts = st.one_of(
    st.sampled_from(["", "", "E01", "E02", "e01", "E 01", "x" * 21, "E01\n", "E\x0001"]),
    any_text,
)

# A row the stage accepts: a team, one of its leaf criteria, an evaluator code when the
# criterion averages evaluators' marks, and a mark within every maximum (10) or not disclosed.
good_rows = st.fixed_dictionaries(
    {
        "team": st.sampled_from(["alpha", "beta", "Beta", "ａｌｐｈａ"]),
        "criterion": st.sampled_from(["nia", "common", "individual", "tgt", "달성"]),
        "evaluator": st.just(""),
        "value": st.one_of(
            st.decimals(0, 10, places=3).map(lambda d: format(d, "f")), st.just("비공개")
        ),
    }
) | st.fixed_dictionaries(
    {
        "team": st.sampled_from(["alpha", "beta"]),
        "criterion": st.sampled_from(["전문가", "expert", "사용자", "user"]),
        "evaluator": st.sampled_from(["E01", "E02", "E03", "panel-7"]),
        "value": st.decimals(0, 10, places=2).map(lambda d: format(d, "f")),
    }
)

# --- CSV files ------------------------------------------------------------------------------

HEADER_NAMES = {
    "team": ["팀", "팀명", "컨소시엄", "team", "Team", " TEAM ", "ｔｅａｍ"],
    "criterion": ["평가항목", "항목", "criterion", "Criterion"],
    "evaluator": ["평가위원", "평가위원코드", "evaluator", "Evaluator code"],
    "value": ["점수", "score", "Points", "value", "Score"],
}
KEYS = ("team", "criterion", "evaluator", "value")


@st.composite
def sheet_rows(draw: st.DrawFn) -> list[list[str]]:
    """A header and rows as text cells: columns in any order, some missing, duplicated or
    unknown, sometimes thousands of them; rows of any length and content."""
    keys = draw(st.permutations(KEYS))
    keys = [k for k in keys if draw(st.integers(0, 19)) > 0]  # now and then a column is missing
    header = [draw(st.sampled_from(HEADER_NAMES[k])) for k in keys]
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(st.sampled_from(header or ["팀"])))  # a duplicated header
    extra = draw(st.sampled_from([0, 0, 0, 1, 3, 2_000]))  # thousands of columns, now and then
    at = draw(st.integers(0, len(header)))
    header[at:at] = [draw(any_text) if extra < 10 else f"x{i}" for i in range(extra)]
    column_of: dict[str, int] = {}  # where each column's header ended up
    for k in keys:
        for index, text in enumerate(header):
            if text in HEADER_NAMES[k] and k not in column_of and index not in column_of.values():
                column_of[k] = index
    makers = {
        "team": team_texts,
        "criterion": criterion_texts,
        "evaluator": evaluator_texts,
        "value": mark_texts,
    }
    # Some files are all good rows (they must then be applied whole), some all bad, most mixed.
    mess = draw(st.sampled_from([0, 0, 3, 10]))
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        row = [""] * len(header)
        cells = draw(good_rows) if draw(st.integers(0, 9)) >= mess else {}
        for k, index in column_of.items():
            row[index] = cells[k] if k in cells else draw(makers[k])
        cut = draw(st.sampled_from([None, None, None, 0, 1, 2, 3]))
        rows.append(row if cut is None else row[:cut])
    if draw(st.integers(0, 9)) == 0:
        rows.insert(0, [])  # a blank line before the header
    return rows


def csv_text(rows: list[list[str]], *, delimiter: str, quote_all: bool, endings: list[str]) -> str:
    out = io.StringIO()
    for number, row in enumerate(rows):
        line = io.StringIO()
        csv.writer(
            line,
            delimiter=delimiter,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
            lineterminator="",
        ).writerow(row)
        out.write(line.getvalue() + endings[number % len(endings)])
    return out.getvalue()


ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16", "latin-1", "utf-16-le")


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A CSV as some program might write it: any delimiter, quoting, line endings, encoding
    (the right ones and wrong ones), a BOM or not, and now and then a few stray bytes."""
    rows = draw(sheet_rows())
    endings = draw(st.sampled_from([["\r\n"], ["\n"], ["\r"], ["\r\n", "\n", "\r"]]))
    text = csv_text(
        rows,
        delimiter=draw(st.sampled_from([",", ",", ";", "\t"])),
        quote_all=draw(st.booleans()),
        endings=endings,
    )
    encoding = draw(st.sampled_from(ENCODINGS))
    content = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 7)) == 0:
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.binary(min_size=1, max_size=6)) + content[at:]
    return content


whole_files = st.sampled_from(
    [
        b"",
        b"   \r\n\r\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        "팀,평가항목,평가위원,점수\r\n".encode(),
        "\ufeff팀,평가항목,평가위원,점수".encode(),
        "팀,평가항목,평가위원,점수\r\n,,,\r\n".encode("cp949"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,  # an old .xls
        b"PK\x03\x04" + b"\x00" * 40,
        b"PK\x05\x06" + b"\x00" * 18,  # an empty zip
        b"a,b,c\r\n1,2,3\r\n",
        "팀,평가항목,평가위원,점수\r\nalpha,nia,,9\r\nalpha,nia,,9\r\n".encode(),  # duplicate
    ]
)

# --- XLSX files -----------------------------------------------------------------------------


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _workbook_parts(titles: tuple[str, ...]) -> dict[str, bytes]:
    workbook = Workbook()
    workbook.active.title = titles[0]
    for title in titles[1:]:
        workbook.create_sheet(title)
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# Made once: the parts of a real workbook around the sheet each example writes.
WORKBOOKS = {
    titles: _workbook_parts(titles) for titles in (("점수",), ("Sheet1",), ("안내", "점수"))
}
SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{rows}</sheetData></worksheet>"
)


def xml_text(text: str) -> str:
    """Text as XML can hold it: escaped, and without the control characters XML 1.0 forbids
    (Excel itself never writes them raw)."""
    allowed = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(allowed.replace("\ufffe", "").replace("\uffff", ""))


@st.composite
def xlsx_cells(draw: st.DrawFn, text: str, ref: str) -> str:
    """A score cell as Excel (or something claiming to be Excel) might store it."""
    kinds = ("text", "text", "typed", "typed", "number", "string", "formula", "bool", "error")
    kind = draw(st.sampled_from([*kinds, "date", "ss"]))
    if kind == "text" or (kind == "typed" and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text)):
        return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(text)}</t></is></c>'
    if kind == "typed":  # the text as a number cell, as Excel stores what was typed as digits
        return f'<c r="{ref}"><v>{xml_text(text)}</v></c>'
    if kind == "number":  # a number cell whose digits may not be a number at all
        digits = draw(st.one_of(st.sampled_from(["9", "7.25", "1e400", "1e+30", "-3"]), mark_texts))
        return f'<c r="{ref}"><v>{xml_text(digits)}</v></c>'
    if kind == "string":
        return f'<c r="{ref}" t="str"><v>{xml_text(text)}</v></c>'
    if kind == "formula":
        return f'<c r="{ref}"><f>HYPERLINK("http://example.com","9")</f><v>9</v></c>'
    if kind == "bool":
        return f'<c r="{ref}" t="b"><v>{draw(st.sampled_from(["1", "0", "2", "x"]))}</v></c>'
    if kind == "error":
        return f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>'
    if kind == "date":
        when = draw(st.sampled_from(["2025-08-01T00:00:00", "2025-13-45", "yesterday"]))
        return f'<c r="{ref}" t="d"><v>{when}</v></c>'
    return f'<c r="{ref}" t="s"><v>{draw(st.integers(-1, 5))}</v></c>'  # no shared strings


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    """A workbook whose sheet holds the generated rows with cells of every type, on the
    template's sheet or another one; now and then damaged (cut short, bytes flipped)."""
    rows = draw(sheet_rows())
    header = rows[0] if rows and rows[0] else (rows[1] if len(rows) > 1 else [])
    value_index = next((i for i, text in enumerate(header) if text in HEADER_NAMES["value"]), None)
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = [
            draw(xlsx_cells(text, f"{_letters(i)}{number}"))
            if i == value_index and number > 1
            else f'<c r="{_letters(i)}{number}" t="inlineStr"><is><t>{xml_text(text)}</t></is></c>'
            for i, text in enumerate(row)
            if text != "" or i == value_index
        ]
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    titles = draw(st.sampled_from(list(WORKBOOKS)))
    parts = dict(WORKBOOKS[titles])
    sheet = "xl/worksheets/sheet1.xml" if titles != ("안내", "점수") else "xl/worksheets/sheet2.xml"
    parts[sheet] = SHEET_XML.format(rows="".join(xml_rows)).encode()
    if draw(st.integers(0, 9)) == 0:
        parts[sheet] = draw(st.binary(max_size=200))  # not XML at all
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    content = out.getvalue()
    damage = draw(st.sampled_from(["none"] * 6 + ["cut", "flip"]))
    if damage == "cut":
        content = content[: draw(st.integers(2, len(content) - 1))]
    elif damage == "flip":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(content) - 1))
            content = (
                content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
            )
    return content


@st.composite
def openpyxl_files(draw: st.DrawFn) -> bytes:
    """A workbook written by openpyxl as Excel would save it, with typed values: floats
    (NaN and infinities too), huge integers, dates, booleans and formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = draw(st.sampled_from(["점수", "scores", "Sheet"]))
    sheet.append(["팀", "평가항목", "평가위원", "점수"])
    values = st.one_of(
        st.floats(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.decimals(allow_nan=False, allow_infinity=False, places=4),
        st.sampled_from(['=HYPERLINK("http://example.com","9")', "=1/0", True, None]),
        st.dates(),
        mark_texts.map(xml_text),
    )
    for _ in range(draw(st.integers(1, 4))):
        sheet.append(
            [
                draw(st.sampled_from(["alpha", "beta", "gamma"])),
                draw(st.sampled_from(["nia", "tgt", "전문가", "벤치마크"])),
                draw(st.sampled_from(["", "E01"])),
                draw(values),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


import_files = st.one_of(csv_files(), xlsx_files(), openpyxl_files(), whole_files)


# --- What a problem list must say -----------------------------------------------------------


def assert_problems_name_row_and_column(problems: list[dict[str, Any]]) -> None:
    """Every problem reads as a sentence; a problem in a row names the row and the column
    (letter and what it holds), or for a duplicate row the row it repeats."""
    for problem in problems:
        assert problem["code"] in PROBLEM_MESSAGES, problem
        message = problem_message(problem)
        assert message and "%(" not in message, (problem, message)
        if problem["row"] is None:
            assert not problem["column"], problem  # the file as a whole
            continue
        assert isinstance(problem["row"], int) and problem["row"] >= 2, problem
        if problem["code"] == "duplicate":
            first = problem["params"]["first_row"]
            assert first < problem["row"] and str(first) in message, problem
            continue
        assert problem["column_key"] in KEYS, problem
        column = problem_column(problem)
        if problem["column"]:
            assert column.startswith(f"{problem['column']} (") and column.endswith(")"), column
        else:  # a column the file lacks (only the optional evaluator column): named, no letter
            assert problem["column_key"] == "evaluator" and column, problem
