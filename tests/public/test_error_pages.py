"""Friendly 404 and 500 pages in both languages, revealing nothing about what was asked for."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_a_missing_page_is_friendly_in_korean(client, record, production):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert "페이지를 찾을 수 없습니다" in body
    assert 'href="/"' in body


def test_a_missing_page_is_friendly_in_english(client, record, production):
    response = client.get("/en/teams/a-team-that-is-not-public/")

    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Page not found" in body
    assert 'rel="canonical"' not in body
    assert '<meta name="robots" content="noindex">' in body


def test_a_server_error_is_friendly_and_needs_no_database(record, production, monkeypatch):
    from public.views import pages

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pages, "program_for_home", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/en/stages/stage-1/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "database went away" not in body
