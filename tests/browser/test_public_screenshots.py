"""Screenshots of the public pages at desktop and phone widths in both languages, with no
request leaving the site and no page wider than the screen."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# Written for people to look at; gitignored.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "public"
PAGES = {"home": "/", "stage-1": "/stages/stage-1/", "team": "/teams/lg-ai-research/"}
WIDTHS = (1280, 360)


@pytest.fixture
def record() -> None:
    call_command("load_program", stdout=StringIO(), stderr=StringIO())


def test_home_stage_1_and_a_team_page_render_at_desktop_and_phone_widths(
    live_server, record, browser
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    written = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR")
        page = context.new_page()
        page.on(
            "request",
            lambda request: (
                outside.append(request.url) if not request.url.startswith(live_server.url) else None
            ),
        )
        for language, prefix in (("ko", ""), ("en", "/en")):
            for name, path in PAGES.items():
                page.goto(live_server.url + prefix + path)
                expect(page.locator("h1").first).to_be_visible()
                expect(page.locator("html")).to_have_attribute("lang", language)
                # The page itself never scrolls sideways; wide tables scroll in their own box.
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (prefix + path, width, overflow)
                target = SCREENSHOTS / f"{name}-{language}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
        context.close()

    assert outside == []
    assert len(written) == 12
    assert all(path.stat().st_size > 10_000 for path in written)


def test_the_standings_table_is_reachable_by_keyboard_with_a_visible_focus(
    live_server, record, page
):
    page.goto(live_server.url + "/en/stages/stage-1/")
    region = page.get_by_role("region", name="Points per criterion in Stage-1 evaluation")
    region.focus()
    outline = region.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
