"""What an import tells people: each problem and failure as a sentence in their language.

Problems are stored as codes with parameters; the sentence is made when it is shown, so the
same preview reads in Korean or English."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

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
    "too_large_value": _("%(value)s is too large for a mark; a mark is at most %(limit)s."),
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
    language; only what it holds for a column the file lacks (the optional evaluator column);
    empty for a problem about the whole row or file."""
    if not problem.get("column"):
        return column_label(problem["column_key"]) if problem.get("column_key") else ""
    return f"{problem['column']} ({column_label(problem.get('column_key') or '')})"
