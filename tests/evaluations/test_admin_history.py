"""The admin writes through the services and leaves history with the person who clicked; a
team's status and a decision change only through the services, and each object shows its
history page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import Decision, GateResult, Outcome, Participation
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from programs.models import Criterion, Stage
from teams.models import Team
from tests.admin_forms import changeform_data
from tests.builders import FIVE_TEAMS, build_stage, confirm_all, enter_five_teams, enter_team
from tests.factories import AIModelFactory, GateResultFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalized(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
        stage_finalize(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    scenario.refresh()
    return scenario


def test_the_team_admin_cannot_change_a_teams_status(client, superuser, finalized):
    client.force_login(superuser)
    team = finalized.teams["epsilon"]
    url = reverse("admin:teams_team_change", args=[team.pk])
    data = changeform_data(client.get(url))
    data.update(status=Team.Status.ACTIVE, left_stage="", summary_en="Korean consortium")
    response = client.post(url, data)
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.status, team.left_stage_id) == (Team.Status.ELIMINATED, finalized.stage.pk)
    assert team.summary_en == "Korean consortium"
    assert team.history.latest().history_user == superuser


def test_decisions_cannot_be_added_or_deleted_in_the_admin(client, superuser, finalized):
    client.force_login(superuser)
    decision = Decision.objects.get(participation=finalized.participations["epsilon"])
    assert client.get(reverse("admin:evaluations_decision_add")).status_code == 403
    delete = reverse("admin:evaluations_decision_delete", args=[decision.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_changing_a_decision_in_the_admin_goes_through_the_service(
    client, superuser, finalized, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    decision = Decision.objects.get(participation=finalized.participations["epsilon"])
    url = reverse("admin:evaluations_decision_change", args=[decision.pk])
    data = changeform_data(client.get(url))
    data.update(outcome=Outcome.ADVANCED, reason_ko="이의신청 인용", reason_en="Appeal upheld")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.outcome, decision.reason_code) == (Outcome.ADVANCED, "committee")
    assert decision.decided_by == superuser
    team = finalized.teams["epsilon"]
    team.refresh_from_db()
    assert team.status == Team.Status.ACTIVE  # the team's status followed the decision
    latest = decision.history.latest()
    assert latest.history_user == superuser
    assert latest.history_change_reason == "이의신청 인용 / Appeal upheld"


def test_a_decision_changed_in_the_admin_without_a_reason_is_refused(client, superuser, finalized):
    client.force_login(superuser)
    decision = Decision.objects.get(participation=finalized.participations["epsilon"])
    url = reverse("admin:evaluations_decision_change", args=[decision.pk])
    data = changeform_data(client.get(url))
    data.update(outcome=Outcome.ADVANCED, reason_ko="", reason_en="")
    response = client.post(url, data, follow=True)
    assert "결정을 변경하려면 사유를 입력해야 합니다." in response.content.decode()
    decision.refresh_from_db()
    assert decision.outcome == Outcome.ELIMINATED
    assert decision.history.count() == 1


def test_adding_a_participation_in_the_admin_records_who_and_the_models(client, superuser):
    stage = StageFactory(status=Stage.Status.SCORING)
    team = TeamFactory(program=stage.program)
    model = AIModelFactory(team=team)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:evaluations_participation_add"),
        {
            "stage": stage.pk,
            "team": team.pk,
            "ai_models": [model.pk],
            "ranked": "on",
            "note": "",
            "scores-TOTAL_FORMS": 0,
            "scores-INITIAL_FORMS": 0,
            "gate_results-TOTAL_FORMS": 0,
            "gate_results-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    participation = Participation.objects.get(stage=stage, team=team)
    assert list(participation.ai_models.all()) == [model]
    latest = participation.history.latest()
    assert latest.history_user == superuser
    assert [m.aimodel_id for m in latest.ai_models.all()] == [model.pk]


def test_a_participation_with_marks_cannot_be_deleted_in_the_admin(
    client, superuser, django_capture_on_commit_callbacks
):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(scenario, "alpha", **FIVE_TEAMS["alpha"])  # type: ignore[arg-type]
    client.force_login(superuser)
    alpha = scenario.participations["alpha"]
    url = reverse("admin:evaluations_participation_delete", args=[alpha.pk])
    # Refused before the service is reached (the computed standings rows cannot be deleted
    # here), or by the service (marks entered): either way the marks stay.
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code in (200, 403)
    assert Participation.objects.filter(pk=alpha.pk).exists()
    assert alpha.scores.count() == 11


def test_a_criterion_added_in_the_admin_to_a_planned_stage_records_who(client, superuser):
    stage = StageFactory(status=Stage.Status.PLANNED)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:programs_criterion_add"),
        {
            "stage": stage.pk,
            "code": "expert",
            "name_ko": "전문가",
            "name_en": "Expert",
            "max_points": "35",
            "aggregation": Criterion.Aggregation.MEAN,
            "order": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = Criterion.objects.get(stage=stage, code="expert")
    assert criterion.max_points == Decimal("35")
    assert criterion.history.get().history_user == superuser


def test_a_criterion_cannot_be_added_once_scoring_began(client, superuser):
    stage = StageFactory(status=Stage.Status.SCORING)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:programs_criterion_add"),
        {
            "stage": stage.pk,
            "code": "expert",
            "name_ko": "전문가",
            "name_en": "Expert",
            "max_points": "35",
            "aggregation": Criterion.Aggregation.MEAN,
            "order": 1,
        },
        follow=True,
    )
    assert "단계가 예정 상태일 때 정합니다" in response.content.decode()
    assert not Criterion.objects.filter(stage=stage).exists()


def test_deleting_a_gate_result_in_the_admin_is_recorded(client, superuser):
    result = GateResultFactory(participation__stage__status=Stage.Status.SCORING)
    client.force_login(superuser)
    url = reverse("admin:evaluations_gateresult_delete", args=[result.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not GateResult.objects.filter(pk=result.pk).exists()
    deleted = GateResult.history.filter(id=result.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", superuser)


@pytest.mark.parametrize(
    "route", ["programs_stage", "teams_team", "evaluations_decision", "evaluations_score"]
)
def test_each_object_shows_its_history_page(client, superuser, finalized, route):
    client.force_login(superuser)
    obj = {
        "programs_stage": finalized.stage,
        "teams_team": finalized.teams["epsilon"],
        "evaluations_decision": Decision.objects.get(
            participation=finalized.participations["epsilon"]
        ),
        "evaluations_score": finalized.participations["alpha"].scores.first(),
    }[route]
    response = client.get(reverse(f"admin:{route}_history", args=[obj.pk]))
    assert response.status_code == 200
    who = "clerk1" if route == "evaluations_score" else "admin1"
    assert who in response.content.decode()
