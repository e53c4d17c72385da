from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_choosing_english_sets_the_cookie_and_returns_to_the_same_page_in_english(client):
    ProgramFactory()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(response["Location"]).content.decode()


def test_the_home_page_offers_both_languages(client):
    body = client.get("/").content.decode()

    assert 'action="/i18n/setlang/"' in body
    assert 'value="ko"' in body
    assert 'value="en"' in body


def test_a_next_address_on_another_site_is_not_followed(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]
