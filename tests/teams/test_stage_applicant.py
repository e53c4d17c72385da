"""Applicants of a call are recorded apart from the teams of the program, and model aliases
cite where each name was used."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import Stage
from teams.models import ModelAlias, StageApplicant
from tests.factories import AIModelFactory, OrganizationFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return StageFactory(kind=Stage.Kind.ADDITIONAL_CALL, status=Stage.Status.PUBLISHED)


def test_an_applicant_that_was_not_selected_is_recorded_without_a_team(call):
    applicant = StageApplicant(stage=call, organization=OrganizationFactory(), selected=False)
    applicant.full_clean()
    applicant.save()
    assert list(call.applications.all()) == [applicant]


def test_an_applicant_not_selected_cannot_be_a_team_of_the_program(call):
    team = TeamFactory(program=call.program, joined_stage=call)
    with pytest.raises(IntegrityError), transaction.atomic():
        StageApplicant.objects.create(stage=call, organization=team.lead, selected=False, team=team)


def test_a_selected_applicant_points_to_the_team_that_joined_at_that_call(call):
    team = TeamFactory(program=call.program, joined_stage=call)
    StageApplicant(stage=call, organization=team.lead, selected=True, team=team).full_clean()

    elsewhere = TeamFactory(program=call.program)
    with pytest.raises(ValidationError) as refused:
        StageApplicant(
            stage=call, organization=elsewhere.lead, selected=True, team=elsewhere
        ).full_clean()
    assert refused.value.error_dict["team"][0].code == "applicant_team_joined_elsewhere"


def test_teams_apply_only_at_a_call():
    evaluation = StageFactory(kind=Stage.Kind.EVALUATION)
    with pytest.raises(ValidationError) as refused:
        StageApplicant(stage=evaluation, organization=OrganizationFactory()).full_clean()
    assert refused.value.error_dict["stage"][0].code == "applicant_not_at_call"


def test_an_organisation_applies_once_per_call(call):
    organization = OrganizationFactory()
    StageApplicant.objects.create(stage=call, organization=organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        StageApplicant.objects.create(stage=call, organization=organization)


def test_an_alias_row_must_name_one_of_the_models_aliases():
    model = AIModelFactory(aliases=["VARCO 100B"])
    ModelAlias(model=model, name="VARCO 100B").full_clean()
    with pytest.raises(ValidationError) as refused:
        ModelAlias(model=model, name="VARCO").full_clean()
    assert refused.value.error_dict["name"][0].code == "alias_not_listed"
