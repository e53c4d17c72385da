"""The setup screen on a 360 px phone, in Korean and English: its tables keep their words whole
and scroll inside themselves, so the page never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import Stage
from tests.browser.test_staff_score_grid import PASSWORD, sign_in
from tests.builders import build_stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_reads_the_setup_screen_on_a_phone(live_server, browser):
    scenario = build_stage(teams=("alpha", "beta"), status=Stage.Status.PLANNED)
    admin = scenario.users["admin"]
    admin.set_password(PASSWORD)
    admin.save()
    headings = {"ko-KR": "평가 항목과 만점", "en-US": "Criteria and maximum points"}
    for locale, heading in headings.items():
        context = browser.new_context(viewport={"width": 360, "height": 780}, locale=locale)
        page = context.new_page()
        try:
            sign_in(page, live_server.url, admin.username)
            page.goto(f"{live_server.url}/staff/stages/{scenario.stage.pk}/setup/")
            expect(page.locator("main")).to_contain_text(heading)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (locale, overflow)
            # A header is at least as wide as its longest word: no word broken letter by letter.
            narrowest = page.evaluate(
                "Math.min(...[...document.querySelectorAll('table.criteria-table th')]"
                ".map(th => th.getBoundingClientRect().width))"
            )
            assert narrowest >= 60, (locale, narrowest)
        finally:
            context.close()
