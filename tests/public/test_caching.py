"""Public pages are cached by the latest publication and answer repeated requests with 304."""

from __future__ import annotations

import pytest

from evaluations.models import Participation
from evaluations.services.publication import decision_change, publication_correct
from teams.models import Team
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_repeated_request_with_the_etag_gets_304_without_a_body(client, record):
    first = client.get("/stages/stage-1/")
    assert first.status_code == 200
    assert first["ETag"]
    assert "public" in first["Cache-Control"]

    again = client.get("/stages/stage-1/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_repeated_request_with_the_date_gets_304(client, record):
    first = client.get("/en/")

    again = client.get("/en/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


def test_each_language_has_its_own_etag(client, record):
    assert client.get("/stages/stage-1/")["ETag"] != client.get("/en/stages/stage-1/")["ETag"]


def test_a_change_to_the_record_shows_at_once(client, record):
    first = client.get("/en/teams/upstage/")
    team = Team.objects.get(slug="upstage")
    MembershipFactory(team=team, organization=OrganizationFactory(name_en="Newly Joined Labs"))

    again = client.get("/en/teams/upstage/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert "Newly Joined Labs" in again.content.decode()


def test_a_correction_shows_at_once_with_a_new_etag(client, record, staff_user):
    first = client.get("/en/stages/stage-1/")
    admin = staff_user("admin")
    nc_ai = Participation.objects.get(team__slug="nc-ai", stage__slug="stage-1")
    decision_change(
        participation_id=nc_ai.pk,
        user=admin,
        outcome="eliminated",
        reason_ko="NC AI 탈락 사유 정정.",
        reason_en="Corrected reason for NC AI.",
    )
    publication_correct(stage_id=nc_ai.stage_id, user=admin, note_en="The reason is restated.")

    again = client.get("/en/stages/stage-1/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    body = again.content.decode()
    assert "Corrected reason for NC AI." in body
    assert "The reason is restated." in body
