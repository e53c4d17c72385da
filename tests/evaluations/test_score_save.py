from decimal import Decimal

import pytest

from evaluations.models import Score, StandingsSnapshot
from evaluations.services.scores import score_delete, score_save
from programs.errors import ConflictError, DomainError, PermissionDenied
from programs.models import Stage
from tests.builders import build_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_stage()


def save(
    scenario, *, code="nia", team="alpha", value="9.2", user="clerk", evaluator="", version=None
):
    return score_save(
        participation_id=scenario.participations[team].pk,
        criterion_id=scenario.criteria[code].pk,
        value=value,
        evaluator_code=evaluator,
        user=scenario.users[user],
        expected_version=version,
    )


def test_a_clerk_enters_a_score_and_the_standings_follow(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        score = save(scenario)
    assert score.value == Decimal("9.2")
    assert score.version == 1
    assert score.entered_by == scenario.users["clerk"]
    snapshot = StandingsSnapshot.objects.get(stage=scenario.stage, is_current=True)
    row = snapshot.rows.get(participation=scenario.participations["alpha"])
    assert row.points["nia"] == "9.2"
    scenario.stage.refresh_from_db()
    assert snapshot.inputs_version == scenario.stage.standings_inputs_version == 1


def test_points_above_the_maximum_are_refused_and_nothing_is_saved(scenario):
    with pytest.raises(DomainError, match=r"above the maximum of 10.0 points for “nia”"):
        save(scenario, value="10.1")
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "cannot be negative"),
        ("abc", "not a number"),
        ("1.2345", "three decimal places"),
        ("NaN", "not a number"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(scenario, value, message):
    with pytest.raises(DomainError, match=message):
        save(scenario, value=value)
    assert not Score.objects.exists()


def test_an_empty_value_is_recorded_as_not_disclosed(scenario):
    assert save(scenario, value="").value is None


@pytest.mark.parametrize("who", ["verifier", "outsider"])
def test_only_clerks_and_administrators_enter_scores(scenario, who):
    with pytest.raises(PermissionDenied):
        save(scenario, user=who)
    assert save(scenario, user="admin").value == Decimal("9.2")


def test_the_second_person_saving_the_same_score_is_told_of_the_conflict(scenario):
    first = save(scenario, value="9.0")
    # Two clerks loaded version 1; the first saves, then the second.
    save(scenario, value="9.1", version=first.version, user="clerk")
    with pytest.raises(ConflictError, match="changed this score since you loaded it"):
        save(scenario, value="9.5", version=first.version, user="clerk2")
    assert Score.objects.get().value == Decimal("9.1")


def test_entering_a_score_that_already_exists_without_its_version_is_a_conflict(scenario):
    save(scenario, value="9.0")
    with pytest.raises(ConflictError, match="already entered by clerk1"):
        save(scenario, value="8.0", user="clerk2")
    assert Score.objects.get().value == Decimal("9.0")


def test_the_same_save_twice_changes_nothing(scenario):
    score = save(scenario, value="9.0")
    again = save(scenario, value="9.0", version=score.version)
    assert again.version == 1
    scenario.stage.refresh_from_db()
    assert scenario.stage.standings_inputs_version == 1


def test_a_changed_score_loses_its_confirmation(scenario):
    from evaluations.services.scores import score_confirm

    score = save(scenario, value="9.0")
    score = score_confirm(score_id=score.pk, user=scenario.users["verifier"], expected_version=1)
    assert score.confirmed_by is not None
    changed = save(scenario, value="9.1", version=score.version)
    assert changed.version == 2
    assert changed.confirmed_by is None


def test_panel_criteria_need_an_evaluator_code_and_direct_ones_refuse_it(scenario):
    with pytest.raises(DomainError, match="give an evaluator code"):
        save(scenario, code="expert", value="30")
    with pytest.raises(DomainError, match="without an evaluator code"):
        save(scenario, code="nia", evaluator="E01")
    assert save(scenario, code="expert", value="30", evaluator="E01").evaluator_code == "E01"


def test_a_parent_criterion_cannot_be_scored_directly(scenario):
    with pytest.raises(DomainError, match="computed from its sub-criteria"):
        save(scenario, code="benchmark", value="30")


def test_a_team_cannot_be_scored_on_another_teams_own_criterion(scenario):
    criterion = scenario.criteria["individual"]
    criterion.is_individual = True
    criterion.save()
    scenario.participations["beta"].individual_criteria.add(criterion)
    with pytest.raises(DomainError, match="not one of Alpha's own criteria"):
        save(scenario, code="individual", team="alpha", value="5")
    assert save(scenario, code="individual", team="beta", value="5").value == 5


def test_a_criterion_with_undisclosed_maximum_cannot_be_scored(scenario):
    criterion = scenario.criteria["nia"]
    criterion.max_points = None
    criterion.save()
    with pytest.raises(DomainError, match="maximum points of “nia” are not set"):
        save(scenario)


@pytest.mark.parametrize(
    "status", [Stage.Status.PLANNED, Stage.Status.REVIEW, Stage.Status.FINALIZED]
)
def test_scores_are_entered_only_while_the_stage_is_in_scoring(scenario, status):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=status)
    with pytest.raises(DomainError, match="only while it is in scoring"):
        save(scenario)


def test_after_publication_only_an_administrator_changes_inputs(scenario):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.PUBLISHED)
    with pytest.raises(PermissionDenied, match="only an administrator"):
        save(scenario)
    assert save(scenario, user="admin").value == Decimal("9.2")


def test_deleting_a_score_needs_the_version_that_was_seen(scenario):
    score = save(scenario, value="9.0")
    save(scenario, value="9.1", version=1)
    with pytest.raises(ConflictError):
        score_delete(score_id=score.pk, user=scenario.users["clerk"], expected_version=1)
    score_delete(score_id=score.pk, user=scenario.users["clerk"], expected_version=2)
    assert not Score.objects.exists()
