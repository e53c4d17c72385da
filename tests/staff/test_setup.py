"""Stage setup: an administrator enters the weights and the rule of a planned stage and opens it;
everyone else sees the setup."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Participation
from programs.models import Criterion, Gate, Stage
from teams.models import Team
from tests.builders import build_stage
from tests.factories import (
    AIModelFactory,
    CriterionFactory,
    GateResultFactory,
    ScoreFactory,
    StageFactory,
    TeamFactory,
)
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    scenario = build_stage(teams=("alpha", "beta"), status=Stage.Status.PLANNED)
    Criterion.objects.filter(stage=scenario.stage, code="expert").update(max_points=None)
    return scenario


def path(scenario, rest=""):
    return f"/staff/stages/{scenario.stage.pk}/setup/{rest}"


@pytest.mark.parametrize("person", PEOPLE)
def test_setup_page_answers_each_person(as_person, planned, person):
    response = as_person(person).get(path(planned))
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(response, expected, path(planned))
    if person == "admin":
        assert 'data-testid="open-stage"' in response.content.decode()
    elif person in ("clerk", "verifier"):
        assert 'data-testid="open-stage"' not in response.content.decode()


@pytest.mark.parametrize("action", ["weights/", "rule/", "open/"], ids=["weights", "rule", "open"])
@pytest.mark.parametrize(
    ("person", "status"),
    [("anonymous", 302), ("norole", 403), ("clerk", 403), ("verifier", 403), ("admin", 302)],
)
def test_setup_changes_by_each_person(as_person, planned, action, person, status):
    response = as_person(person).post(path(planned, action), {})
    assert response.status_code == status


def test_admin_sets_a_weight_and_opens_the_stage(as_person, planned):
    client = as_person("admin")
    expert = planned.criteria["expert"]
    refused = client.post(path(planned, "open/"), follow=True)
    assert "만점" in refused.content.decode()  # expert has no maximum yet
    client.post(path(planned, "weights/"), {f"max:{expert.pk}": "35"})
    expert.refresh_from_db()
    assert expert.max_points == Decimal("35")
    response = client.post(path(planned, "open/"))
    assert response["Location"] == f"/staff/stages/{planned.stage.pk}/scores/"
    planned.stage.refresh_from_db()
    assert planned.stage.status == Stage.Status.SCORING


def test_weights_are_fixed_once_scoring_began(as_person):
    scenario = build_stage(teams=("alpha",))
    expert = scenario.criteria["expert"]
    response = as_person("admin").post(
        path(scenario, "weights/"), {f"max:{expert.pk}": "30"}, follow=True
    )
    expert.refresh_from_db()
    assert expert.max_points == Decimal("35")
    assert "고정" in response.content.decode()


def test_weights_are_saved_all_or_nothing(as_person, planned):
    """One maximum refused leaves every other one typed with it unsaved, and says why."""
    client = as_person("admin")
    expert, user = planned.criteria["expert"], planned.criteria["user"]
    before = Criterion.objects.get(pk=user.pk).max_points
    response = client.post(
        path(planned, "weights/"), {f"max:{expert.pk}": "35", f"max:{user.pk}": "-3"}, follow=True
    )
    expert.refresh_from_db()
    user.refresh_from_db()
    assert expert.max_points is None and user.max_points == before
    assert 'class="message message--error"' in response.content.decode()


def test_a_weight_of_another_stage_is_not_set_from_this_one(as_person, planned):
    other = StageFactory(
        program=planned.stage.program, order=9, slug="other", status=Stage.Status.PLANNED
    )
    criterion = CriterionFactory(stage=other, code="other", max_points=Decimal("10"))
    before = criterion.max_points
    as_person("admin").post(path(planned, "weights/"), {f"max:{criterion.pk}": "12"})
    criterion.refresh_from_db()
    assert criterion.max_points == before


def test_admin_sets_the_rule(as_person, planned):
    client = as_person("admin")
    client.post(path(planned, "rule/"), {"elimination_rule": "keep_top", "rule_count": "3"})
    planned.stage.refresh_from_db()
    assert (planned.stage.elimination_rule, planned.stage.rule_count) == ("keep_top", 3)
    response = client.post(
        path(planned, "rule/"), {"elimination_rule": "eliminate_lowest"}, follow=True
    )
    planned.stage.refresh_from_db()
    assert planned.stage.rule_count == 3  # refused: the rule needs a count
    assert "message--error" in response.content.decode()


def test_setup_in_english_and_korean(as_person, planned):
    assert (
        "Criteria and maximum points"
        in as_person("admin", language="en").get(path(planned)).content.decode()
    )
    assert "평가 항목과 만점" in as_person("admin").get(path(planned)).content.decode()


# --- Criteria, gates and teams taking part --------------------------------------------------


def field_block(html: str, name: str) -> str:
    """The form field's own block (label, input, its errors) on the rendered page."""
    start = html.index(f'name="{name}"')
    start = html.rindex('<div class="field">', 0, start)
    end = html.find('<div class="field">', start + 1)
    return html[start : end if end != -1 else len(html)]


NEW_CRITERION = {
    "new-code": "safety",
    "new-name_ko": "안전성",
    "new-name_en": "Safety",
    "new-aggregation": "sum",
    "new-max_points": "10",
    "new-order": "20",
}


def test_admin_adds_a_criterion_with_a_child_changes_it_and_removes_both(as_person, planned):
    client = as_person("admin")
    response = client.post(path(planned, "criteria/"), NEW_CRITERION, follow=True)
    assert "평가 항목을 추가했습니다" in response.content.decode()
    safety = Criterion.objects.get(stage=planned.stage, code="safety")
    client.post(
        path(planned, "criteria/"),
        {
            "new-code": "red-team",
            "new-name_ko": "레드팀",
            "new-name_en": "Red team",
            "new-parent": str(safety.pk),
            "new-aggregation": "mean",
            "new-max_points": "10",
            "new-is_individual": "on",
            "new-order": "1",
        },
    )
    child = Criterion.objects.get(stage=planned.stage, code="red-team")
    assert (child.parent_id, child.aggregation, child.is_individual) == (safety.pk, "mean", True)
    page = client.get(path(planned)).content.decode()
    assert "레드팀" in page and 'data-testid="remove-red-team"' in page

    edit = client.get(path(planned, f"criteria/{child.pk}/")).content.decode()
    assert 'value="레드팀"' in edit and 'value="10.0"' in edit
    client.post(
        path(planned, f"criteria/{child.pk}/"),
        {
            "code": "red-team",
            "name_ko": "레드팀 평가",
            "name_en": "Red teaming",
            "parent": "",
            "aggregation": "median",
            "max_points": "12.5",
            "order": "3",
        },
    )
    child.refresh_from_db()
    assert (child.name_ko, child.parent_id, child.aggregation) == ("레드팀 평가", None, "median")
    assert (child.max_points, child.is_individual) == (Decimal("12.5"), False)

    client.post(path(planned, f"criteria/{child.pk}/"), {**_as_edit(child), "parent": safety.pk})
    confirm = client.get(path(planned, f"criteria/{safety.pk}/remove/")).content.decode()
    assert "안전성" in confirm and "하위 항목 1개" in confirm
    assert Criterion.objects.filter(pk=safety.pk).exists()  # asking removes nothing
    response = client.post(path(planned, f"criteria/{safety.pk}/remove/"), follow=True)
    assert "평가 항목을 삭제했습니다" in response.content.decode()
    assert not Criterion.objects.filter(code__in=("safety", "red-team")).exists()


def _as_edit(criterion: Criterion) -> dict[str, str]:
    return {
        "code": criterion.code,
        "name_ko": criterion.name_ko,
        "name_en": criterion.name_en,
        "aggregation": criterion.aggregation,
        "max_points": str(criterion.max_points or ""),
        "order": str(criterion.order),
    }


def test_a_refused_criterion_shows_the_message_beside_its_field_and_saves_nothing(
    as_person, planned
):
    client = as_person("admin")
    response = client.post(path(planned, "criteria/"), {**NEW_CRITERION, "new-max_points": "0"})
    assert response.status_code == 400
    block = field_block(response.content.decode(), "new-max_points")
    assert "배점은 0보다 크고" in block
    assert not Criterion.objects.filter(code="safety").exists()

    taken = client.post(path(planned, "criteria/"), {**NEW_CRITERION, "new-code": "nia"})
    assert "“nia”인 평가 항목이 이미 있습니다" in field_block(taken.content.decode(), "new-code")

    expert = planned.criteria["expert"]
    edit = client.post(
        path(planned, f"criteria/{expert.pk}/"), {**_as_edit(expert), "max_points": "abc"}
    )
    assert edit.status_code == 400
    assert "배점은 0보다 크고" in field_block(edit.content.decode(), "max_points")


def test_the_structure_is_fixed_once_scoring_began(as_person):
    scenario = build_stage(teams=("alpha",))
    client = as_person("admin")
    page = client.get(path(scenario)).content.decode()
    assert 'data-testid="criterion-add"' not in page and "remove-expert" not in page
    response = client.post(path(scenario, f"criteria/{scenario.criteria['expert'].pk}/remove/"))
    assert response.status_code == 400
    assert "예정 상태일 때 정합니다" in response.content.decode()
    assert Criterion.objects.filter(pk=scenario.criteria["expert"].pk).exists()
    refused = client.post(path(scenario, "criteria/"), NEW_CRITERION)
    assert "예정 상태일 때 정합니다" in refused.content.decode()
    assert not Criterion.objects.filter(code="safety").exists()


def test_a_criterion_with_marks_is_not_removed(as_person, planned):
    nia = planned.criteria["nia"]
    ScoreFactory(participation=planned.participations["alpha"], criterion=nia, value=5)
    benchmark = planned.criteria["benchmark"]
    response = as_person("admin").post(path(planned, f"criteria/{benchmark.pk}/remove/"))
    assert response.status_code == 400
    assert "입력된 점수가 있습니다" in response.content.decode()
    assert Criterion.objects.filter(pk__in=(benchmark.pk, nia.pk)).count() == 2


def test_admin_adds_changes_and_removes_a_gate(as_person, planned):
    client = as_person("admin")
    new_gate = {"gate-code": "license", "gate-name_ko": "라이선스", "gate-name_en": "Licence"}
    response = client.post(path(planned, "gates/"), new_gate, follow=True)
    assert "라이선스" in response.content.decode()
    gate = Gate.objects.get(stage=planned.stage, code="license")
    twice = client.post(path(planned, "gates/"), new_gate)
    assert twice.status_code == 400
    assert "“license”인 통과 요건이 이미 있습니다" in field_block(
        twice.content.decode(), "gate-code"
    )
    assert Gate.objects.filter(stage=planned.stage, code="license").count() == 1

    client.post(
        path(planned, f"gates/{gate.pk}/"),
        {"code": "license", "name_ko": "오픈소스 라이선스", "name_en": "Open licence"},
    )
    gate.refresh_from_db()
    assert gate.name_ko == "오픈소스 라이선스"

    assert (
        "오픈소스 라이선스"
        in client.get(path(planned, f"gates/{gate.pk}/remove/")).content.decode()
    )
    client.post(path(planned, f"gates/{gate.pk}/remove/"))
    assert not Gate.objects.filter(pk=gate.pk).exists()


def test_a_gate_with_results_is_not_removed(as_person, planned):
    GateResultFactory(participation=planned.participations["alpha"], gate=planned.gate)
    response = as_person("admin").post(path(planned, f"gates/{planned.gate.pk}/remove/"))
    assert "기록된 판정이 있습니다" in response.content.decode()
    assert Gate.objects.filter(pk=planned.gate.pk).exists()


def test_admin_takes_a_team_out_and_back_in(as_person, planned):
    client = as_person("admin")
    beta = planned.participations["beta"]
    assert "beta" in client.get(path(planned, f"teams/{beta.pk}/remove/")).content.decode()
    client.post(path(planned, f"teams/{beta.pk}/remove/"))
    assert not Participation.objects.filter(pk=beta.pk).exists()

    Criterion.objects.filter(pk=planned.criteria["individual"].pk).update(is_individual=True)
    page = client.get(path(planned)).content.decode()
    assert 'data-testid="team-add"' in page
    client.post(
        path(planned, "teams/"),
        {
            "join-team": planned.teams["beta"].pk,
            "join-individual_criteria": [planned.criteria["individual"].pk],
        },
    )
    again = Participation.objects.get(stage=planned.stage, team=planned.teams["beta"])
    assert list(again.individual_criteria.values_list("code", flat=True)) == ["individual"]


def test_a_team_with_marks_is_not_taken_out(as_person, planned):
    alpha = planned.participations["alpha"]
    ScoreFactory(participation=alpha, criterion=planned.criteria["nia"], value=5)
    response = as_person("admin").post(path(planned, f"teams/{alpha.pk}/remove/"))
    assert response.status_code == 400
    assert "입력된 점수나 통과 요건 판정이 있습니다" in response.content.decode()
    assert Participation.objects.filter(pk=alpha.pk).exists()


def test_a_team_of_another_program_cannot_be_added(as_person, planned):
    outsider = TeamFactory()
    response = as_person("admin").post(path(planned, "teams/"), {"join-team": outsider.pk})
    assert response.status_code == 400
    assert not Participation.objects.filter(team=outsider).exists()


@pytest.mark.parametrize(
    "action",
    [
        "criteria/",
        "criteria/{c}/",
        "criteria/{c}/remove/",
        "gates/",
        "gates/{g}/",
        "gates/{g}/remove/",
        "teams/",
        "teams/{p}/",
        "teams/{p}/remove/",
    ],
)
@pytest.mark.parametrize(
    ("person", "status"),
    [("anonymous", 302), ("norole", 403), ("clerk", 403), ("verifier", 403)],
)
def test_only_an_administrator_changes_the_setup(as_person, planned, action, person, status):
    rest = action.format(
        c=planned.criteria["nia"].pk, g=planned.gate.pk, p=planned.participations["alpha"].pk
    )
    response = as_person(person).post(path(planned, rest), {})
    assert response.status_code == status
    assert Criterion.objects.filter(pk=planned.criteria["nia"].pk).exists()
    assert Gate.objects.filter(pk=planned.gate.pk).exists()
    assert Participation.objects.filter(pk=planned.participations["alpha"].pk).exists()


def test_another_stages_criterion_is_not_found(as_person, planned):
    next_criterion = CriterionFactory(stage=Stage.objects.get(slug="stage-2"), code="x")
    response = as_person("admin").get(path(planned, f"criteria/{next_criterion.pk}/remove/"))
    assert response.status_code == 404


def test_admin_changes_a_teams_models_own_criteria_ranked_and_note(as_person, planned):
    client = as_person("admin")
    alpha = planned.participations["alpha"]
    first = AIModelFactory(team=planned.teams["alpha"], name="Alpha-1")
    second = AIModelFactory(team=planned.teams["alpha"], name="Alpha-2")
    AIModelFactory(team=planned.teams["beta"], name="Beta-1")
    alpha.ai_models.set([first])
    own = planned.criteria["individual"]
    Criterion.objects.filter(pk=own.pk).update(is_individual=True)

    setup_page = client.get(path(planned)).content.decode()
    assert f"teams/{alpha.pk}/" in setup_page
    page = client.get(path(planned, f"teams/{alpha.pk}/")).content.decode()
    assert "Alpha-2" in page and "Beta-1" not in page  # only the team's own models
    assert "checked" in field_block(page, "ai_models")

    response = client.post(
        path(planned, f"teams/{alpha.pk}/"),
        {
            "ai_models": [second.pk],
            "individual_criteria": [own.pk],
            "ranked": "on",
            "note": "  늦게 합류  ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == path(planned)
    alpha.refresh_from_db()
    assert list(alpha.ai_models.all()) == [second]
    assert list(alpha.individual_criteria.values_list("code", flat=True)) == ["individual"]
    assert alpha.note == "늦게 합류"
    shown = client.get(path(planned)).content.decode()
    assert "팀 정보를 저장했습니다" in shown and "늦게 합류" in shown and "Alpha-2" in shown


def test_a_refused_team_change_shows_beside_its_field_and_saves_nothing(as_person, planned):
    alpha = planned.participations["alpha"]
    AIModelFactory(team=planned.teams["alpha"], name="Alpha-1")
    foreign = AIModelFactory(team=planned.teams["beta"], name="Beta-1")
    response = as_person("admin").post(
        path(planned, f"teams/{alpha.pk}/"),
        {"ai_models": [foreign.pk], "ranked": "on", "note": "바뀌면 안 됨"},
    )
    assert response.status_code == 400
    assert "제출 모델로 지정할 수 있습니다" in field_block(response.content.decode(), "ai_models")
    alpha.refresh_from_db()
    assert alpha.note == ""  # the note was valid, but nothing of a refused change is saved
    assert not alpha.ai_models.exists()

    # A planned stage has no team that joined after scoring began.
    unranked = as_person("admin").post(path(planned, f"teams/{alpha.pk}/"), {"note": "x"})
    assert unranked.status_code == 400
    assert "순위를 제외할 수 없습니다" in field_block(unranked.content.decode(), "ranked")
    alpha.refresh_from_db()
    assert (alpha.ranked, alpha.note) == (True, "")


def test_a_team_that_joined_during_scoring_is_set_unranked(as_person):
    # The setup screen offers the page only while planned; the service also allows it in scoring.
    scenario = build_stage(teams=("alpha",), status=Stage.Status.SCORING)
    alpha = scenario.participations["alpha"]
    later = Stage.objects.get(slug="stage-2")  # joined through a call after stage 1 began
    Team.objects.filter(pk=alpha.team_id).update(joined_stage=later)
    response = as_person("admin").post(path(scenario, f"teams/{alpha.pk}/"), {"note": "늦게 합류"})
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.ranked, alpha.note) == (False, "늦게 합류")


def test_a_team_of_a_stage_in_review_is_not_changed_and_the_page_says_why(as_person):
    scenario = build_stage(teams=("alpha",), status=Stage.Status.REVIEW)
    alpha = scenario.participations["alpha"]
    client = as_person("admin")
    assert f"teams/{alpha.pk}/" not in client.get(path(scenario)).content.decode()
    response = client.post(path(scenario, f"teams/{alpha.pk}/"), {"note": "x"})
    assert response.status_code == 400
    assert "참가 팀은 단계가 예정 또는 채점 중일 때 관리합니다" in response.content.decode()
    alpha.refresh_from_db()
    assert alpha.note == ""


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("criterion", "이 평가 항목은 이미 삭제되었습니다"),
        ("gate", "이 통과 요건은 이미 삭제되었습니다"),
        ("team", "이 팀은 이미 이 단계에서 빠졌습니다"),
    ],
)
def test_a_removal_posted_twice_says_it_was_already_removed(as_person, planned, kind, message):
    rest = {
        "criterion": f"criteria/{planned.criteria['common'].pk}/remove/",
        "gate": f"gates/{planned.gate.pk}/remove/",
        "team": f"teams/{planned.participations['beta'].pk}/remove/",
    }[kind]
    client = as_person("admin")
    assert client.post(path(planned, rest)).status_code == 302
    again = client.post(path(planned, rest), follow=True)
    assert again.status_code == 200
    assert again.redirect_chain == [(path(planned), 302)]
    assert message in again.content.decode()
