"""The server-drawn charts stay readable on a 360 px phone in both languages: every word or
number drawn in a chart renders at 12 CSS px or more, and the page does not scroll sideways."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# Written for people to look at; gitignored.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "charts"
# One page per chart: the funnel (home), the standings (a stage) and a team's path.
PAGES = {"home": "/", "stage-1": "/stages/stage-1/", "team": "/teams/lg-ai-research/"}
PHONE = {"width": 360, "height": 800}

# The size each text node is drawn at on screen: its CSS font size times the scale from the
# chart's own units to screen pixels (a viewBox shrinks text along with the drawing).
MEASURE = """svg => Array.from(svg.querySelectorAll('text')).map(text => ({
  text: text.textContent,
  px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
  right: text.getBoundingClientRect().right - svg.getBoundingClientRect().right,
}))"""


@pytest.fixture
def record() -> None:
    call_command("load_program", stdout=StringIO(), stderr=StringIO())


def test_chart_text_is_at_least_12_px_on_a_360_px_phone_without_sideways_scroll(
    live_server, record, browser
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    measured = 0
    try:
        for language, prefix in (("ko", ""), ("en", "/en")):
            for name, path in PAGES.items():
                page.goto(live_server.url + prefix + path)
                chart = page.locator("svg.chart")
                expect(chart).to_have_count(1)
                # The text alternative stays with the drawing.
                expect(chart).to_have_attribute("role", "img")
                assert chart.locator("desc").text_content()

                texts = chart.evaluate(MEASURE)
                assert texts, (prefix + path, "no text drawn")
                small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 12]
                assert small == [], (prefix + path, small)
                # No word runs off the chart's right edge, where it would be cut off.
                cut = [t["text"] for t in texts if t["right"] > 1]
                assert cut == [], (prefix + path, cut)
                measured += len(texts)

                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (prefix + path, overflow)
                chart.scroll_into_view_if_needed()
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-360.png"))
    finally:
        context.close()
    assert measured > 20
