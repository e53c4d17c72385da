"""No endpoint, filter, ordering, count, export, error or webhook tells anything about a stage
between the start of scoring and its publication, even after it is finalized."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import WebhookDelivery, WebhookEvent, WebhookSubscriber
from config.published_cache import published_cache_clear
from evaluations.services.publication import stage_publish
from tests.api.conftest import run_to_finalized
from tests.api.endpoints import public_urls
from tests.builders import build_stage

pytestmark = pytest.mark.django_db


def snapshot(client: APIClient, urls: list[str]) -> dict[str, tuple[int, bytes, str | None]]:
    seen = {}
    for url in urls:
        response = client.get(url)
        seen[url] = (response.status_code, response.content, response.headers.get("ETag"))
    return seen


def test_every_public_answer_is_the_same_before_scoring_and_after_finalizing(
    django_capture_on_commit_callbacks, token_client
):
    scenario = build_stage()
    WebhookSubscriber.objects.create(name="Newsroom", url="http://127.0.0.1:9/hook")
    urls = public_urls(scenario)
    anonymous, admin = APIClient(), token_client(scenario.users["admin"])
    before = snapshot(anonymous, urls)
    before_admin = snapshot(admin, urls)

    with django_capture_on_commit_callbacks(execute=True):
        run_to_finalized(scenario)
    scenario.refresh()
    assert scenario.stage.status == "finalized"
    assert scenario.teams["epsilon"].status == "eliminated"  # staff's record moved on

    assert snapshot(anonymous, urls) == before
    # A staff token changes nothing on the public side either.
    assert snapshot(admin, urls) == before_admin
    # Rendered afresh, not only as the caches kept it: the views themselves show nothing new.
    cache.clear()
    published_cache_clear()
    assert snapshot(anonymous, urls) == before
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_the_results_appear_once_published(finalized, client, django_capture_on_commit_callbacks):
    url = f"/api/v1/stages/{finalized.stage.pk}/standings/"
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/teams/?status=eliminated").json()["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])

    standings = client.get(url)
    assert standings.status_code == 200
    assert standings.json()["rows"][0]["team"] == "alpha"
    eliminated = client.get("/api/v1/teams/?status=eliminated").json()
    assert [team["slug"] for team in eliminated["results"]] == ["epsilon"]
    assert eliminated["results"][0]["left_stage"]["slug"] == "stage-1"


def test_the_stage_status_reads_in_progress_while_finalized(finalized, client):
    stage = client.get(f"/api/v1/stages/{finalized.stage.pk}/").json()
    assert stage["status"] == "in_progress"
    assert stage["announcement_at"] is None
    assert stage["standings_url"] is None
    finalized_filter = client.get("/api/v1/stages/?status=finalized")
    assert finalized_filter.status_code == 400
    assert finalized_filter.json()["field"] == "status"
