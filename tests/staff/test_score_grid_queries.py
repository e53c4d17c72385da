"""The grid renders with a constant number of queries and a whole row saves with a bounded
number, whatever the size of the stage (50 teams × 20 criteria × 10 evaluators here)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthetic import synthetic_program_build
from evaluations.models import Participation, Score
from evaluations.services.score_entry import MarkEntry, scores_save_row
from programs.models import Criterion

pytestmark = pytest.mark.django_db


def grid_queries(client, stage_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/staff/stages/{stage_id}/scores/")
    assert response.status_code == 200
    return len(queries)


def test_grid_page_queries_do_not_grow_with_the_stage(as_person):
    client = as_person("clerk")
    small = synthetic_program_build(teams=2, criteria=2, evaluators=3, seed=1, slug="small")
    large = synthetic_program_build(teams=50, criteria=20, evaluators=10, seed=1, slug="large")
    assert large.stages[0].marks == 50 * 20 * 10
    small_count = grid_queries(client, small.stage_ids[0])
    large_count = grid_queries(client, large.stage_ids[0])
    assert large_count == small_count
    assert large_count <= 20, large_count
    print(f"grid page: {large_count} queries for 50 teams x 20 criteria x 10 evaluators")


def row_save_queries(clerk, stage_id: int) -> tuple[int, int]:
    participation = Participation.objects.filter(stage_id=stage_id).first()
    scores = Score.objects.filter(participation=participation)
    entries = [
        MarkEntry(s.criterion_id, Decimal("1.5"), s.evaluator_code, s.version) for s in scores
    ]
    with CaptureQueriesContext(connection) as queries:
        saved = scores_save_row(participation_id=participation.pk, entries=entries, user=clerk)
    assert len(saved) == len(entries)
    return len(queries), len(entries)


def test_saving_a_whole_row_costs_about_the_same_for_4_marks_or_200(staff_user):
    clerk = staff_user("clerk")
    small = synthetic_program_build(teams=2, criteria=2, evaluators=2, seed=1, slug="small")
    large = synthetic_program_build(teams=3, criteria=20, evaluators=10, seed=1, slug="large")
    small_count, small_marks = row_save_queries(clerk, small.stage_ids[0])
    large_count, large_marks = row_save_queries(clerk, large.stage_ids[0])
    assert (small_marks, large_marks) == (4, 200)
    # One UPDATE for all changed marks and one INSERT of their history. PostgreSQL takes any
    # number of rows per statement; SQLite caps the variables of one statement (999 in Django),
    # so there the 200 history rows go in a few batches. Never one query per mark.
    extra_batches = 0 if connection.vendor == "postgresql" else 6
    assert small_count <= large_count <= small_count + extra_batches
    print(f"row save: {small_marks} marks {small_count} queries, {large_marks} marks {large_count}")
    assert Score.objects.filter(value=Decimal("1.5"), version=2).count() == 204
    assert not Criterion.objects.filter(max_points__isnull=True).exists()
