"""Signing in and out, the way back to the page asked for, password change, language switch."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.fixture
def clerk(staff_user):
    return staff_user("clerk", username="kim")


def sign_in(client: Client, username: str, password: str, next_url: str = "") -> object:
    return client.post(
        "/staff/sign-in/", {"username": username, "password": password, "next": next_url}
    )


def test_sign_in_page_is_korean_first(db):
    body = Client().get("/staff/sign-in/").content.decode()
    assert "평가 업무 로그인" in body
    assert 'lang="ko"' in body


def test_sign_in_page_in_english(db):
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/staff/sign-in/").content.decode()
    assert "Sign in to the evaluation office" in body


def test_anonymous_user_comes_back_to_the_page_asked_for(clerk):
    client = Client()
    first = client.get("/staff/roles/")
    assert first["Location"] == "/staff/sign-in/?next=/staff/roles/"
    response = sign_in(client, "kim", PASSWORD, "/staff/roles/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/roles/"
    assert client.get("/staff/roles/").status_code == 200


def test_sign_in_refuses_an_outside_next_address(clerk):
    response = sign_in(Client(), "kim", PASSWORD, "https://evil.example.org/")
    assert response["Location"] == "/staff/"


def test_wrong_password_shows_a_message_and_signs_nobody_in(clerk):
    client = Client()
    response = sign_in(client, "kim", "wrong")
    assert response.status_code == 200
    assert "올바른" in response.content.decode()  # Django's Korean "enter a correct username…"
    assert client.get("/staff/").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get("/staff/sign-out/").status_code == 405
    response = client.post("/staff/sign-out/")
    assert response["Location"] == "/staff/sign-in/"
    assert client.get("/staff/").status_code == 302


def test_sign_in_form_needs_the_csrf_token(clerk):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "kim", PASSWORD)
    assert response.status_code == 403


def test_password_change_keeps_the_person_signed_in(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.post(
        "/staff/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert response["Location"] == "/staff/password/done/"
    assert client.get("/staff/password/done/").status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password("a-new-long-passphrase-77")


def test_language_switch_turns_staff_screens_english_and_back(clerk):
    client = Client()
    client.force_login(clerk)
    assert "단계" in client.get("/staff/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/staff/"})
    assert response["Location"] == "/staff/"
    body = client.get("/staff/").content.decode()
    assert 'lang="en"' in body and "Stages" in body
    client.post("/i18n/setlang/", {"language": "ko", "next": "/staff/"})
    assert 'lang="ko"' in client.get("/staff/").content.decode()
