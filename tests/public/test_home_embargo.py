"""The home page reveals no stage result before the stage is published."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations.models import Publication, StandingsSnapshot
from programs.models import Stage
from teams.models import Team
from tests.factories import (
    ParticipationFactory,
    ProgramFactory,
    ScoreFactory,
    StageFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory()


def publish_outcomes(stage: Stage, outcomes: dict[str, str]) -> None:
    """Publish a stage whose frozen record gives these teams these outcomes."""
    snapshot = StandingsSnapshot.objects.create(
        stage=stage, input_digest="0" * 64, inputs_version=0, engine_version="test"
    )
    rows = [{"team": slug, "outcome": outcome} for slug, outcome in outcomes.items()]
    Publication.objects.create(
        stage=stage,
        sequence=1,
        snapshot=snapshot,
        published_at=timezone.now(),
        payload={"rows": rows, "criteria": [], "statistics": [], "stage": {}},
    )


def test_home_never_shows_scores(client, program):
    stage = StageFactory(program=program, status=Stage.Status.PUBLISHED)
    participation = ParticipationFactory(stage=stage, team__program=program)
    ScoreFactory(participation=participation, value=Decimal("37.125"))

    body = client.get("/").content.decode()

    assert "37.125" not in body
    assert "37.12" not in body


def test_a_team_eliminated_at_an_unpublished_stage_still_shows_as_in_the_program(client, program):
    review = StageFactory(program=program, status=Stage.Status.FINALIZED)
    TeamFactory(
        program=program, name_en="Quiet Team", status=Team.Status.ELIMINATED, left_stage=review
    )

    body = client.get("/en/").content.decode()

    assert "Quiet Team" in body
    assert "In the program" in body
    assert "Eliminated" not in body


def test_a_team_eliminated_at_a_published_stage_shows_as_eliminated(client, program):
    published = StageFactory(program=program, status=Stage.Status.PUBLISHED)
    team = TeamFactory(program=program, status=Team.Status.ELIMINATED, left_stage=published)
    publish_outcomes(published, {team.slug: "eliminated"})

    body = client.get("/en/").content.decode()

    assert "Eliminated" in body


def test_a_team_selected_before_the_final_stage_is_published_shows_as_in_the_program(
    client, program
):
    StageFactory(program=program, kind=Stage.Kind.FINAL, status=Stage.Status.FINALIZED)
    TeamFactory(program=program, status=Team.Status.SELECTED)

    body = client.get("/en/").content.decode()

    assert "Selected as a final team" not in body
    assert "In the program" in body


def test_a_team_selected_at_the_published_final_stage_shows_as_selected(client, program):
    final = StageFactory(program=program, kind=Stage.Kind.FINAL, status=Stage.Status.PUBLISHED)
    team = TeamFactory(program=program, status=Team.Status.SELECTED)
    publish_outcomes(final, {team.slug: "advanced"})

    body = client.get("/en/").content.decode()

    assert "Selected as a final team" in body


def test_a_team_admitted_by_an_unpublished_call_is_not_listed(client, program):
    additional_call = StageFactory(
        program=program, kind=Stage.Kind.ADDITIONAL_CALL, status=Stage.Status.REVIEW
    )
    TeamFactory(program=program, name_en="Late Team", joined_stage=additional_call)

    body = client.get("/en/").content.decode()

    assert "Late Team" not in body


@pytest.mark.parametrize(
    "status", [Stage.Status.SCORING, Stage.Status.REVIEW, Stage.Status.FINALIZED]
)
def test_a_stage_being_evaluated_reads_under_evaluation_whatever_its_internal_step(
    client, program, status
):
    StageFactory(program=program, status=status, name_en="Stage-2 evaluation")

    english = client.get("/en/").content.decode()
    korean = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "Under evaluation" in english
    assert "평가 진행 중" in korean
    for internal in ("Scoring", "Review", "Finalized"):
        assert f">{internal}<" not in english


def test_the_status_comes_from_the_publication_not_from_the_teams_own_record(client, program):
    # Staff finalized a later stage that put the team out; that result is not published yet.
    published = StageFactory(program=program, status=Stage.Status.PUBLISHED)
    finalized = StageFactory(program=program, status=Stage.Status.FINALIZED)
    team = TeamFactory(
        program=program, name_en="Waiting Team", status=Team.Status.ELIMINATED, left_stage=finalized
    )
    publish_outcomes(published, {team.slug: "advanced"})

    body = client.get("/en/").content.decode()

    assert "Waiting Team" in body
    assert "Eliminated" not in body
