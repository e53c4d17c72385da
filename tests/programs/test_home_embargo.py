"""The home page reveals no stage result before the stage is published."""

from __future__ import annotations

from decimal import Decimal

import pytest

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

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Quiet Team" in body
    assert "In the program" in body
    assert "Eliminated" not in body


def test_a_team_eliminated_at_a_published_stage_shows_as_eliminated(client, program):
    published = StageFactory(program=program, status=Stage.Status.PUBLISHED)
    TeamFactory(program=program, status=Team.Status.ELIMINATED, left_stage=published)

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Eliminated" in body


def test_a_team_selected_before_the_final_stage_is_published_shows_as_in_the_program(
    client, program
):
    StageFactory(program=program, kind=Stage.Kind.FINAL, status=Stage.Status.FINALIZED)
    TeamFactory(program=program, status=Team.Status.SELECTED)

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Selected as a final team" not in body
    assert "In the program" in body


def test_a_team_selected_at_the_published_final_stage_shows_as_selected(client, program):
    StageFactory(program=program, kind=Stage.Kind.FINAL, status=Stage.Status.PUBLISHED)
    TeamFactory(program=program, status=Team.Status.SELECTED)

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Selected as a final team" in body


def test_a_team_admitted_by_an_unpublished_call_is_not_listed(client, program):
    additional_call = StageFactory(
        program=program, kind=Stage.Kind.ADDITIONAL_CALL, status=Stage.Status.REVIEW
    )
    TeamFactory(program=program, name_en="Late Team", joined_stage=additional_call)

    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Late Team" not in body


@pytest.mark.parametrize(
    "status", [Stage.Status.SCORING, Stage.Status.REVIEW, Stage.Status.FINALIZED]
)
def test_a_stage_being_evaluated_reads_under_evaluation_whatever_its_internal_step(
    client, program, status
):
    StageFactory(program=program, status=status, name_en="Stage-2 evaluation")

    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "Under evaluation" in english
    assert "평가 진행 중" in korean
    for internal in ("Scoring", "Review", "Finalized"):
        assert f">{internal}<" not in english
