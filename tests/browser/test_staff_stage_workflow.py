"""An administrator signs in and opens a stage for scoring from the stage list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import Stage
from tests.builders import build_stage

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple-7"


def test_an_administrator_opens_a_stage_for_scoring_and_sees_what_happened(live_server, page):
    scenario = build_stage(status=Stage.Status.PLANNED, participations=False)
    admin = scenario.users["admin"]
    admin.set_password(PASSWORD)
    admin.save()

    page.goto(live_server.url + "/admin/programs/stage/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()

    row = page.locator("#result_list tr", has_text="1차 단계평가")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "open_for_scoring")
    page.locator("button[name=index]").click()

    # Staff work in Korean by default: the admin's messages are Korean too.
    expect(page.locator(".messagelist")).to_contain_text("1차 단계평가: 채점을 시작했습니다.")
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.SCORING
    assert scenario.stage.participations.count() == 5

    # Running it again is refused with the reason, not silently repeated.
    row = page.locator("#result_list tr", has_text="1차 단계평가")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "open_for_scoring")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .error")).to_contain_text(
        "예정 상태인 단계만 채점을 시작할 수 있습니다"
    )
