"""An administrator sets a criterion's maximum points (its weight) before the stage opens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.services.rules import criterion_update
from programs.errors import DomainError, PermissionDenied
from programs.models import Criterion, Stage
from tests.factories import CriterionFactory, ScoreFactory, StageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def criterion():
    """A planned stage's criterion whose weight was never published."""
    return CriterionFactory(stage=StageFactory(status=Stage.Status.PLANNED), max_points=None)


def test_an_administrator_sets_the_weight_of_a_planned_stages_criterion(criterion, staff_user):
    updated = criterion_update(criterion_id=criterion.pk, user=staff_user("admin"), max_points="35")
    assert updated.max_points == Decimal("35")
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal("35")


def test_scores_keep_their_ceiling_in_step_with_the_criterion(staff_user):
    criterion = CriterionFactory(stage=StageFactory(status=Stage.Status.PLANNED))
    score = ScoreFactory(
        criterion=criterion, participation__stage=criterion.stage, value=Decimal("20")
    )
    assert score.value_max == Decimal("40")
    criterion_update(criterion_id=criterion.pk, user=staff_user("admin"), max_points="25")
    score.refresh_from_db()
    assert score.value_max == Decimal("25")


def test_a_maximum_below_a_score_already_entered_is_refused(staff_user):
    criterion = CriterionFactory(stage=StageFactory(status=Stage.Status.PLANNED))
    ScoreFactory(criterion=criterion, participation__stage=criterion.stage, value=Decimal("30"))
    with pytest.raises(DomainError) as refused:
        criterion_update(criterion_id=criterion.pk, user=staff_user("admin"), max_points="20")
    assert (refused.value.code, refused.value.field) == ("invalid_max_points", "max_points")
    assert "1건이 20점을 초과합니다" in refused.value.message  # staff read Korean by default
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal("40")


@pytest.mark.parametrize("role", ["clerk", "verifier"])
def test_only_an_administrator_sets_weights(criterion, staff_user, role):
    with pytest.raises(PermissionDenied):
        criterion_update(criterion_id=criterion.pk, user=staff_user(role), max_points="35")
    with pytest.raises(PermissionDenied):
        criterion_update(criterion_id=criterion.pk, user=UserFactory(), max_points="35")
    criterion.refresh_from_db()
    assert criterion.max_points is None


@pytest.mark.parametrize(
    "status", [Stage.Status.SCORING, Stage.Status.REVIEW, Stage.Status.PUBLISHED]
)
def test_weights_are_fixed_once_scoring_begins(staff_user, status):
    criterion = CriterionFactory(stage=StageFactory(status=status))
    with pytest.raises(DomainError) as refused:
        criterion_update(criterion_id=criterion.pk, user=staff_user("admin"), max_points="30")
    assert (refused.value.code, refused.value.field) == ("wrong_status", "max_points")
    assert Criterion.objects.get(pk=criterion.pk).max_points == Decimal("40")


@pytest.mark.parametrize("raw", ["", "abc", "0", "-5", "10.125", "100000", "NaN"])
def test_a_maximum_that_is_not_a_positive_number_is_refused(criterion, staff_user, raw):
    with pytest.raises(DomainError) as refused:
        criterion_update(criterion_id=criterion.pk, user=staff_user("admin"), max_points=raw)
    assert refused.value.as_dict()["field"] == "max_points"
    assert refused.value.code == "invalid_max_points"


def test_an_unknown_criterion_is_not_found(staff_user):
    with pytest.raises(DomainError) as refused:
        criterion_update(criterion_id=999_999, user=staff_user("admin"), max_points="30")
    assert refused.value.code == "not_found"
