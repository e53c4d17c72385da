"""A stage's team counts say what they count: teams of the program in, out and after, and, for
a call, the applicants and how many were selected; results stay hidden until publication."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from programs.models import Stage
from programs.selectors import stage_funnel, stage_team_counts
from tests.factories import ProgramFactory, StageFactory

pytestmark = pytest.mark.django_db


def test_the_counts_of_the_additional_call_add_up():
    # 3 teams in the program, 2 applicants, 1 selected, none out, 4 after.
    stage = StageFactory(
        kind=Stage.Kind.ADDITIONAL_CALL,
        teams_in=3,
        applicants=2,
        applicants_selected=1,
        teams_out=0,
        teams_after=4,
    )
    assert stage.pk


def test_counts_that_do_not_add_up_are_refused():
    # The old record: "2 → 4", applicants counted as teams in the program.
    with pytest.raises(IntegrityError, match="stage_team_counts_add_up"), transaction.atomic():
        StageFactory(kind=Stage.Kind.ADDITIONAL_CALL, teams_in=2, teams_out=1, teams_after=4)


def test_more_selected_than_applied_is_refused():
    refused = pytest.raises(IntegrityError, match="stage_selected_within_applicants")
    with refused, transaction.atomic():
        StageFactory(kind=Stage.Kind.CALL, applicants=2, applicants_selected=3)


def test_results_of_a_stage_are_not_counted_before_its_publication():
    program = ProgramFactory()
    published = StageFactory(
        program=program,
        order=1,
        kind=Stage.Kind.ADDITIONAL_CALL,
        status=Stage.Status.PUBLISHED,
        teams_in=3,
        applicants=2,
        applicants_selected=1,
        teams_out=0,
        teams_after=4,
    )
    finalized = StageFactory(
        program=program,
        order=2,
        status=Stage.Status.FINALIZED,
        teams_in=4,
        teams_out=1,
        teams_after=3,
    )
    shown, hidden = stage_team_counts([published, finalized])
    assert (shown.teams_in, shown.applicants, shown.applicants_selected) == (3, 2, 1)
    assert (shown.teams_out, shown.teams_after) == (0, 4)
    # Who takes part is known; who left and how many remain are results.
    assert (hidden.teams_in, hidden.teams_out, hidden.teams_after) == (4, None, None)
    assert stage_funnel([published, finalized]) == [3, 4]


def test_the_funnel_starts_from_the_applicants_of_the_opening_call():
    program = ProgramFactory()
    stages = [
        StageFactory(
            program=program,
            order=1,
            kind=Stage.Kind.CALL,
            status=Stage.Status.PUBLISHED,
            teams_in=0,
            applicants=15,
            applicants_selected=15,
            teams_out=0,
            teams_after=15,
        ),
        StageFactory(
            program=program,
            order=2,
            status=Stage.Status.PUBLISHED,
            teams_in=15,
            teams_out=5,
            teams_after=10,
        ),
    ]
    assert stage_funnel(stages) == [15, 10]


def test_the_migration_moves_applicants_out_of_the_teams_of_a_call():
    program = ProgramFactory()
    # Counts as the old record stored them for calls: applicants in teams_in, those not selected
    # in teams_out. (The old additional call, 2 → 4, no longer fits the table's constraint; the
    # migration runs before it is added, see 0003.)
    old_call = StageFactory(
        program=program, order=1, kind=Stage.Kind.CALL, teams_in=15, teams_out=0, teams_after=15
    )
    old_extra = StageFactory(
        program=program, order=6, kind=Stage.Kind.ADDITIONAL_CALL, teams_in=2, teams_out=1
    )
    evaluation = StageFactory(program=program, order=5, teams_in=5, teams_out=2, teams_after=3)

    migration = importlib.import_module("programs.migrations.0003_stage_applicant_counts")
    migration.split_applicants_from_teams(apps, None)

    fields = ("teams_in", "applicants", "applicants_selected", "teams_out", "teams_after")
    counts = {row[0]: row[1:] for row in Stage.objects.values_list("slug", *fields)}
    assert counts[old_call.slug] == (0, 15, 15, 0, 15)
    assert counts[old_extra.slug] == (None, 2, 1, 0, None)
    assert counts[evaluation.slug] == (5, None, None, 2, 3)
