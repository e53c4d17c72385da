"""Repeated failed sign-ins are throttled (django-axes) with a message in Korean or English."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.fixture
def clerk(staff_user):
    return staff_user("clerk", username="lee")


def fail(client: Client, times: int) -> object:
    response = None
    for _ in range(times):
        response = client.post("/staff/sign-in/", {"username": "lee", "password": "nope"})
    return response


def test_after_the_failure_limit_even_the_right_password_is_refused(clerk, settings):
    client = Client()
    response = fail(client, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    body = response.content.decode()
    assert "너무 여러 번 실패" in body and "15분" in body
    right = client.post("/staff/sign-in/", {"username": "lee", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/staff/").status_code == 302  # still signed out


def test_lockout_message_in_english(clerk, settings):
    response = fail(Client(HTTP_ACCEPT_LANGUAGE="en"), settings.AXES_FAILURE_LIMIT)
    assert "Too many failed sign-ins" in response.content.decode()


def test_fewer_failures_than_the_limit_still_let_the_person_in(clerk, settings):
    client = Client()
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    right = client.post("/staff/sign-in/", {"username": "lee", "password": PASSWORD})
    assert right.status_code == 302


def test_lockout_of_one_username_leaves_another_alone(clerk, staff_user, settings):
    staff_user("verifier", username="park")
    client = Client()
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post("/staff/sign-in/", {"username": "park", "password": PASSWORD})
    assert response.status_code == 302


def test_admin_sign_in_is_throttled_too(clerk, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "lee", "password": "nope"})
    assert response.status_code == 429
