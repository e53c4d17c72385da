"""Every staff screen exists in Korean (the default) and in English."""

from __future__ import annotations

import pytest

from tests.builders import build_stage

pytestmark = pytest.mark.django_db

# path template → (a Korean phrase, the English phrase) the screen shows
SCREENS = {
    "/staff/": ("다음 할 일", "What is missing"),
    "/staff/roles/": ("할 수 없는 일", "Cannot"),
    "/staff/accounts/": ("새 계정", "New account"),
    "/staff/accounts/new/": ("첫 비밀번호", "First password"),
    "/staff/password/": ("비밀번호 변경", "Change password"),
    "/staff/stages/{stage}/": ("남은 일", "What is missing"),
    "/staff/stages/{stage}/setup/": ("평가 항목과 만점", "Criteria and maximum points"),
    "/staff/stages/{stage}/scores/": ("계산된 순위", "Computed standings"),
    "/staff/stages/{stage}/standings/": ("계산된 순위", "Computed standings"),
    "/staff/stages/{stage}/confirm/": ("직접 입력한 점수는", "entered yourself"),
    "/staff/stages/{stage}/gates/": ("미통과에는 사유가 필요", "a failure needs a reason"),
}


@pytest.mark.parametrize("path", sorted(SCREENS))
def test_each_screen_in_korean_and_english(as_person, path):
    scenario = build_stage(teams=("alpha",))
    url = path.format(stage=scenario.stage.pk)
    korean, english = SCREENS[path]
    ko = as_person("admin").get(url).content.decode()
    en = as_person("admin", language="en").get(url).content.decode()
    assert korean in ko and english not in ko
    assert english in en and korean not in en
