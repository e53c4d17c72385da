"""A participation is left unranked ("joined later; not ranked") only for a team that really
joined the program after scoring of that stage began; every other team is ranked."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from evaluations.models import Participation
from programs.models import Stage
from tests.factories import ParticipationFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def unranked(stage: Stage, joined: Stage) -> Participation:
    team = TeamFactory(program=stage.program, joined_stage=joined)
    return Participation(stage=stage, team=team, ranked=False)


@pytest.fixture
def stages():
    """A stage being scored (order 7) and the stages a team may have joined at around it."""
    call = StageFactory(order=1, kind=Stage.Kind.CALL, status=Stage.Status.PUBLISHED)
    program = call.program
    scoring = StageFactory(program=program, order=7, status=Stage.Status.SCORING)
    return {
        "call": call,
        "scoring": scoring,
        "planned": StageFactory(program=program, order=9, status=Stage.Status.PLANNED),
        "later_call": StageFactory(
            program=program, order=8, kind=Stage.Kind.ADDITIONAL_CALL, status=Stage.Status.PUBLISHED
        ),
    }


def test_a_team_that_joined_after_scoring_began_may_be_left_unranked(stages):
    unranked(stages["scoring"], joined=stages["later_call"]).full_clean()


def test_a_team_that_was_in_the_program_before_scoring_began_must_be_ranked(stages):
    participation = unranked(stages["scoring"], joined=stages["call"])
    with pytest.raises(ValidationError) as refused:
        participation.full_clean()
    error = refused.value.error_dict["ranked"][0]
    assert error.code == "ranked_not_joined_later"
    with translation.override("en"):
        assert "before scoring of that stage began" in refused.value.message_dict["ranked"][0]
    participation.ranked = True
    participation.full_clean()


def test_a_team_that_joined_at_the_stage_itself_is_ranked(stages):
    with translation.override("en"), pytest.raises(ValidationError, match="ranked like every"):
        unranked(stages["scoring"], joined=stages["scoring"]).full_clean()


def test_nobody_joined_after_scoring_of_a_planned_stage_began(stages):
    # Scoring has not begun, so not even a team that joined at a later stage is "joined later".
    with translation.override("en"), pytest.raises(ValidationError, match="has not begun"):
        unranked(stages["planned"], joined=stages["later_call"]).full_clean()


def test_the_migration_ranks_stored_rows_that_break_the_rule(stages):
    program = stages["call"].program
    wrong_planned = ParticipationFactory(
        stage=stages["planned"], team=TeamFactory(program=program, joined_stage=stages["call"])
    )
    wrong_scoring = ParticipationFactory(
        stage=stages["scoring"], team=TeamFactory(program=program, joined_stage=stages["call"])
    )
    joined_later = ParticipationFactory(
        stage=stages["scoring"],
        team=TeamFactory(program=program, joined_stage=stages["later_call"]),
    )
    # Rows stored before the rule existed (the old record loaded stage 2 this way).
    Participation.objects.update(ranked=False)
    version_before = Stage.objects.get(pk=stages["planned"].pk).standings_inputs_version

    migration = importlib.import_module(
        "evaluations.migrations.0004_participations_ranked_unless_joined_later"
    )
    migration.rank_teams_that_were_there(apps, None)

    ranked = dict(Participation.objects.values_list("pk", "ranked"))
    assert ranked == {wrong_planned.pk: True, wrong_scoring.pk: True, joined_later.pk: False}
    # Their stored standings are marked stale, so they are recomputed from the fixed rows.
    assert Stage.objects.get(pk=stages["planned"].pk).standings_inputs_version == version_before + 1


def test_the_refusal_reads_in_korean_for_staff_and_in_english_under_en(stages):
    from django.utils import translation

    participation = unranked(stages["planned"], joined=stages["call"])
    with pytest.raises(ValidationError) as refused:
        participation.full_clean()
    with translation.override("ko"):
        korean = refused.value.message_dict["ranked"][0]
    with translation.override("en"):
        english = refused.value.message_dict["ranked"][0]
    assert "채점이 아직 시작되지 않았으므로" in korean
    assert "scoring of that stage has not begun" in english
