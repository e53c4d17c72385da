"""The database itself refuses program rows that break the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from programs.models import Stage
from tests.factories import CriterionFactory, GateFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("max_points", [Decimal("0"), Decimal("-5")])
def test_a_criterion_worth_zero_or_fewer_points_is_refused(max_points):
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(max_points=max_points)


def test_a_criterion_with_undisclosed_points_is_accepted():
    assert CriterionFactory(max_points=None).pk


def test_two_criteria_with_the_same_code_in_one_stage_are_refused():
    criterion = CriterionFactory(code="benchmark")

    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(stage=criterion.stage, code="benchmark")


def test_the_same_criterion_code_in_two_stages_is_accepted():
    CriterionFactory(code="benchmark")

    assert CriterionFactory(code="benchmark").pk


def test_a_normalisation_target_of_zero_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(target=Decimal("0"))


def test_two_gates_with_the_same_code_in_one_stage_are_refused():
    gate = GateFactory(code="independence")

    with pytest.raises(IntegrityError), transaction.atomic():
        GateFactory(stage=gate.stage, code="independence")


def test_two_stages_at_the_same_position_in_a_program_are_refused():
    stage = StageFactory(order=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(program=stage.program, order=1)


def test_two_stages_with_the_same_slug_in_a_program_are_refused():
    stage = StageFactory(slug="stage-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(program=stage.program, slug="stage-1")


def test_a_stage_ending_before_it_starts_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(starts_on=datetime.date(2026, 8, 10), ends_on=datetime.date(2026, 8, 1))


@pytest.mark.parametrize("rule", [Stage.Rule.ELIMINATE_LOWEST, Stage.Rule.KEEP_TOP])
def test_a_counting_elimination_rule_with_a_count_of_zero_is_refused(rule):
    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(elimination_rule=rule, rule_count=0)


@pytest.mark.parametrize("rule", [Stage.Rule.ELIMINATE_LOWEST, Stage.Rule.KEEP_TOP])
def test_a_counting_elimination_rule_without_a_count_is_refused(rule):
    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(elimination_rule=rule, rule_count=None)


def test_a_threshold_rule_without_a_threshold_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        StageFactory(elimination_rule=Stage.Rule.THRESHOLD, rule_threshold=None)
