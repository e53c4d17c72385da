"""Who may open the staff frame's screens: anonymous people go to sign-in and come back,
accounts without the role get a 403 page naming the role, holders get the screen."""

from __future__ import annotations

import pytest

from tests.factories import StageFactory
from tests.staff.conftest import PEOPLE, assert_access

# path → the kinds of person who may open it
FRAME_URLS = {
    "/staff/": {"clerk", "verifier", "admin"},
    "/staff/roles/": {"clerk", "verifier", "admin"},
    "/staff/accounts/": {"admin"},
    "/staff/accounts/new/": {"admin"},
    "/staff/password/": {"norole", "clerk", "verifier", "admin"},
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("path", sorted(FRAME_URLS))
def test_frame_urls_answer_each_person(as_person, person, path):
    response = as_person(person).get(path)
    if person == "anonymous":
        assert_access(response, "sign_in", path)
    elif person in FRAME_URLS[path]:
        assert_access(response, "ok", path)
    else:
        assert_access(response, "forbidden", path)


@pytest.mark.parametrize("person", PEOPLE)
def test_stage_overview_answers_each_person(as_person, person):
    stage = StageFactory()
    path = f"/staff/stages/{stage.pk}/"
    response = as_person(person).get(path)
    expected = {"anonymous": "sign_in", "norole": "forbidden"}.get(person, "ok")
    assert_access(response, expected, path)


def test_forbidden_page_names_the_role_needed_in_korean(as_person):
    response = as_person("clerk").get("/staff/accounts/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "관리자" in body  # the administrator role, which the accounts screen needs
    assert "입력 담당" in body  # the role the clerk holds


def test_forbidden_page_names_the_role_needed_in_english(as_person):
    response = as_person("verifier", language="en").get("/staff/accounts/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "administrator" in body
    assert "verifier" in body


def test_account_without_role_is_told_it_has_none(as_person):
    response = as_person("norole", language="en").get("/staff/")
    assert response.status_code == 403
    assert "no staff role yet" in response.content.decode()


def test_unknown_stage_is_not_found(as_person):
    assert as_person("clerk").get("/staff/stages/999999/").status_code == 404


def test_home_shows_the_signed_in_role(as_person):
    response = as_person("verifier", language="en").get("/staff/")
    assert 'data-testid="roles"' in response.content.decode()
    assert "verifier" in response.content.decode()


@pytest.mark.parametrize("path", ["/staff/", "/staff/roles/"])
def test_post_to_a_read_only_screen_is_refused(as_person, path):
    assert as_person("admin").post(path).status_code == 405
