"""The published response cache (config/published_cache.py): what a visitor or a newsroom gets
from it, and what it must never do (serve a signed-in person's page, keep a cookie, show a
publication late once the version is looked up again, or answer for the staff side)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from config.published_cache import Entry, _LocalTable, published_cache_clear
from evaluations.services.publication import stage_publish
from tests.api.conftest import run_to_finalized
from tests.builders import build_stage

pytestmark = pytest.mark.django_db


def test_a_repeated_anonymous_read_is_the_same_answer_from_the_cache(client: Client) -> None:
    build_stage()
    for path in ("/", "/en/stages/stage-1/", "/api/v1/stages/", "/embed/stages/stage-1/"):
        first = client.get(path)
        again = client.get(path)
        assert first.status_code == again.status_code == 200, path
        assert first.get("X-Cache") != "hit" and again["X-Cache"] == "hit", path
        assert again.content == first.content, path
        for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
            assert again[header] == first[header], (path, header)
        # The security headers a page left the views with come back with it.
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"], path
        assert again.get("X-Frame-Options") == first.get("X-Frame-Options"), path
        head = client.head(path)
        assert head.status_code == 200 and head["ETag"] == first["ETag"], path
        conditional = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert conditional.status_code == 304 and conditional["ETag"] == first["ETag"], path
    # The embed view may be framed elsewhere; every other page may not, cached or not.
    assert "frame-ancestors *" in client.get("/embed/stages/stage-1/")["Content-Security-Policy"]
    assert client.get("/")["X-Frame-Options"] == "DENY"


def test_a_head_request_first_never_leaves_an_empty_answer_for_gets(client: Client) -> None:
    build_stage()
    client.head("/stages/stage-1/")
    first = client.get("/stages/stage-1/")
    assert first.get("X-Cache") != "hit" and b"</html>" in first.content
    again = client.get("/stages/stage-1/")
    assert again["X-Cache"] == "hit" and again.content == first.content


def test_a_cached_api_answer_still_gets_cors_headers_for_its_own_origin(client: Client) -> None:
    build_stage()
    client.get("/api/v1/stages/")
    answer = client.get("/api/v1/stages/", HTTP_ORIGIN="https://newsroom.example")
    assert answer["X-Cache"] == "hit"
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/stages/")


def test_the_api_negotiates_per_accept_header(client: Client) -> None:
    build_stage()
    as_json = client.get("/api/v1/stages/", HTTP_ACCEPT="application/json")
    client.get("/api/v1/stages/", HTTP_ACCEPT="application/json")
    # Cached JSON is not what a client that accepts only HTML gets: the API refuses it.
    as_html = client.get("/api/v1/stages/", HTTP_ACCEPT="text/html")
    assert as_json.status_code == 200 and as_json["Content-Type"].startswith("application/json")
    assert as_html.status_code == 406 and as_html.get("X-Cache") != "hit"


def test_signed_in_people_and_the_staff_side_are_never_answered_from_it(
    client: Client, staff_user: Any
) -> None:
    build_stage()
    client.get("/")
    assert client.get("/")["X-Cache"] == "hit"
    client.force_login(staff_user("clerk"))
    assert client.get("/").get("X-Cache") != "hit"
    assert client.get("/staff/").get("X-Cache") != "hit"
    anonymous = Client()
    anonymous.get("/staff/")
    assert anonymous.get("/staff/").get("X-Cache") != "hit"  # a redirect to sign-in, each time
    with_token = anonymous.get("/api/v1/stages/", HTTP_AUTHORIZATION="Token nonsense")
    assert with_token.get("X-Cache") != "hit"


def test_a_publication_shows_at_once_when_the_version_is_looked_up_per_request(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = build_stage()
    run_to_finalized(scenario)
    url = f"/api/v1/stages/{scenario.stage.pk}/standings/"
    page = "/stages/stage-1/"
    assert client.get(url).status_code == 404
    before = client.get(page).content
    client.get(page)
    with django_capture_on_commit_callbacks(execute=True):
        stage_publish(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert client.get(url).status_code == 200
    after = client.get(page)
    assert after.get("X-Cache") != "hit" and after.content != before
    assert "90.2" in after.content.decode()


def test_a_remembered_version_serves_the_earlier_answer_for_at_most_its_lifetime(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With the version remembered (production: 1 s), a publication shows on the next look-up;
    until then the answer from before it is served: late, never early."""
    settings.PUBLISHED_CACHE_VERSION_SECONDS = 3600
    scenario = build_stage()
    run_to_finalized(scenario)
    page = "/stages/stage-1/"
    before = client.get(page).content
    with django_capture_on_commit_callbacks(execute=True):
        stage_publish(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert client.get(page).content == before
    published_cache_clear()  # what the version's lifetime ending does
    assert "90.2" in client.get(page).content.decode()


def test_an_answer_setting_a_cookie_is_not_kept(client: Client) -> None:
    build_stage()
    # The language switch is a form: its answer sets a cookie and is never kept.
    first = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    assert first.status_code == 302
    assert client.get("/i18n/setlang/").get("X-Cache") != "hit"


def entry(size: int, *, expires: float = 2**40) -> Entry:
    return Entry(200, b"x" * size, (), None, None, expires)


def test_the_per_process_table_is_bounded_by_entries_and_bytes() -> None:
    table = _LocalTable(entries=3, size=800)
    for name in "abcd":
        table.put(name, entry(10))
    assert table.get("a") is None and table.get("d") is not None  # the oldest went first
    table.get("b")  # used: kept over c
    table.put("e", entry(10))
    assert table.get("b") is not None and table.get("c") is None
    table.put("big", entry(200))  # over an eighth of the table: never kept locally
    assert table.get("big") is None
    for name in "fghij":
        table.put(name, entry(90))
    assert table.used <= 800 and len(table.table) <= 3
    table.put("old", entry(10, expires=0))
    assert table.get("old") is None and "old" not in table.table


def test_a_client_that_accepts_gzip_gets_the_kept_answer_compressed(client: Client) -> None:
    import gzip

    build_stage()
    for path in ("/stages/stage-1/", "/api/v1/stages/"):
        plain = client.get(path)
        packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed["X-Cache"] == "hit" and packed["Content-Encoding"] == "gzip", path
        assert gzip.decompress(packed.content) == plain.content, path
        assert len(packed.content) < len(plain.content) / 2, path
        assert "Accept-Encoding" in packed["Vary"], path
        assert packed["ETag"] == "W/" + plain["ETag"], path
        # Either tag revalidates either form; the 304 names the form asked for.
        again = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
        assert again.status_code == 304 and again["ETag"] == packed["ETag"], path
        identity = client.get(path, HTTP_IF_NONE_MATCH=packed["ETag"])
        assert identity.status_code == 304 and identity["ETag"] == plain["ETag"], path
        # A client that does not ask for gzip never gets it.
        again_plain = client.get(path)
        assert "Content-Encoding" not in again_plain and again_plain.content == plain.content
        assert "Accept-Encoding" in again_plain["Vary"], path
