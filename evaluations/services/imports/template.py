"""The downloadable template of a stage: one row per mark it expects, Korean headers, team and
criterion names as staff know them, current values filled in."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from evaluations.services.imports.checking import criterion_label, stage_lookup
from evaluations.services.imports.files import SHEET_NAMES
from evaluations.services.scores import _value_ceiling
from programs.models import Criterion, Stage
from programs.numbers import decimal_text

TEMPLATE_HEADERS_KO = ("팀", "평가항목", "평가위원", "점수", "최대 점수")


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
