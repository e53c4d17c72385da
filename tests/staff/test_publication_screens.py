"""Publication: announcement time in Seoul, the preview of exactly what will be public,
publishing now, and a correction showing what it changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Outcome, Publication
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import publication_payload_build
from programs.models import Stage
from tests.builders import build_stage, confirm_all, enter_five_teams
from tests.staff.conftest import PEOPLE, assert_access

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def finalized(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
        stage_finalize(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    scenario.refresh()
    return scenario


@pytest.fixture
def light():
    """A finalized stage with no marks: enough to check who may open what."""
    return build_stage(teams=("alpha", "beta"), status=Stage.Status.FINALIZED)


def signed_in(scenario, who="admin", language="ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(scenario.users[who])
    return client


def url(scenario, name="stage_publication") -> str:
    return reverse(f"staff:{name}", kwargs={"stage_id": scenario.stage.pk})


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    "name",
    [
        "stage_publication",
        "publication_schedule",
        "publication_publish",
        "publication_decision",
        "publication_correct",
    ],
)
def test_only_an_administrator_handles_publication(light, as_person, person, name):
    address = url(light, name)
    client = as_person(person)
    response = client.get(address) if name == "stage_publication" else client.post(address)
    if person == "admin":
        assert response.status_code in (200, 302, 400)
    else:
        expected = "sign_in" if person == "anonymous" else "forbidden"
        assert_access(response, expected, address)
    assert not Publication.objects.exists() or person == "admin"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ko", ["미리 보기", "발표 시각", "지금 공개"]),
        ("en", ["Preview", "Announcement time", "Publish now"]),
    ],
)
def test_the_preview_shows_what_will_be_public(finalized, language, words):
    page = signed_in(finalized, language=language).get(url(finalized)).content.decode()
    for word in words:
        assert word in page
    payload = publication_payload_build(stage=finalized.stage)
    for row in payload["rows"]:
        assert f'data-testid="preview-{row["team"]}"' in page
        assert row["total"] in page
    assert 'data-testid="preview-json"' in page
    assert '"snapshot"' not in page  # internal: never shown as public
    assert not Publication.objects.exists()


def test_the_announcement_time_is_read_in_seoul(finalized):
    response = signed_in(finalized).post(
        url(finalized, "publication_schedule"), {"announcement_at": "2026-08-07T14:00"}
    )
    assert response.status_code == 302
    finalized.refresh()
    assert finalized.stage.announcement_at == dt.datetime(2026, 8, 7, 14, 0, tzinfo=SEOUL)


def test_a_bad_announcement_time_is_refused(finalized):
    response = signed_in(finalized, language="en").post(
        url(finalized, "publication_schedule"), {"announcement_at": "next week"}
    )
    assert response.status_code == 400
    finalized.refresh()
    assert finalized.stage.announcement_at is None


def test_publish_now_then_correct_a_decision_with_a_note(finalized):
    client = signed_in(finalized, language="en")
    client.post(url(finalized, "publication_publish"))
    finalized.refresh()
    assert finalized.stage.status == Stage.Status.PUBLISHED
    first = Publication.objects.get()

    gamma = finalized.participations["gamma"].pk
    response = client.post(
        url(finalized, "publication_decision"),
        {"participation": gamma, "outcome": Outcome.WITHDRAWN, "reason_en": "Withdrew"},
    )
    assert response.status_code == 302
    page = client.get(url(finalized)).content.decode()
    assert 'data-testid="correction-diff"' in page
    assert "withdrawn" in page  # the outcome before → after
    assert Publication.objects.count() == 1  # nothing public changed yet

    response = client.post(url(finalized, "publication_correct"), {"note_en": ""})
    assert response.status_code == 400
    assert "A correction needs a note" in response.content.decode()

    client.post(url(finalized, "publication_correct"), {"note_en": "Gamma withdrew."})
    correction = Publication.objects.latest()
    assert (correction.sequence, correction.corrects) == (2, first)
    page = client.get(url(finalized)).content.decode()
    assert "Nothing differs from what is published." in page


def test_a_decision_change_needs_a_reason(finalized):
    client = signed_in(finalized, language="en")
    client.post(url(finalized, "publication_publish"))
    gamma = finalized.participations["gamma"].pk
    response = client.post(
        url(finalized, "publication_decision"),
        {"participation": gamma, "outcome": Outcome.WITHDRAWN},
    )
    assert response.status_code == 400
    assert "Changing a decision needs a reason." in response.content.decode()
