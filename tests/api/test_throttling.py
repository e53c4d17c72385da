from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_over_the_rate_gets_429_with_retry_after(db, client, settings):
    settings.API_ANON_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/programs/", REMOTE_ADDR="203.0.113.7").status_code == 200
    throttled = client.get("/api/v1/programs/", REMOTE_ADDR="203.0.113.7")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    body = throttled.json()
    assert body["code"] == "throttled"
    assert body["params"]["wait"] == int(throttled.headers["Retry-After"])
    # Another client is not affected.
    assert client.get("/api/v1/programs/", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_staff_tokens_are_not_throttled(db, settings, token_client, staff_user):
    settings.API_ANON_RATE = "1/min"
    api = token_client(staff_user("clerk"))
    for _ in range(3):
        assert api.get("/api/v1/programs/").status_code == 200
