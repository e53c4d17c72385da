"""Staff screens: a client signed in as each kind of person.

`as_person("clerk")` returns a Django test client signed in as a clerk; the kinds are
"anonymous", "norole" (an active account with no staff role), "clerk", "verifier" and "admin".
Use `PEOPLE` to parametrize a test over all five.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory

PEOPLE = ("anonymous", "norole", "clerk", "verifier", "admin")


@pytest.fixture
def as_person(db: None, staff_user: Callable[..., Any]) -> Callable[..., Client]:
    def make(kind: str, *, language: str = "ko", username: str | None = None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if kind == "anonymous":
            return client
        if kind == "norole":
            user = UserFactory(username=username or "norole-user", is_staff=True)
        else:
            user = staff_user(kind, username=username or f"{kind}-user")
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


def assert_access(response: Any, expected: str, path: str) -> None:
    """`expected` is "ok", "forbidden" or "sign_in" (redirected to the sign-in page and back)."""
    if expected == "ok":
        assert response.status_code == 200, response.status_code
    elif expected == "forbidden":
        assert response.status_code == 403
        assert "이 화면" in response.content.decode() or "role" in response.content.decode()
    elif expected == "sign_in":
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/?next=")
        assert path.split("?")[0] in response["Location"].replace("%2F", "/")
    else:
        raise AssertionError(expected)
