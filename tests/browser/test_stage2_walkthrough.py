"""Stage 2 of the shipped record, walked through in the browser as the office will run it.

An administrator sets the weights and opens the stage; a clerk enters the marks of two teams
and imports a CP949 CSV (as Excel on Korean Windows writes it) for the other two; a verifier
confirms and sends one mark back; the clerk fixes it; the administrator reviews, sets the
announcement time and finalizes; the `stage_publish_due` beat task publishes at that time; the
public home page then shows the result. Screenshots go to tests/browser/screenshots/<test>/.

Every step is clicked in the browser except the beat task, which is called with its clock.

No public source gives the stage-2 weights or result (program.md, section 2.4): every number
below is a test input typed by "staff", never a fact of the record.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Decision, Outcome, Score
from evaluations.roles import Role
from evaluations.tasks import stage_publish_due
from programs.models import Criterion, Stage
from tests.factories import staff_user_create

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple-7"
SEOUL = ZoneInfo("Asia/Seoul")
WEIGHTS = {"benchmark": "40", "expert": "35", "user": "25"}
# Entered by the clerk (test inputs): LG and SKT.
TYPED = {
    "lg-ai-research": {"benchmark": "36", "expert": "31.5", "user": "22"},
    "sk-telecom": {"benchmark": "34", "expert": "30", "user": "21.5"},
}
# Imported from a CP949 CSV: Upstage and Motif.
IMPORTED = (
    "팀,평가항목,평가위원,점수\r\n"
    "업스테이지 컨소시엄,벤치마크 평가,,33\r\n"
    "업스테이지 컨소시엄,전문가 평가,,29.5\r\n"
    "업스테이지 컨소시엄,사용자 평가,,20\r\n"
    "모티프테크놀로지스 컨소시엄,벤치마크 평가,,30\r\n"
    "모티프테크놀로지스 컨소시엄,전문가 평가,,27\r\n"
    "모티프테크놀로지스 컨소시엄,사용자 평가,,19\r\n"
).encode("cp949")


def sign_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/staff/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-testid=roles]")).to_be_visible()


def person(username: str, role: Role):
    user = staff_user_create(username, role)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_office_runs_stage_two_and_the_public_sees_the_result_at_the_announcement(
    live_server, page, screenshot, tmp_path
):
    call_command("load_program", stdout=StringIO())
    admin = person("admin-kim", Role.ADMIN)
    clerk = person("clerk-lee", Role.CLERK)
    verifier = person("verifier-park", Role.VERIFIER)
    stage = Stage.objects.get(slug="stage-2")
    base = f"{live_server.url}/staff/stages/{stage.pk}"
    criteria = {c.code: c.pk for c in Criterion.objects.filter(stage=stage)}

    # 1. The administrator sets the weights and opens the stage.
    sign_in(page, live_server.url, admin.username)
    page.goto(f"{base}/setup/")
    for code, points in WEIGHTS.items():
        page.get_by_test_id(f"max-{code}").fill(points)
    screenshot("setup-weights")
    page.get_by_role("button", name="만점 저장").click()
    page.get_by_test_id("open-stage").click()
    expect(page.get_by_test_id("stage-status")).to_have_text("채점 중")
    stage.refresh_from_db()
    assert stage.status == Stage.Status.SCORING
    participations = {p.team.slug: p for p in stage.participations.select_related("team")}
    assert set(participations) == {"lg-ai-research", "sk-telecom", "upstage", "motif-technologies"}

    # 2. The clerk types two teams' marks into the grid…
    sign_in(page, live_server.url, clerk.username)
    page.goto(f"{base}/scores/")
    for team, marks in TYPED.items():
        for code, value in marks.items():
            cell = page.locator(
                f"#cell-{participations[team].pk}-{criteria[code]}- input.cell__input"
            )
            cell.fill(value)
            cell.press("Tab")
            expect(cell).to_have_attribute("data-saved", value)
    screenshot("grid-typed")

    # …and imports the other two from a CP949 CSV: preview first, then all rows at once.
    page.goto(f"{base}/import/")
    screenshot("import-form")
    csv_path = tmp_path / "2차_점수.csv"
    csv_path.write_bytes(IMPORTED)
    page.set_input_files("input[name=file]", str(csv_path))
    page.get_by_role("button", name="올리고 검사하기").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("새 점수 6건")
    expect(page.get_by_test_id("import-preview")).to_contain_text("모티프테크놀로지스 컨소시엄")
    screenshot("import-preview")
    page.get_by_test_id("import-apply").click()
    expect(page.get_by_test_id("import-applied")).to_be_visible()
    screenshot("import-applied")
    assert Score.objects.filter(participation__stage=stage).count() == 12

    # 3. The verifier sends SK Telecom's user mark back with a note and confirms the rest.
    sign_in(page, live_server.url, verifier.username)
    page.goto(f"{base}/confirm/")
    doubtful = Score.objects.get(
        participation=participations["sk-telecom"], criterion_id=criteria["user"]
    )
    row = page.locator(f"tr[data-score='{doubtful.pk}']")
    row.locator("summary").click()
    row.locator("textarea[name=note]").fill("사용자 평가 원본은 23.5점입니다. 확인해 주세요.")
    row.get_by_role("button", name="입력 담당자에게 돌려보내기").click()
    for team in ("lg-ai-research", "sk-telecom", "upstage", "motif-technologies"):
        section = page.locator(f"section[data-team='{team}']")
        section.locator("form button").first.click()
        expect(page.locator(f"section[data-team='{team}'] form button")).to_have_count(0)
    screenshot("confirm-sent-back")
    doubtful.refresh_from_db()
    assert doubtful.sent_back_at is not None and doubtful.confirmed_by is None

    # 4. The clerk sees the note beside the cell and fixes the mark; the verifier confirms it.
    sign_in(page, live_server.url, clerk.username)
    page.goto(f"{base}/scores/")
    expect(page.locator("main")).to_contain_text("23.5점입니다")
    cell = page.locator(
        f"#cell-{participations['sk-telecom'].pk}-{criteria['user']}- input.cell__input"
    )
    cell.fill("23.5")
    cell.press("Tab")
    expect(cell).to_have_attribute("data-saved", "23.5")
    screenshot("grid-fixed")
    sign_in(page, live_server.url, verifier.username)
    page.goto(f"{base}/confirm/")
    page.locator("section[data-team='sk-telecom'] form button").first.click()
    expect(page.locator("section[data-team='sk-telecom'] form button")).to_have_count(0)
    assert not Score.objects.filter(participation__stage=stage, confirmed_by=None).exists()

    # A clerk cannot open the review's decisions or the publication screen.
    page.goto(f"{base}/publication/")
    expect(page.locator("main")).to_contain_text("관리자")
    screenshot("publication-forbidden-for-clerk")

    # 5. The administrator reviews, sets the announcement time and finalizes.
    sign_in(page, live_server.url, admin.username)
    page.goto(f"{base}/review/")
    page.get_by_test_id("submit-review").click()
    expect(page.get_by_test_id("stage-status")).to_have_text("검토 중")
    expect(page.get_by_test_id("elimination-line")).to_be_visible()
    expect(page.get_by_test_id("sensitivity")).not_to_be_empty()
    expect(page.get_by_test_id("row-motif-technologies")).to_contain_text("탈락선 아래")
    screenshot("review")

    day = (timezone.now().astimezone(SEOUL) + dt.timedelta(days=2)).date()
    announcement = dt.datetime(day.year, day.month, day.day, 14, 0, tzinfo=SEOUL)
    page.goto(f"{base}/publication/")
    page.fill("input[name=announcement_at]", announcement.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("schedule").click()
    expect(page.get_by_test_id("announcement-at")).to_contain_text(
        announcement.strftime("%Y-%m-%d 14:00")
    )
    screenshot("announcement-set")

    page.goto(f"{base}/review/")
    page.get_by_test_id("finalize").click()
    expect(page.get_by_test_id("preview")).to_contain_text("모티프테크놀로지스 컨소시엄")
    screenshot("publication-preview")
    stage.refresh_from_db()
    assert stage.status == Stage.Status.FINALIZED
    outcomes = dict(
        Decision.objects.filter(participation__stage=stage).values_list(
            "participation__team__slug", "outcome"
        )
    )
    assert outcomes == {
        "lg-ai-research": Outcome.ADVANCED,
        "sk-telecom": Outcome.ADVANCED,
        "upstage": Outcome.ADVANCED,
        "motif-technologies": Outcome.ELIMINATED,
    }

    # Before the announcement the public sees nothing of the result.
    motif = page.locator(".teams__table tr", has_text="모티프테크놀로지스")
    page.goto(live_server.url + "/")
    screenshot("public-home-before")
    expect(motif.locator(".badge")).not_to_contain_text("탈락")
    expect(page.locator("main")).not_to_contain_text("76.0")

    # 6. The beat task publishes at the announcement time (its clock passed in, no waiting):
    # a minute early it does nothing, a minute after it publishes.
    assert stage_publish_due(now=(announcement - dt.timedelta(minutes=1)).isoformat()) == []
    after = announcement + dt.timedelta(minutes=1)
    assert stage_publish_due(now=after.isoformat()) == [stage.pk]
    stage.refresh_from_db()
    assert stage.status == Stage.Status.PUBLISHED

    # 7. From that moment the public home page shows the result (the server's clock moved on to
    # the announcement, as it will have on the day).
    with time_machine.travel(after + dt.timedelta(minutes=1), tick=True):
        page.goto(live_server.url + "/")
        # The page seen before may be kept by the browser for a minute (max-age=60);
        # a reload asks the server again, as a visitor pressing F5 does.
        page.reload()
        screenshot("public-home-after")
        expect(motif.locator(".badge")).to_contain_text("탈락")
        expect(page.locator("section.latest")).to_contain_text("2차 단계평가")
