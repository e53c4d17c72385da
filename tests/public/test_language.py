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


def test_every_public_page_links_to_itself_in_the_other_language(client, record):
    korean = client.get("/stages/stage-1/").content.decode()
    english = client.get("/en/stages/stage-1/").content.decode()

    assert 'href="/en/stages/stage-1/" hreflang="en"' in korean
    assert 'href="/stages/stage-1/" hreflang="ko"' in english
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/en/stages/stage-1/">' in korean
    )
    assert (
        '<link rel="alternate" hreflang="ko" href="http://testserver/stages/stage-1/">' in english
    )


def test_the_language_links_keep_the_query_string(client, record):
    body = client.get("/models/?sort=total&dir=desc").content.decode()

    assert 'href="/en/models/?sort=total&amp;dir=desc"' in body


def test_a_next_address_on_another_site_is_not_followed(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]
