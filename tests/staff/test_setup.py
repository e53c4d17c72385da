"""Stage setup: an administrator enters the weights and the rule of a planned stage and opens it;
everyone else sees the setup."""

from __future__ import annotations

from decimal import Decimal

import pytest

from programs.models import Criterion, Stage
from tests.builders import build_stage
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
