"""Standings as CSV and XLSX, from the same data as the JSON response.

Spreadsheet-safe: a text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return)
is never read as a formula: CSV cells get a leading apostrophe, XLSX cells are typed as text.
Points stay exact: CSV writes the decimal strings, XLSX writes numbers from those strings.
An error (404, 429…) asked for as CSV or XLSX is answered in JSON, the one error shape.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def standings_table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    codes = [criterion["code"] for criterion in data.get("criteria", [])]
    header = [
        "position",
        "rank",
        "tied",
        "team",
        "team_name_ko",
        "team_name_en",
        "total",
        *(f"points.{code}" for code in codes),
        "outcome",
        "reason_code",
        "reason_ko",
        "reason_en",
        "models",
    ]
    rows = []
    for row in data.get("rows", []):
        rows.append(
            [
                row["position"],
                row["rank"],
                "yes" if row["tied"] else "no",
                row["team"],
                row["team_name_ko"],
                row["team_name_en"],
                row["total"],
                *(row["points"].get(code) for code in codes),
                row["outcome"],
                row["reason_code"],
                row["reason_ko"],
                row["reason_en"],
                "; ".join(row["models"]),
            ]
        )
    return header, rows


class _StandingsRenderer(BaseRenderer):
    extension = ""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if (response is not None and response.status_code >= 400) or not isinstance(data, dict):
            if response is not None:
                response["Content-Type"] = "application/json"
            return json.dumps(data, ensure_ascii=False).encode("utf-8")
        if response is not None:
            name = f"{data['stage']['slug']}-standings-{data['sequence']}.{self.extension}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return self.render_table(*standings_table(data))

    def render_table(self, header: list[str], rows: list[list[Any]]) -> bytes:
        raise NotImplementedError


class StandingsCSVRenderer(_StandingsRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    extension = "csv"

    def render_table(self, header: list[str], rows: list[list[Any]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else spreadsheet_safe(v) for v in row])
        # A byte-order mark so Excel opens Korean names as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class StandingsXLSXRenderer(_StandingsRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"
    extension = "xlsx"

    def render_table(self, header: list[str], rows: list[list[Any]]) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "standings"
        sheet.append(header)
        numeric = {
            i for i, name in enumerate(header) if name == "total" or name.startswith("points.")
        }
        for values in rows:
            sheet.append([None] * len(values))
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=sheet.max_row, column=column)
                if value is None:
                    continue
                if column - 1 in numeric:
                    cell.value = Decimal(value)
                elif isinstance(value, str):
                    cell.value = value
                    cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
                else:
                    cell.value = value
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
