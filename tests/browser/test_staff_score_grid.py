"""A clerk types marks into the score grid with the keyboard, as in a spreadsheet, sees each
saved, sees a mark it cannot read refused, and watches the standings show "updating…" until the
recompute has run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from config.celery import app as celery_app
from evaluations.services.recompute import standings_recompute
from tests.builders import build_stage

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple-7"


def sign_in(page, base_url, username):
    page.goto(base_url + "/staff/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-testid=roles]")).to_be_visible()


def test_clerk_types_marks_with_the_keyboard_and_sees_them_saved(live_server, page, screenshot):
    scenario = build_stage(teams=("alpha", "beta"))
    clerk = scenario.users["clerk"]
    clerk.set_password(PASSWORD)
    clerk.save()
    stage = scenario.stage
    alpha = scenario.participations["alpha"].pk
    criteria = {code: c.pk for code, c in scenario.criteria.items()}

    sign_in(page, live_server.url, clerk.username)
    page.goto(f"{live_server.url}/staff/stages/{stage.pk}/scores/")
    # Evaluator columns appear once the first evaluator code is added.
    page.fill("input[name=new_evaluator]", "E01")
    page.locator(".add-evaluator button").click()
    expect(page.locator("#score-grid thead")).to_contain_text("E01")
    screenshot("empty-grid")

    # The recompute is queued, not run, so the panel has to wait for it.
    celery_app.conf.task_always_eager = False
    try:
        page.locator(f"#cell-{alpha}-{criteria['nia']}- input.cell__input").click()
        page.keyboard.type("８，５")  # full-width digits and a decimal comma: 8.5
        page.keyboard.press("Tab")
        page.keyboard.type("17")
        page.keyboard.press("Tab")
        page.keyboard.type("12,125")  # ambiguous: refused as typed, never sent
        hint = page.locator(f"#cell-{alpha}-{criteria['individual']}- .cell__hint")
        expect(hint).to_contain_text("천 단위")
        screenshot("ambiguous-refused")
        page.keyboard.press("Escape")
        page.keyboard.type("9")
        page.keyboard.press("Tab")
        page.keyboard.type("30")  # expert, evaluator E01
        page.keyboard.press("Tab")
        page.keyboard.type("20")  # user, evaluator E01
        page.keyboard.press("ArrowDown")  # to beta's user mark
        page.keyboard.press("ArrowLeft")  # beta's expert mark
        page.keyboard.type("비공개")  # not disclosed, typed explicitly
        page.keyboard.press("Enter")

        for code, shown in (("nia", "8.5"), ("common", "17"), ("individual", "9")):
            expect(
                page.locator(f"#cell-{alpha}-{criteria[code]}- input.cell__input")
            ).to_have_attribute("data-saved", shown)
        expect(
            page.locator(f"#cell-{alpha}-{criteria['user']}-E01 input.cell__input")
        ).to_have_attribute("data-saved", "20")
        beta = scenario.participations["beta"].pk
        expect(page.locator(f"#cell-{beta}-{criteria['expert']}-E01")).to_have_class(
            re.compile("cell--nd")
        )
        # Parents and totals as they will be computed: benchmark 8.5 + 17 + 9 = 34.5.
        expect(page.locator(f"#calc-{alpha}-c-benchmark")).to_have_text("34.5")
        expect(page.locator(f"#calc-{alpha}-total")).to_have_text("84.5")
        expect(page.get_by_test_id("updating")).to_be_visible()
        screenshot("saved-and-updating")
    finally:
        celery_app.conf.task_always_eager = True

    standings_recompute(stage_id=stage.pk)  # the worker catches up
    expect(page.get_by_test_id("updating")).to_have_count(0)
    expect(page.get_by_test_id("snapshot-time")).to_be_visible()
    expect(page.locator("#standings")).to_contain_text("84.5")
    screenshot("standings-current")
