from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_over_the_rate_gets_429_with_retry_after(db, client, settings):
    # Throttling guards the application: a published answer kept by the published response
    # cache (config/published_cache.py) is served before it, as a CDN would (next test).
    settings.PUBLISHED_CACHE_ENABLED = False
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


def test_a_cached_published_answer_is_served_past_the_rate(db, client, settings):
    settings.API_ANON_RATE = "2/min"
    first = client.get("/api/v1/programs/", REMOTE_ADDR="203.0.113.9")
    assert first.status_code == 200
    for _ in range(5):
        again = client.get("/api/v1/programs/", REMOTE_ADDR="203.0.113.9")
        assert again.status_code == 200
        assert again["X-Cache"] == "hit"
    # What the cache does not hold still reaches the application and its throttle.
    statuses = [
        client.get(f"/api/v1/programs/?page={n}", REMOTE_ADDR="203.0.113.9").status_code
        for n in range(1, 4)
    ]
    assert 429 in statuses
