"""A visitor opens the home page, reads it in Korean, and switches to English."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def record() -> None:
    call_command("load_program", stdout=StringIO())


def test_a_visitor_reads_the_program_in_korean_then_switches_to_english(live_server, record, page):
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_contain_text("독자 AI 파운데이션 모델 프로젝트")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_text("평가 진행 중")).to_have_count(0)  # stage 2 is planned, not started

    page.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Stage-1 evaluation", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Naver Cloud consortium")).to_be_visible()
    # The English page has its own shareable address.
    assert page.url == live_server.url + "/en/"


def test_the_page_loads_nothing_from_outside_the_site(live_server, record, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_be_visible()
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    assert any(re.search(r"/static/.+\.css$", url) for url in requested)
