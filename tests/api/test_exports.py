"""Standings as CSV and XLSX: the same numbers, and never a formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from teams.models import Team

pytestmark = pytest.mark.django_db


def test_csv_has_the_published_numbers(published, client):
    response = client.get(f"/api/v1/stages/{published.stage.pk}/standings/?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    alpha = rows[0]
    assert alpha["team"] == "alpha" and alpha["total"] == "90.2"
    assert alpha["points.expert"] == "31.6"
    assert alpha["outcome"] == "advanced"


def test_csv_and_xlsx_never_hold_a_formula(finalized, client, django_capture_on_commit_callbacks):
    from evaluations.services.publication import stage_publish

    Team.objects.filter(pk=finalized.teams["alpha"].pk).update(name_en="=HYPERLINK(1)")
    Team.objects.filter(pk=finalized.teams["beta"].pk).update(name_en="@SUM(A1)")
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])

    url = f"/api/v1/stages/{finalized.stage.pk}/standings/"
    text = client.get(url + "?format=csv").content.decode("utf-8-sig")
    names = {row["team"]: row["team_name_en"] for row in csv.DictReader(io.StringIO(text))}
    assert names["alpha"] == "'=HYPERLINK(1)"
    assert names["beta"] == "'@SUM(A1)"

    response = client.get(url + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cells = {row[header.index("team")].value: row for row in sheet.iter_rows(min_row=2)}
    name_cell = cells["alpha"][header.index("team_name_en")]
    assert name_cell.value == "=HYPERLINK(1)"
    assert name_cell.data_type == "s"
    assert str(cells["alpha"][header.index("total")].value) == "90.2"


def test_an_export_of_an_unpublished_stage_is_a_json_404(finalized, client):
    response = client.get(f"/api/v1/stages/{finalized.stage.pk}/standings/?format=csv")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
