"""Every public page answers an anonymous visitor in both languages, and only the embed view
may be framed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/stages/stage-1/",
    "/stages/stage-2/",
    "/stages/additional-call-2026/",
    "/teams/lg-ai-research/",
    "/teams/naver-cloud/",
    "/teams/motif-technologies/",
    "/models/",
    "/models/k-exaone/",
    "/announcements/",
    "/announcements/feed/",
    "/embed/stages/stage-1/",
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_page_answers_an_anonymous_visitor_in_both_languages(client, record, language):
    for page in PAGES:
        path = language + page
        response = client.get(path)
        assert response.status_code == 200, path
        if response["Content-Type"].startswith("text/html"):
            expected = "en" if language else "ko"
            assert f'<html lang="{expected}">' in response.content.decode(), path


def test_every_page_but_the_embed_view_refuses_to_be_framed(client, record):
    for page in PAGES:
        response = client.get(page)
        if page.startswith("/embed/"):
            assert "X-Frame-Options" not in response
            assert "frame-ancestors *" in response["Content-Security-Policy"]
        else:
            assert response["X-Frame-Options"] == "DENY", page
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], page


def test_a_page_cannot_be_posted_to(client, record):
    assert client.post("/stages/stage-1/").status_code == 405
    assert client.post("/en/models/").status_code == 405


def test_a_head_request_gets_the_headers_without_a_body(client, record):
    response = client.head("/teams/lg-ai-research/")

    assert response.status_code == 200
    assert response.content == b""


def test_the_team_page_shows_the_consortium_its_models_and_its_path(client, record):
    body = " ".join(client.get("/en/teams/lg-ai-research/").content.decode().split())

    assert "LG AI Research consortium" in body
    assert "LG Uplus" in body and "FuriosaAI" in body
    assert "Lead" in body and "Member" in body
    assert '<time datetime="2026-02-25">2026-02-25</time>' in body  # Elice joined
    assert 'href="/en/models/k-exaone/"' in body
    assert "236B total / 23B active" in body
    assert 'role="img"' in body  # the path chart
    assert "Stage-1 evaluation: Advanced · rank 1 · 90.2" in body


def test_a_team_out_at_stage_1_shows_why_on_its_page(client, record):
    body = " ".join(client.get("/en/teams/naver-cloud/").content.decode().split())

    assert "Disqualified" in body
    assert "failing the independence requirement" in body


def test_an_unknown_team_or_model_is_not_found(client, record):
    assert client.get("/teams/no-such-team/").status_code == 404
    assert client.get("/en/models/no-such-model/").status_code == 404


def test_the_model_page_links_hugging_face_and_cites_its_benchmarks(client, record):
    body = " ".join(client.get("/en/models/k-exaone/").content.decode().split())

    assert 'href="https://huggingface.co/LGAI-EXAONE/K-EXAONE-236B-A23B"' in body
    assert "MMLU-Pro" in body and "83.8" in body
    assert "262144" in body or "256" in body
    assert 'href="#source-S51"' in body


def test_the_robots_file_points_to_the_sitemap(client, record):
    body = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /staff/" in body


def test_the_sitemap_lists_pages_in_both_languages_with_alternates(client, record):
    body = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/stages/stage-1/</loc>" in body
    assert "<loc>http://testserver/en/stages/stage-1/</loc>" in body
    assert 'hreflang="en" href="http://testserver/en/teams/upstage/"' in body
    assert "<lastmod>2026-01-15</lastmod>" in body


def test_the_feed_lists_publications_newest_first_in_each_language(client, record):
    korean = client.get("/announcements/feed/")
    english = client.get("/en/announcements/feed/").content.decode()

    assert korean["Content-Type"].startswith("application/atom+xml")
    assert 'xml:lang="ko"' in korean.content.decode()
    assert 'xml:lang="en"' in english
    assert english.index("Additional call (repechage): results published") < english.index(
        "Stage-1 evaluation: results published"
    )
    assert "Out: Naver Cloud consortium (Disqualified" in english


def test_a_shared_stage_page_carries_its_outcome_in_social_tags(client, record):
    body = client.get("/en/stages/stage-1/").content.decode()

    assert '<meta property="og:title" content="Stage-1 evaluation — results">' in body
    assert "LG AI Research consortium: Advanced (90.2)" in body
    assert '<meta name="twitter:card" content="summary">' in body
