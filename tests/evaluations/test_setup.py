"""Setting up a stage through the services: who may, when, and the history each change leaves."""

from decimal import Decimal

import pytest

from evaluations.models import Participation, Score, StandingsSnapshot
from evaluations.services.setup import (
    criterion_create,
    criterion_delete,
    criterion_update,
    gate_create,
    gate_delete,
    participation_create,
    participation_delete,
    participation_update,
    stage_rules_update,
)
from programs.errors import DomainError, PermissionDenied
from programs.models import Criterion, Gate, Stage
from tests.builders import FIVE_TEAMS, build_stage, enter_team
from tests.factories import AIModelFactory, CriterionFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    return build_stage(status=Stage.Status.PLANNED, participations=False)


@pytest.fixture
def scored(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(scenario, "alpha", **FIVE_TEAMS["alpha"])  # type: ignore[arg-type]
    return scenario


def test_an_administrator_adds_and_removes_criteria_and_gates_of_a_planned_stage(planned):
    admin = planned.users["admin"]
    criterion = criterion_create(
        stage_id=planned.stage.pk,
        user=admin,
        code="safety",
        name_ko="안전성",
        name_en="Safety",
        max_points="5",
        parent_id=planned.criteria["benchmark"].pk,
    )
    gate = gate_create(
        stage_id=planned.stage.pk, user=admin, code="licence", name_ko="라이선스", name_en="Licence"
    )
    assert criterion.history.get().history_user == admin
    assert gate.history.get().history_user == admin
    criterion_delete(criterion_id=criterion.pk, user=admin, reason="Not in the notice")
    gate_delete(gate_id=gate.pk, user=admin)
    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    assert not Gate.objects.filter(pk=gate.pk).exists()
    deleted = Criterion.history.filter(id=criterion.pk).latest()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "Not in the notice")


@pytest.mark.parametrize("role", ["clerk", "verifier", "outsider"])
def test_only_an_administrator_changes_the_setup(planned, role):
    with pytest.raises(PermissionDenied):
        criterion_create(
            stage_id=planned.stage.pk, user=planned.users[role], code="x", name_ko="x", name_en="x"
        )
    with pytest.raises(PermissionDenied):
        stage_rules_update(stage_id=planned.stage.pk, user=planned.users[role], rule_count=2)


def test_the_structure_is_fixed_once_scoring_begins(scored):
    admin = scored.users["admin"]
    with pytest.raises(DomainError) as refused:
        criterion_create(stage_id=scored.stage.pk, user=admin, code="x", name_ko="x", name_en="x")
    assert refused.value.code == "wrong_status"
    with pytest.raises(DomainError) as refused:
        criterion_update(
            criterion_id=scored.criteria["expert"].pk,
            user=admin,
            aggregation=Criterion.Aggregation.MEDIAN,
            reason="Panel changed its mind",
        )
    assert (refused.value.code, refused.value.field) == ("wrong_status", "aggregation")
    with pytest.raises(DomainError):
        gate_delete(gate_id=scored.gate.pk, user=admin)
    # Names may still be corrected.
    renamed = criterion_update(
        criterion_id=scored.criteria["expert"].pk, user=admin, name_en="Expert panel"
    )
    assert renamed.name_en == "Expert panel"


def test_a_weight_changed_after_scoring_began_needs_a_reason_and_moves_the_ceilings(
    scored, django_capture_on_commit_callbacks
):
    admin = scored.users["admin"]
    nia = scored.criteria["nia"]
    with pytest.raises(DomainError) as refused:
        criterion_update(criterion_id=nia.pk, user=admin, max_points="12")
    assert (refused.value.code, refused.value.field) == ("wrong_status", "max_points")
    before = StandingsSnapshot.objects.get(stage=scored.stage, is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        criterion_update(
            criterion_id=nia.pk, user=admin, max_points="12", reason="Ministry corrected it"
        )
    assert set(Score.objects.filter(criterion=nia).values_list("value_max", flat=True)) == {
        Decimal("12")
    }
    assert StandingsSnapshot.objects.get(stage=scored.stage, is_current=True).pk != before.pk
    latest = nia.history.latest()
    assert (latest.max_points, latest.history_user) == (Decimal("12"), admin)
    assert latest.history_change_reason == "Ministry corrected it"


def test_rules_are_free_while_planned(planned):
    stage = stage_rules_update(stage_id=planned.stage.pk, user=planned.users["admin"], rule_count=2)
    assert stage.rule_count == 2
    assert planned.stage.history.latest().history_user == planned.users["admin"]


def test_rules_need_a_reason_once_scoring_began(scored, django_capture_on_commit_callbacks):
    admin = scored.users["admin"]
    with pytest.raises(DomainError) as refused:
        stage_rules_update(stage_id=scored.stage.pk, user=admin, rule_count=2)
    assert (refused.value.code, refused.value.field) == ("wrong_status", "rule_count")
    with django_capture_on_commit_callbacks(execute=True):
        stage_rules_update(
            stage_id=scored.stage.pk, user=admin, rule_count=2, reason="Notice amended"
        )
    latest = scored.stage.history.latest()
    assert (latest.rule_count, latest.history_change_reason) == (2, "Notice amended")
    with pytest.raises(DomainError) as refused:
        stage_rules_update(
            stage_id=scored.stage.pk, user=admin, tie_break=["nope"], reason="Tie-break set"
        )
    assert refused.value.field == "tie_break"


def test_rules_cannot_change_between_finalizing_and_publishing():
    stage = StageFactory(status=Stage.Status.FINALIZED)
    scenario_admin = build_stage(status=Stage.Status.PLANNED).users["admin"]
    with pytest.raises(DomainError) as refused:
        stage_rules_update(stage_id=stage.pk, user=scenario_admin, rule_count=3, reason="Too late")
    assert refused.value.code == "wrong_status"


def test_participations_keep_their_models_and_own_criteria_in_the_history(scored):
    clerk = scored.users["clerk"]
    team = TeamFactory(program=scored.program, joined_stage=scored.stage)
    models = [AIModelFactory(team=team), AIModelFactory(team=team)]
    own = CriterionFactory(stage=scored.stage, is_individual=True, code="own-bench")
    participation = participation_create(
        stage_id=scored.stage.pk, team_id=team.pk, user=clerk, ai_model_ids=[models[0].pk]
    )
    participation_update(
        participation_id=participation.pk,
        user=scored.users["clerk2"],
        ai_model_ids=[m.pk for m in models],
        individual_criterion_ids=[own.pk],
    )
    latest = participation.history.latest()
    assert latest.history_user == scored.users["clerk2"]
    assert {row.aimodel_id for row in latest.ai_models.all()} == {m.pk for m in models}
    assert [row.criterion_id for row in latest.individual_criteria.all()] == [own.pk]
    assert participation.history.earliest().history_user == clerk

    other = AIModelFactory()
    with pytest.raises(DomainError) as refused:
        participation_update(participation_id=participation.pk, user=clerk, ai_model_ids=[other.pk])
    assert refused.value.field == "ai_models"

    # A note is kept without the spaces around it, as when the participation was made.
    noted = participation_update(
        participation_id=participation.pk, user=clerk, note="  늦게 합류  "
    )
    assert noted.note == "늦게 합류"

    participation_delete(participation_id=participation.pk, user=clerk, reason="Wrong stage")
    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_a_participation_with_marks_is_not_removed(scored):
    with pytest.raises(DomainError) as refused:
        participation_delete(
            participation_id=scored.participations["alpha"].pk, user=scored.users["admin"]
        )
    assert refused.value.code == "has_scores"
    assert Score.objects.filter(participation=scored.participations["alpha"]).count() == 11


def test_a_late_weight_change_is_refused_in_korean_for_staff_by_default(scored):
    from django.utils import translation

    with translation.override("ko"), pytest.raises(DomainError) as refused:
        criterion_update(
            criterion_id=scored.criteria["nia"].pk, user=scored.users["admin"], max_points="12"
        )
    with translation.override("ko"):
        assert "사유를 적어야만" in refused.value.message
    with translation.override("en"):
        assert "its weights can be changed only by an administrator giving a reason" in (
            refused.value.message
        )
