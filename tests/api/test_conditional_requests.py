"""Polling at scale: ETag / Last-Modified, 304 without building the body, cache headers, CORS,
and a cached body that changes the moment a publication does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.services.publication import decision_change, publication_correct
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def test_a_conditional_request_answers_304_with_two_small_queries(published, client):
    url = f"/api/v1/stages/{published.stage.pk}/standings/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert "s-maxage=" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    assert len(queries) <= 2  # the two versions; nothing of the body


def test_if_modified_since_answers_304(published, client):
    first = client.get("/api/v1/teams/")
    again = client.get("/api/v1/teams/", HTTP_IF_MODIFIED_SINCE=first.headers["Last-Modified"])
    assert again.status_code == 304


def test_the_body_is_served_from_the_cache_until_something_is_published(
    published, client, django_capture_on_commit_callbacks
):
    url = f"/api/v1/stages/{published.stage.pk}/standings/"
    first = client.get(url)
    assert first.headers["X-Cache"] == "miss"
    cached = client.get(url)
    assert cached.headers["X-Cache"] == "hit"
    assert cached.content == first.content
    assert cached.headers["ETag"] == first.headers["ETag"]

    admin = published.users["admin"]
    gamma = published.participations["gamma"]
    decision_change(
        participation_id=gamma.pk,
        user=admin,
        outcome="eliminated",
        reason_ko="재심 결과",
        reason_en="Upheld on appeal",
    )
    # A decision changed but not yet published: the public answer stays the same.
    assert client.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        publication_correct(stage_id=published.stage.pk, user=admin, note_en="Appeal upheld")
    after = client.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert after.status_code == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    body = after.json()
    assert body["sequence"] == 2 and body["is_correction"] is True
    assert next(r for r in body["rows"] if r["team"] == "gamma")["outcome"] == "eliminated"


def test_editing_public_reference_data_changes_the_etag(db, client):
    model = AIModelFactory(name="Before")
    first = client.get(f"/api/v1/models/{model.slug}/")
    model.name = "After"
    model.save()
    second = client.get(f"/api/v1/models/{model.slug}/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert second.status_code == 200
    assert second.json()["name"] == "After"


def test_public_gets_are_open_to_any_origin(db, client):
    response = client.get("/api/v1/programs/", HTTP_ORIGIN="https://newsroom.example")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
