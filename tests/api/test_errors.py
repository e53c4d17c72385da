"""One error shape, from programs/errors.py, for every failure."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SHAPE = {"code", "field", "message", "params", "errors"}


def test_unknown_paths_answer_404_in_the_error_shape(db, client):
    for url in ("/api/v1/nothing/", "/api/v1/stages/999/", "/api/v1/publications/abc/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == SHAPE
        assert response.json()["code"] == "not_found"
        assert response.headers["Cache-Control"] == "no-store"


def test_writing_to_a_read_only_endpoint_is_405(db, client):
    response = client.post("/api/v1/programs/", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.json()["params"] == {"method": "POST"}


def test_a_bad_filter_is_400_naming_the_field(db, client):
    response = client.get("/api/v1/publications/?stage=first")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "stage"
    assert body["errors"][0]["field"] == "stage"


def test_an_unknown_format_is_404_in_json(db, client):
    response = client.get("/api/v1/programs/?format=pdf")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_messages_follow_the_requested_language(db, client):
    korean = client.get("/api/v1/nothing/").json()["message"]
    english = client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert english == "Not found."
    assert korean != english
