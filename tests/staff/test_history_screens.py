"""History screens: per stage and per entry, who changed what, when, from what to what, why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.services.scores import score_save
from tests.builders import build_stage
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    scenario = build_stage(teams=("alpha", "beta"))
    first = score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9.5",
        user=scenario.users["clerk"],
    )
    score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="8.25",
        user=scenario.users["clerk2"],
        expected_version=first.version,
    )
    scenario.score = first
    return scenario


def signed_in(scenario, who="verifier", language="ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(scenario.users[who])
    return client


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", ["stage_history", "entry_history"])
def test_every_staff_role_may_read_the_history(scenario, as_person, person, name):
    kwargs = {"stage_id": scenario.stage.pk}
    if name == "entry_history":
        kwargs.update(kind="score", entry_id=scenario.score.pk)
    url = reverse(f"staff:{name}", kwargs=kwargs)
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(as_person(person).get(url), expected, url)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ko", ["단계 이력", "이전 값", "바뀐 값"]),
        ("en", ["History of the stage", "Before", "After"]),
    ],
)
def test_the_stage_history_shows_who_changed_what_from_what_to_what(scenario, language, words):
    url = reverse("staff:stage_history", kwargs={"stage_id": scenario.stage.pk})
    page = signed_in(scenario, language=language).get(url).content.decode()
    for word in words:
        assert word in page
    assert "clerk2" in page and "9.5" in page and "8.25" in page


def test_one_entry_history_lists_only_that_score(scenario):
    url = reverse(
        "staff:entry_history",
        kwargs={"stage_id": scenario.stage.pk, "kind": "score", "entry_id": scenario.score.pk},
    )
    page = signed_in(scenario, language="en").get(url).content.decode()
    assert page.count('data-kind="score"') >= 2
    assert 'data-kind="stage"' not in page


def test_an_entry_of_another_stage_or_kind_is_not_found(scenario):
    client = signed_in(scenario)
    other = reverse(
        "staff:entry_history",
        kwargs={"stage_id": scenario.next_stage.pk, "kind": "score", "entry_id": scenario.score.pk},
    )
    assert client.get(other).status_code == 404
    wrong = reverse(
        "staff:entry_history",
        kwargs={"stage_id": scenario.stage.pk, "kind": "team", "entry_id": scenario.score.pk},
    )
    assert client.get(wrong).status_code == 404
