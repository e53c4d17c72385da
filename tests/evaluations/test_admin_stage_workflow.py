"""Staff move a stage through its life with admin actions; the guards of the services hold."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from evaluations.models import Decision, Publication, StandingsSnapshot
from programs.models import Gate, Stage
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:programs_stage_changelist"


def act(client, action: str, stage: Stage):
    response = client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [stage.pk]}, follow=True
    )
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def admin_client(client):
    scenario = build_stage(status=Stage.Status.PLANNED, participations=False)
    client.force_login(scenario.users["admin"])
    client.scenario = scenario
    return client


def test_an_administrator_runs_the_whole_life_of_a_stage_from_the_stage_list(
    admin_client, django_capture_on_commit_callbacks
):
    scenario = admin_client.scenario
    stage = scenario.stage
    with django_capture_on_commit_callbacks(execute=True):
        opened = act(admin_client, "open_for_scoring", stage)
        assert opened == ["1차 단계평가: 채점을 시작했습니다."]
        assert stage.participations.count() == 5
        scenario.participations = {p.team.slug: p for p in stage.participations.all()}

        messages = act(admin_client, "send_to_review", stage)
        assert messages[0].startswith("1차 단계평가: 채점이 완료되지 않았습니다: ")
        stage.refresh_from_db()
        assert stage.status == Stage.Status.SCORING

        enter_five_teams(scenario)
        confirm_all(scenario)
        reviewed = act(admin_client, "send_to_review", stage)
        assert reviewed == ["1차 단계평가: 검토 단계로 넘겼습니다."]
        assert act(admin_client, "finalize_as_proposed", stage) == [
            "1차 단계평가: 확정하고 결정을 기록했습니다."
        ]
        assert Decision.objects.filter(participation__stage=stage).count() == 5
        assert act(admin_client, "publish_now", stage) == ["1차 단계평가: 발표했습니다."]
    stage.refresh_from_db()
    assert stage.status == Stage.Status.PUBLISHED
    assert Publication.objects.filter(stage=stage).count() == 1


def test_a_clerk_cannot_run_the_workflow(client):
    scenario = build_stage(status=Stage.Status.PLANNED, participations=False)
    # Even with the model permission to change stages, the workflow is an administrator's.
    scenario.users["clerk"].user_permissions.add(
        *Permission.objects.filter(codename__in=["view_stage", "change_stage"])
    )
    client.force_login(scenario.users["clerk"])
    messages = act(client, "open_for_scoring", scenario.stage)
    assert messages == ["1차 단계평가: 단계의 상태는 관리자만 변경할 수 있습니다."]
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.PLANNED


def test_the_status_cannot_be_typed_into_the_stage_form(admin_client):
    stage = admin_client.scenario.stage
    response = admin_client.get(reverse("admin:programs_stage_change", args=[stage.pk]))
    assert response.context["adminform"].form.fields["status"].disabled


def test_editing_a_gate_in_the_admin_recomputes_the_standings(
    client, django_capture_on_commit_callbacks
):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
    client.force_login(scenario.users["admin"])
    scenario.stage.refresh_from_db()
    before = scenario.stage.standings_inputs_version
    gate = Gate.objects.get(stage=scenario.stage)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:programs_gate_change", args=[gate.pk]),
            {
                "stage": scenario.stage.pk,
                "code": "independence",
                "name_ko": "독자성",
                "name_en": "Independence (technical)",
                "description_ko": "",
                "description_en": "",
            },
        )
    assert response.status_code == 302
    scenario.stage.refresh_from_db()
    assert scenario.stage.standings_inputs_version == before + 1
    current = StandingsSnapshot.objects.get(stage=scenario.stage, is_current=True)
    assert current.inputs_version == scenario.stage.standings_inputs_version
