"""Rows that would tie a team to another program's stage are refused with a clear message."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import Participation
from tests.factories import ProgramFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_a_team_cannot_join_at_a_stage_of_another_program():
    team = TeamFactory()
    team.joined_stage = StageFactory(program=ProgramFactory())
    with pytest.raises(ValidationError) as refused:
        team.full_clean()
    assert [error.code for error in refused.value.error_dict["joined_stage"]] == ["other_program"]


def test_a_team_cannot_take_part_in_a_stage_of_another_program():
    team = TeamFactory()
    participation = Participation(team=team, stage=StageFactory(program=ProgramFactory()))
    with pytest.raises(ValidationError) as refused:
        participation.full_clean()
    assert [error.code for error in refused.value.error_dict["team"]] == ["other_program"]


def test_a_team_and_stage_of_the_same_program_are_fine():
    team = TeamFactory()
    Participation(team=team, stage=StageFactory(program=team.program)).full_clean()
