"""The history screens as a verifier reads them, on a desk screen and a phone, in Korean and
English: every change of a mark with who, when, from what to what, and nothing wider than the
screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from evaluations.services.scores import score_save
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_staff_score_grid import PASSWORD, sign_in
from tests.builders import build_stage

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {"desk": (1280, 900), "phone": (360, 780)}
WORDS = {
    "ko": ("단계 이력", "이전 값", "바뀐 값"),
    "en": ("History of the stage", "Before", "After"),
}


def test_a_verifier_reads_the_stage_and_entry_history_on_desk_and_phone(live_server, browser):
    folder = SCREENSHOTS / "test_staff_history_screens"
    folder.mkdir(parents=True, exist_ok=True)
    scenario = build_stage(teams=("alpha", "beta"))
    alpha, nia = scenario.participations["alpha"].pk, scenario.criteria["nia"].pk
    first = score_save(
        participation_id=alpha, criterion_id=nia, value="9.5", user=scenario.users["clerk"]
    )
    score_save(
        participation_id=alpha,
        criterion_id=nia,
        value="8.25",
        user=scenario.users["clerk2"],
        expected_version=first.version,
    )
    verifier = scenario.users["verifier"]
    verifier.set_password(PASSWORD)
    verifier.save()
    stage_url = f"{live_server.url}/staff/stages/{scenario.stage.pk}/history/"
    entry_url = f"{stage_url}score/{first.pk}/"

    for language, (title, before, after) in WORDS.items():
        for screen, (width, height) in SCREENS.items():
            context = browser.new_context(
                locale="ko-KR" if language == "ko" else "en-US",
                viewport={"width": width, "height": height},
            )
            page = context.new_page()
            try:
                sign_in(page, live_server.url, verifier.username)
                if language == "en":
                    page.locator(".lang-switch button[value=en]").click()
                for name, url in (("stage", stage_url), ("entry", entry_url)):
                    page.goto(url)
                    main = page.locator("main")
                    if name == "stage":
                        expect(main).to_contain_text(title)
                    expect(main).to_contain_text(before)
                    expect(main).to_contain_text(after)
                    expect(main).to_contain_text("9.5")
                    expect(main).to_contain_text("8.25")
                    expect(main).to_contain_text(scenario.users["clerk2"].username)
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    assert overflow <= 0, (language, screen, name, overflow)
                    page.screenshot(
                        path=str(folder / f"{name}-{language}-{screen}.png"),
                        full_page=True,
                    )
            finally:
                context.close()
