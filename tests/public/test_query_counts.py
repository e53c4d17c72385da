"""Every public page answers with the same number of queries whatever the size of the program:
a small synthetic program and one with twenty times the teams and models, more criteria,
evaluators and stages, each fully published through the services."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthetic import synthetic_program_build

pytestmark = pytest.mark.django_db

# Address → queries on a first (uncached) request. The same numbers for both sizes.
EXPECTED = {
    "/": 10,
    "/en/": 10,
    "/stages/stage-1/": 13,
    "/en/stages/stage-2/": 13,
    "/teams/team-0001/": 13,
    "/en/teams/team-0002/": 13,
    "/models/": 4,
    "/models/?sort=total&dir=desc&open_weights=yes": 4,
    "/models/synthetic-model-0001/": 6,
    "/announcements/": 4,
    "/announcements/feed/": 2,
    "/embed/stages/stage-1/": 6,
    "/sitemap.xml": 12,
}

SIZES = {
    "small": dict(teams=3, criteria=2, evaluators=2, stages=2),
    "large": dict(teams=60, criteria=8, evaluators=3, stages=3),
}


@pytest.mark.parametrize("size", SIZES)
def test_each_page_uses_a_fixed_number_of_queries(client, size, settings):
    # The views' own work: the published response cache in front of them is off here (its cost
    # is the next test's).
    settings.PUBLISHED_CACHE_ENABLED = False
    synthetic_program_build(seed=1, publish=True, **SIZES[size])
    counts = {}
    for path in EXPECTED:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = len(queries)
    assert counts == EXPECTED


def test_a_repeated_request_is_answered_by_the_published_cache(client, settings):
    """Looking the public version up costs two small queries; a web process remembers it for
    PUBLISHED_CACHE_VERSION_SECONDS, and then a repeated request costs none."""
    synthetic_program_build(seed=1, publish=True, **SIZES["small"])
    for path in EXPECTED:
        first = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path)
        assert again.status_code == 200
        assert again.content == first.content, path
        assert again["X-Cache"] == "hit", path
        assert len(queries) == 2, (path, [q["sql"] for q in queries])
        with CaptureQueriesContext(connection) as queries:
            conditional = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert conditional.status_code == 304, path
        assert len(queries) == 2, path
    settings.PUBLISHED_CACHE_VERSION_SECONDS = 60
    client.get("/")
    for path in EXPECTED:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path)["X-Cache"] == "hit"
        assert len(queries) == 0, path
