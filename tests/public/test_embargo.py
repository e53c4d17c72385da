"""A stage run to "finalized" through the services shows nothing of its result anywhere public
until it is published: no number, no decision, no change in team counts or statuses, on pages,
feeds, the embed view, the sitemap, social tags or error pages."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from config.published_cache import published_cache_clear
from evaluations.models import StandingsRow
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import stage_publish
from programs.models import Stage
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/stages/stage-1/",
    "/stages/stage-2/",
    "/teams/alpha/",
    "/teams/beta/",
    "/teams/epsilon/",
    "/models/",
    "/announcements/",
    "/announcements/feed/",
    "/embed/stages/stage-1/",
    "/sitemap.xml",
    "/robots.txt",
    "/stages/no-such-stage/",
]
EVERY_PAGE = PAGES + ["/en" + path for path in PAGES]


def public_view(client) -> dict[str, str]:
    """What an anonymous visitor gets at every public address, feed dates left out (a feed's
    `<updated>` is the time it was generated when nothing is published)."""
    seen = {}
    for path in EVERY_PAGE:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        body = response.content.decode()
        seen[path] = re.sub(r"<updated>[^<]*</updated>", "", body)
    return seen


@pytest.fixture
def scenario():
    return build_stage()


def run_to_finalized(scenario) -> None:
    enter_five_teams(scenario)
    confirm_all(scenario)
    admin = scenario.users["admin"]
    stage_submit_for_review(stage_id=scenario.stage.pk, user=admin)
    stage_finalize(stage_id=scenario.stage.pk, user=admin)
    scenario.refresh()


def test_a_finalized_stage_changes_nothing_public_until_published(client, scenario):
    before = public_view(client)

    run_to_finalized(scenario)
    assert scenario.stage.status == Stage.Status.FINALIZED
    assert scenario.teams["epsilon"].status == "eliminated"  # staff know; the public must not
    after = public_view(client)
    changed = [path for path in EVERY_PAGE if before[path] != after[path]]
    assert changed == []
    # Rendered afresh, not only as the caches kept it: the views themselves show nothing new.
    cache.clear()
    published_cache_clear()
    rendered = public_view(client)
    changed = [path for path in EVERY_PAGE if before[path] != rendered[path]]
    assert changed == []


def test_no_number_or_decision_of_a_finalized_stage_is_anywhere(client, scenario):
    run_to_finalized(scenario)
    totals = {
        str(total.normalize())
        for total in StandingsRow.objects.filter(
            snapshot__stage=scenario.stage, snapshot__is_current=True
        ).values_list("total", flat=True)
        if total is not None
    }
    assert "90.2" in totals  # alpha: 9.2 + 14.4 + 10.0 + 31.6 + 25

    for path, body in public_view(client).items():
        text = re.sub(r"<[^>]+>", " ", body)  # what is read, not attribute values
        for total in totals:
            assert not re.search(rf"(?<![\d.]){re.escape(total)}(?![\d])", text), (path, total)
        for word in ("Disqualified", "Eliminated", "실격", "탈락", "elimination line"):
            assert word not in body, (path, word)
        assert "teams after" not in body and "이후 팀" not in body, path


def test_once_published_the_numbers_and_decisions_appear(client, scenario):
    run_to_finalized(scenario)
    stage_publish(stage_id=scenario.stage.pk, user=scenario.users["admin"])

    stage_page = client.get("/en/stages/stage-1/").content.decode()
    feed = client.get("/en/announcements/feed/").content.decode()
    embed = client.get("/en/embed/stages/stage-1/").content.decode()
    home = client.get("/en/").content.decode()

    assert "90.2" in stage_page and "Disqualified" in stage_page and "Eliminated" in stage_page
    assert 'property="og:description" content="Alpha: Advanced (90.2)' in stage_page
    assert "Stage 1: results published" in feed and "Out: Beta (Disqualified" in feed
    assert "90.2" in embed
    assert "Eliminated" in home and "teams after" in home
