"""The database itself refuses team and model rows that break the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from teams.models import Membership, Team
from tests.factories import AIModelFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_a_model_with_more_active_than_total_parameters_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModelFactory(parameters_total_b=Decimal("100"), parameters_active_b=Decimal("120"))


def test_a_model_with_fewer_active_than_total_parameters_is_accepted():
    model = AIModelFactory(parameters_total_b=Decimal("236"), parameters_active_b=Decimal("23"))

    assert model.pk


def test_a_model_with_zero_total_parameters_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModelFactory(parameters_total_b=Decimal("0"))


def test_a_membership_that_ends_before_it_began_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(joined_on=datetime.date(2026, 2, 25), left_on=datetime.date(2026, 1, 1))


def test_a_team_with_two_lead_organisations_is_refused():
    lead = MembershipFactory(role=Membership.Role.LEAD)

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(team=lead.team, role=Membership.Role.LEAD)


def test_an_organisation_listed_twice_in_one_team_is_refused():
    membership = MembershipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(team=membership.team, organization=membership.organization)


def test_two_teams_with_the_same_slug_in_a_program_are_refused():
    team = TeamFactory(slug="upstage")

    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(program=team.program, slug="upstage")


@pytest.mark.parametrize(
    "status", [Team.Status.ELIMINATED, Team.Status.DISQUALIFIED, Team.Status.WITHDRAWN]
)
def test_a_team_that_left_without_the_stage_it_left_at_is_refused(status):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(status=status, left_stage=None)
