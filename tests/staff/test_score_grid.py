"""The score grid: who may open and save, each cell read as typed or refused, not disclosed as
an explicit choice, computed parents and totals, and the standings panel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Score
from programs.models import Stage
from tests.builders import build_stage, enter_team
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def cell_post(client, scenario, team, code, value, evaluator="", version=""):
    return client.post(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {
            "participation": scenario.participations[team].pk,
            "criterion": scenario.criteria[code].pk,
            "evaluator": evaluator,
            "version": version,
            "value": value,
        },
    )


@pytest.mark.parametrize("person", PEOPLE)
def test_grid_page_answers_each_person(as_person, scenario, person):
    path = f"/staff/stages/{scenario.stage.pk}/scores/"
    response = as_person(person).get(path)
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(response, expected, path)
    if person in ("clerk", "admin"):
        assert 'class="cell__input"' in response.content.decode()
    if person == "verifier":
        assert 'class="cell__input"' not in response.content.decode()


@pytest.mark.parametrize("person", PEOPLE)
def test_standings_panel_answers_each_person(as_person, scenario, person):
    path = f"/staff/stages/{scenario.stage.pk}/standings/"
    response = as_person(person).get(path)
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(response, expected, path)


@pytest.mark.parametrize(
    ("person", "status"),
    [("clerk", 200), ("admin", 200), ("verifier", 403), ("norole", 403), ("anonymous", 302)],
)
def test_saving_a_cell_by_each_person(as_person, scenario, person, status):
    response = cell_post(as_person(person), scenario, "alpha", "nia", "8.5")
    assert response.status_code == status
    saved = Score.objects.filter(participation=scenario.participations["alpha"]).exists()
    assert saved == (status == 200)


@pytest.mark.parametrize(
    ("person", "status"),
    [("clerk", 302), ("admin", 302), ("verifier", 403), ("norole", 403), ("anonymous", 302)],
)
def test_saving_a_row_by_each_person(as_person, scenario, person, status):
    nia = scenario.criteria["nia"].pk
    response = as_person(person).post(
        f"/staff/stages/{scenario.stage.pk}/scores/row/{scenario.participations['alpha'].pk}/",
        {f"m:{nia}:": "8.5", f"v:{nia}:": ""},
    )
    assert response.status_code == status
    saved = Score.objects.filter(participation=scenario.participations["alpha"]).exists()
    assert saved == (person in ("clerk", "admin"))


def test_cell_reads_full_width_digits_and_a_decimal_comma(as_person, scenario):
    response = cell_post(as_person("clerk"), scenario, "alpha", "common", "１７，５")
    assert response.status_code == 200
    score = Score.objects.get(criterion=scenario.criteria["common"])
    assert score.value == Decimal("17.5")
    assert "standings-changed" in response["HX-Trigger"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12,125", "천 단위"),
        ("25", "초과"),
        ("8.1234", "자리까지만"),
        ("abc", "숫자가 아닙니다"),
    ],
)
def test_cell_refuses_what_it_cannot_read_with_a_korean_message(
    as_person, scenario, typed, message
):
    response = cell_post(as_person("clerk"), scenario, "alpha", "common", typed)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body  # what was typed stays in the cell to be fixed
    assert not Score.objects.exists()


def test_cell_refusal_in_english(as_person, scenario):
    response = cell_post(as_person("clerk", language="en"), scenario, "alpha", "common", "25")
    assert "above the maximum of 20.0 points" in response.content.decode()


def test_not_disclosed_is_saved_as_an_explicit_choice(as_person, scenario):
    response = cell_post(as_person("clerk"), scenario, "alpha", "nia", "비공개")
    assert response.status_code == 200
    score = Score.objects.get()
    assert score.value is None
    assert "cell--nd" in response.content.decode()


def test_an_empty_cell_saves_nothing(as_person, scenario):
    response = cell_post(as_person("clerk"), scenario, "alpha", "nia", "")
    assert response.status_code == 200
    assert not Score.objects.exists()


def test_emptying_a_saved_mark_is_refused(as_person, scenario):
    client = as_person("clerk")
    cell_post(client, scenario, "alpha", "nia", "8")
    response = cell_post(client, scenario, "alpha", "nia", "", version="1")
    assert response.status_code == 422
    assert Score.objects.get().value == Decimal("8")


def test_evaluator_marks_and_their_computed_points(as_person, scenario):
    client = as_person("clerk")
    for evaluator, mark in (("E01", "20"), ("E02", "21")):
        response = cell_post(client, scenario, "alpha", "user", mark, evaluator=evaluator)
        assert response.status_code == 200
    body = response.content.decode()
    # The criterion's points as the standings core computes them (the mean), swapped in place.
    pid = scenario.participations["alpha"].pk
    assert f'id="calc-{pid}-c-user" class="calc" hx-swap-oob="true"' in body
    assert ">20.5</td>" in body


def test_grid_shows_parents_and_totals_as_the_core_computes_them(as_person, scenario):
    enter_team(
        scenario,
        "alpha",
        nia="8.5",
        common="17",
        individual="9",
        expert=("30", "31", "29"),
        user=("20", "21", "22"),
    )
    body = as_person("clerk").get(f"/staff/stages/{scenario.stage.pk}/scores/").content.decode()
    pid = scenario.participations["alpha"].pk
    assert f'id="calc-{pid}-c-benchmark" class="calc"' in body
    assert f'data-testid="calc-{pid}-c-benchmark">34.5</td>' in body
    assert f'data-testid="calc-{pid}-total">85.5</td>' in body


def test_cells_are_read_only_once_the_stage_left_scoring(as_person, scenario):
    Stage.objects.filter(pk=scenario.stage.pk).update(status=Stage.Status.REVIEW)
    client = as_person("clerk")
    body = client.get(f"/staff/stages/{scenario.stage.pk}/scores/").content.decode()
    assert 'class="cell__input"' not in body
    assert cell_post(client, scenario, "alpha", "nia", "8").status_code == 403


def test_cell_of_another_stage_is_not_found(as_person, scenario):
    response = as_person("clerk").post(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {"participation": 999999, "criterion": scenario.criteria["nia"].pk, "value": "1"},
    )
    assert response.status_code == 404


def test_grid_in_english(as_person, scenario):
    body = (
        as_person("clerk", language="en")
        .get(f"/staff/stages/{scenario.stage.pk}/scores/")
        .content.decode()
    )
    assert "Computed standings" in body and "Save row" in body


def test_grid_in_korean(as_person, scenario):
    body = as_person("clerk").get(f"/staff/stages/{scenario.stage.pk}/scores/").content.decode()
    assert "계산된 순위" in body and "행 저장" in body


def test_row_save_is_all_or_nothing(as_person, scenario):
    nia, common = scenario.criteria["nia"].pk, scenario.criteria["common"].pk
    client = as_person("clerk")
    url = f"/staff/stages/{scenario.stage.pk}/scores/row/{scenario.participations['alpha'].pk}/"
    response = client.post(url, {f"m:{nia}:": "8", f"m:{common}:": "99"}, follow=True)
    assert not Score.objects.exists()
    assert "초과" in response.content.decode()
    client.post(url, {f"m:{nia}:": "8", f"m:{common}:": "１７，５"})
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal(8), Decimal("17.5")]


def test_standings_panel_says_updating_while_the_snapshot_is_behind(
    as_person, scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(
            scenario,
            "alpha",
            nia="8.5",
            common="17",
            individual="9",
            expert=("30", "31", "29"),
            user=("20", "21", "22"),
        )
    client = as_person("clerk")
    path = f"/staff/stages/{scenario.stage.pk}/standings/"
    body = client.get(path).content.decode()
    assert 'data-testid="updating"' not in body  # eager tasks: already recomputed
    assert 'data-testid="snapshot-time"' in body
    Stage.objects.filter(pk=scenario.stage.pk).update(
        standings_inputs_version=scenario.stage.standings_inputs_version + 100
    )
    body = client.get(path).content.decode()
    assert 'data-testid="updating"' in body
    assert "every 1s" in body  # it keeps polling until the snapshot catches up
