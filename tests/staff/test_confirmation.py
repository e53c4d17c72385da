"""Confirmation: a verifier confirms single marks or a whole team, or sends one back with a note
the clerk then sees; never their own entries."""

from __future__ import annotations

import pytest

from evaluations.models import Score
from evaluations.services.scores import score_save
from tests.builders import build_stage
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(staff_user):
    scenario = build_stage(teams=("alpha", "beta"))
    clerk = staff_user("clerk", username="clerk-user")
    for code, value in (("nia", "8"), ("common", "17")):
        score_save(
            participation_id=scenario.participations["alpha"].pk,
            criterion_id=scenario.criteria[code].pk,
            value=value,
            user=clerk,
        )
    return scenario


def url(scenario, rest=""):
    return f"/staff/stages/{scenario.stage.pk}/confirm/{rest}"


@pytest.mark.parametrize("person", PEOPLE)
def test_confirmation_page_answers_each_person(as_person, scenario, person):
    response = as_person(person).get(url(scenario))
    expected = {"anonymous": "sign_in", "verifier": "ok", "admin": "ok"}.get(person, "forbidden")
    assert_access(response, expected, url(scenario))


@pytest.mark.parametrize(
    ("person", "status"),
    [("anonymous", 302), ("norole", 403), ("clerk", 403), ("verifier", 302), ("admin", 302)],
)
def test_confirming_a_mark_by_each_person(as_person, scenario, person, status):
    score = Score.objects.get(criterion=scenario.criteria["nia"])
    response = as_person(person).post(
        url(scenario, "mark/"), {"score": score.pk, "version": score.version}
    )
    assert response.status_code == status
    score.refresh_from_db()
    assert score.is_confirmed == (person in ("verifier", "admin"))


def test_verifier_sees_what_is_unconfirmed_in_korean(as_person, scenario):
    body = as_person("verifier").get(url(scenario)).content.decode()
    assert "두 번째 사람" in body
    assert body.count('data-score="') == 2


def test_verifier_sees_it_in_english(as_person, scenario):
    body = as_person("verifier", language="en").get(url(scenario)).content.decode()
    assert "waiting for a second person" in body


def test_whole_team_confirmed_at_once(as_person, scenario):
    client = as_person("verifier")
    scores = Score.objects.all()
    data = {f"s:{s.pk}": s.version for s in scores}
    response = client.post(
        url(scenario, f"team/{scenario.participations['alpha'].pk}/"), data, follow=True
    )
    assert not Score.objects.filter(confirmed_by__isnull=True).exists()
    assert "2" in response.content.decode()


def test_a_changed_mark_stops_the_whole_team_confirmation(as_person, scenario):
    client = as_person("verifier")
    data = {f"s:{s.pk}": s.version for s in Score.objects.all()}
    nia = Score.objects.get(criterion=scenario.criteria["nia"])
    score_save(
        participation_id=nia.participation_id,
        criterion_id=nia.criterion_id,
        value="9",
        user=Score.objects.get(pk=nia.pk).entered_by,
        expected_version=nia.version,
    )
    client.post(url(scenario, f"team/{scenario.participations['alpha'].pk}/"), data)
    assert not Score.objects.filter(confirmed_by__isnull=False).exists()


def test_send_back_needs_a_note_and_the_clerk_sees_it(as_person, scenario):
    verifier = as_person("verifier")
    score = Score.objects.get(criterion=scenario.criteria["common"])
    verifier.post(url(scenario, "send-back/"), {"score": score.pk, "version": 1, "note": " "})
    score.refresh_from_db()
    assert score.sent_back_at is None
    verifier.post(
        url(scenario, "send-back/"),
        {"score": score.pk, "version": 1, "note": "평가표에는 16점입니다"},
    )
    score.refresh_from_db()
    assert score.sent_back_note == "평가표에는 16점입니다"
    grid = as_person("clerk", username="clerk-user").get(
        f"/staff/stages/{scenario.stage.pk}/scores/"
    )
    body = grid.content.decode()
    assert 'data-testid="sent-back-list"' in body and "평가표에는 16점입니다" in body
    assert "cell--sent-back" in body
    home = as_person("clerk", username="clerk-user").get("/staff/").content.decode()
    assert "돌려보낸 입력 1건" in home


def test_fixing_a_sent_back_mark_clears_it(as_person, scenario):
    score = Score.objects.get(criterion=scenario.criteria["common"])
    as_person("verifier").post(
        url(scenario, "send-back/"), {"score": score.pk, "version": 1, "note": "16?"}
    )
    clerk = as_person("clerk", username="clerk-user")
    clerk.post(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {
            "participation": score.participation_id,
            "criterion": score.criterion_id,
            "version": 1,
            "value": "16",
        },
    )
    body = clerk.get(f"/staff/stages/{scenario.stage.pk}/scores/").content.decode()
    assert 'data-testid="sent-back-list"' not in body


def test_a_clerk_keeps_a_right_mark_that_was_sent_back_with_an_answer(as_person, scenario):
    """Re-saving the same value changes nothing, so the clerk answers the send-back instead: the
    mark leaves the sent-back list, the answer is in its history, and the verifier checks it
    afresh and can confirm it."""
    score = Score.objects.get(criterion=scenario.criteria["common"])
    verifier = as_person("verifier")
    verifier.post(url(scenario, "send-back/"), {"score": score.pk, "version": 1, "note": "16?"})
    clerk = as_person("clerk", username="clerk-user")
    grid_url = f"/staff/stages/{scenario.stage.pk}/scores/"
    assert "그대로 유지" in clerk.get(grid_url).content.decode()
    keep = f"/staff/stages/{scenario.stage.pk}/scores/keep/"

    refused = clerk.post(keep, {"score": score.pk, "version": 1, "note": " "}, follow=True)
    assert "점수가 맞는 이유를 적어 주세요" in refused.content.decode()
    stale = clerk.post(keep, {"score": score.pk, "version": 9, "note": "17점이 맞습니다"})
    assert stale.status_code == 302
    score.refresh_from_db()
    assert score.version == 1 and score.sent_back_at >= score.entered_at  # nothing changed

    kept = clerk.post(
        keep, {"score": score.pk, "version": 1, "note": "평가표 원본도 17점입니다"}, follow=True
    )
    body = kept.content.decode()
    assert "그대로 유지했습니다" in body
    assert 'data-testid="sent-back-list"' not in body
    score.refresh_from_db()
    assert score.value == 17 and score.version == 2
    assert score.history.first().history_change_reason == "평가표 원본도 17점입니다"

    # Nothing left to answer; the verifier confirms the mark as it stands.
    again = clerk.post(keep, {"score": score.pk, "version": 2, "note": "again"}, follow=True)
    assert "반려된 점수가 아닙니다" in again.content.decode()
    verifier.post(url(scenario, "mark/"), {"score": score.pk, "version": 2})
    score.refresh_from_db()
    assert score.confirmed_by is not None


def test_only_a_clerk_or_an_administrator_answers_a_send_back(as_person, scenario):
    score = Score.objects.get(criterion=scenario.criteria["common"])
    verifier = as_person("verifier")
    verifier.post(url(scenario, "send-back/"), {"score": score.pk, "version": 1, "note": "16?"})
    keep = f"/staff/stages/{scenario.stage.pk}/scores/keep/"
    answer = verifier.post(keep, {"score": score.pk, "version": 1, "note": "it is right"})
    assert answer.status_code == 403
    score.refresh_from_db()
    assert score.version == 1


def test_nobody_confirms_or_sends_back_their_own_entry(as_person, scenario):
    admin = as_person("admin")
    score_save(
        participation_id=scenario.participations["beta"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="7",
        user=admin.user,
    )
    own = Score.objects.get(participation=scenario.participations["beta"])
    body = admin.get(url(scenario)).content.decode()
    assert "직접 입력한 점수" in body
    admin.post(url(scenario, "mark/"), {"score": own.pk, "version": 1})
    admin.post(url(scenario, "send-back/"), {"score": own.pk, "version": 1, "note": "x"})
    own.refresh_from_db()
    assert own.confirmed_by is None and own.sent_back_at is None
