from decimal import Decimal

import pytest
from django.utils import translation

from evaluations.models import Score, StandingsSnapshot
from evaluations.services.scores import score_delete, score_save
from programs.errors import ConflictError, DomainError, PermissionDenied, http_status
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
    with pytest.raises(DomainError) as caught:
        save(scenario, value="10.1")

    error = caught.value
    assert (error.code, error.field, http_status(error)) == ("above_max", "value", 400)
    assert error.params["criterion"] == "nia"
    assert error.params["value"] == "10.1"
    assert error.params["max"] == "10.0"
    assert not Score.objects.exists()


def test_staff_are_told_in_korean_by_default_that_a_score_is_above_the_maximum(scenario):
    with pytest.raises(DomainError) as caught:
        save(scenario, value="10.1")

    assert str(caught.value) == "10.1점은 “nia” 항목의 배점(10.0점)을 초과합니다."


def test_the_same_error_reads_in_english_under_an_english_request(scenario):
    with pytest.raises(DomainError) as caught:
        save(scenario, value="10.1")

    with translation.override("en"):
        assert str(caught.value) == "10.1 is above the maximum of 10.0 points for “nia”."
        assert caught.value.as_dict() == {
            "code": "above_max",
            "field": "value",
            "message": "10.1 is above the maximum of 10.0 points for “nia”.",
            "params": {"criterion": "nia", "team": "Alpha", "value": "10.1", "max": "10.0"},
        }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "negative"),
        ("abc", "not_a_number"),
        ("1.2345", "too_many_decimals"),
        ("NaN", "not_a_number"),
        ("1e400", "too_large"),  # finite for Decimal, far too large for the column
        ("1000000", "too_large"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(scenario, value, code):
    with pytest.raises(DomainError) as caught:
        save(scenario, value=value)

    assert (caught.value.code, caught.value.field) == (code, "value")
    assert caught.value.params["value"] == value
    assert not Score.objects.exists()


def test_trailing_zeros_past_three_decimals_change_nothing_as_in_the_grid(scenario):
    assert save(scenario, value="9.2000").value == Decimal("9.2")


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
    with pytest.raises(ConflictError) as caught:
        save(scenario, value="9.5", version=first.version, user="clerk2")
    assert caught.value.code == "score_changed"
    assert http_status(caught.value) == 409
    assert Score.objects.get().value == Decimal("9.1")


def test_entering_a_score_that_already_exists_without_its_version_is_a_conflict(scenario):
    save(scenario, value="9.0")
    with pytest.raises(ConflictError) as caught:
        save(scenario, value="8.0", user="clerk2")
    assert caught.value.code == "score_exists"
    assert caught.value.params["user"] == "clerk1"
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
    with pytest.raises(DomainError) as missing:
        save(scenario, code="expert", value="30")
    with pytest.raises(DomainError) as refused:
        save(scenario, code="nia", evaluator="E01")
    assert (missing.value.code, missing.value.field) == ("evaluator_code_invalid", "evaluator_code")
    assert refused.value.code == "evaluator_code_not_allowed"
    assert save(scenario, code="expert", value="30", evaluator="E01").evaluator_code == "E01"


def test_a_parent_criterion_cannot_be_scored_directly(scenario):
    with pytest.raises(DomainError) as caught:
        save(scenario, code="benchmark", value="30")
    assert (caught.value.code, caught.value.params["criterion"]) == (
        "criterion_computed",
        "benchmark",
    )


def test_a_team_cannot_be_scored_on_another_teams_own_criterion(scenario):
    criterion = scenario.criteria["individual"]
    criterion.is_individual = True
    criterion.save()
    scenario.participations["beta"].individual_criteria.add(criterion)
    with pytest.raises(DomainError) as caught:
        save(scenario, code="individual", team="alpha", value="5")
    assert caught.value.code == "criterion_not_for_team"
    with translation.override("en"):
        assert str(caught.value) == "“individual” is not one of Alpha's own criteria."
    assert save(scenario, code="individual", team="beta", value="5").value == 5


def test_a_criterion_with_undisclosed_maximum_cannot_be_scored(scenario):
    criterion = scenario.criteria["nia"]
    criterion.max_points = None
    criterion.save()
    with pytest.raises(DomainError) as caught:
        save(scenario)
    assert (caught.value.code, caught.value.params["criterion"]) == ("max_points_not_set", "nia")


@pytest.mark.parametrize(
    "status", [Stage.Status.PLANNED, Stage.Status.REVIEW, Stage.Status.FINALIZED]
)
def test_scores_are_entered_only_while_the_stage_is_in_scoring(scenario, status):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=status)
    with pytest.raises(DomainError) as caught:
        save(scenario)
    assert caught.value.code == "wrong_status"
    assert caught.value.params["status"] == status


def test_after_publication_only_an_administrator_changes_inputs(scenario):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.PUBLISHED)
    with pytest.raises(PermissionDenied) as caught:
        save(scenario)
    assert (caught.value.code, http_status(caught.value)) == ("stage_published", 403)
    assert save(scenario, user="admin").value == Decimal("9.2")


def test_deleting_a_score_needs_the_version_that_was_seen(scenario):
    score = save(scenario, value="9.0")
    save(scenario, value="9.1", version=1)
    with pytest.raises(ConflictError):
        score_delete(score_id=score.pk, user=scenario.users["clerk"], expected_version=1)
    score_delete(score_id=score.pk, user=scenario.users["clerk"], expected_version=2)
    assert not Score.objects.exists()
