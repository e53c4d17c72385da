"""The public read API: what a newsroom gets from each endpoint, whoever asks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.api.endpoints import public_urls
from tests.factories import (
    AIModelFactory,
    BenchmarkResultFactory,
    MembershipFactory,
    SourceFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def test_every_public_endpoint_answers_everyone_alike(published, token_client, django_user_model):
    """Anonymous, each staff role and a signed-in user without a role see the same data."""
    urls = public_urls(published)
    anonymous = APIClient()
    expected = {url: anonymous.get(url) for url in urls}
    assert expected["/api/v1/teams/"].status_code == 200
    assert expected[f"/api/v1/stages/{published.stage.pk}/standings/"].status_code == 200
    no_role = django_user_model.objects.create(username="reader")
    for user in (*(published.users[r] for r in ("admin", "clerk", "verifier")), no_role):
        api = token_client(user)
        for url in urls:
            response = api.get(url)
            assert response.status_code == expected[url].status_code, (user, url)
            assert response.content == expected[url].content, (user, url)


def test_the_latest_standings_carry_exact_points_outcomes_and_reasons(published, client):
    body = client.get(f"/api/v1/stages/{published.stage.pk}/standings/").json()
    alpha = body["rows"][0]
    assert alpha["team"] == "alpha"
    assert alpha["team_name_ko"] == "alpha" and alpha["team_name_en"] == "Alpha"
    assert alpha["total"] == "90.2"
    assert alpha["points"]["expert"] == "31.6"
    assert alpha["outcome"] == "advanced"
    beta = next(row for row in body["rows"] if row["team"] == "beta")
    assert beta["outcome"] == "disqualified"
    assert beta["failed_gates"] == ["independence"]
    assert beta["reason_en"]
    assert body["published_at"].endswith("+09:00")
    assert len(body["digest"]) == 64
    assert body["latest"] is True
    assert [entry["sequence"] for entry in body["history"]] == [1]
    criteria = {c["code"]: c for c in body["criteria"]}
    assert criteria["benchmark"]["max_points"] == "40.0"
    assert criteria["nia"]["parent"] == "benchmark"


def test_a_stage_shows_its_rule_criteria_tree_and_gates(published, client):
    stage = client.get(f"/api/v1/stages/{published.stage.pk}/").json()
    assert stage["status"] == "published"
    assert stage["elimination_rule"] == "eliminate_lowest" and stage["rule_count"] == 1
    assert stage["published_at"].endswith("+09:00")
    by_code = {c["code"]: c for c in stage["criteria"]}
    assert by_code["expert"]["aggregation"] == "trimmed_mean"
    assert by_code["common"]["parent"] == "benchmark"
    assert [gate["code"] for gate in stage["gates"]] == ["independence"]


def test_teams_show_members_and_published_status(published, client):
    alpha = published.teams["alpha"]
    source = SourceFactory(key="S7", publisher="MSIT")
    member = MembershipFactory(team=alpha)
    member.sources.add(source)
    body = client.get(f"/api/v1/teams/{alpha.pk}/").json()
    assert body["status"] == "active"
    assert body["left_stage"] is None
    assert body["lead"]["slug"] == "alpha-org"
    assert body["members"][0]["organization"]["slug"] == member.organization.slug
    assert body["members"][0]["sources"][0]["key"] == "S7"
    epsilon = client.get(f"/api/v1/teams/{published.teams['epsilon'].pk}/").json()
    assert epsilon["status"] == "eliminated"


def test_undisclosed_model_facts_are_null_and_flagged_never_zero(db, client):
    AIModelFactory(slug="open", parameters_total_b=Decimal("32.00"), open_weights=True)
    AIModelFactory(slug="secret", parameters_total_b=None, open_weights=None)
    body = client.get("/api/v1/models/?ordering=-parameters_total_b").json()
    first, second = body["results"]
    assert first["slug"] == "open" and first["parameters_total_b"] == "32.0"
    assert "parameters_total_b" not in first["not_disclosed"]
    assert second["parameters_total_b"] is None
    assert {"parameters_total_b", "open_weights"} <= set(second["not_disclosed"])
    # Unknown values sort last whichever way the list is ordered.
    ascending = client.get("/api/v1/models/?ordering=parameters_total_b").json()
    assert [m["slug"] for m in ascending["results"]] == ["open", "secret"]


def test_models_filter_by_team_modality_and_open_weights(db, client):
    team = TeamFactory(slug="lg")
    AIModelFactory(team=team, slug="exaone", modalities_input=["text", "image"], open_weights=True)
    AIModelFactory(slug="other", modalities_input=["text"], open_weights=False)
    slugs = lambda url: [m["slug"] for m in client.get(url).json()["results"]]  # noqa: E731
    assert slugs("/api/v1/models/?team=lg") == ["exaone"]
    assert slugs("/api/v1/models/?modality=image") == ["exaone"]
    assert sorted(slugs("/api/v1/models/?modality=text")) == ["exaone", "other"]
    assert slugs("/api/v1/models/?open_weights=false") == ["other"]


def test_models_of_a_team_not_yet_announced_are_not_listed(db, client):
    hidden = TeamFactory(joined_stage__status="scoring")
    AIModelFactory(team=hidden, slug="unannounced")
    BenchmarkResultFactory(model__team=hidden)
    assert client.get("/api/v1/models/").json()["count"] == 0
    assert client.get("/api/v1/benchmarks/").json()["count"] == 0
    assert client.get("/api/v1/teams/").json()["count"] == 0
    assert client.get("/api/v1/organizations/").json()["count"] == 0


def test_benchmark_results_come_with_their_sources(db, client):
    result = BenchmarkResultFactory(score=Decimal("88.50"))
    result.sources.add(SourceFactory(key="S3"))
    body = client.get("/api/v1/benchmarks/").json()["results"][0]
    assert body["score"] == "88.5"
    assert body["sources"][0]["key"] == "S3"


def test_lists_are_paginated(db, client):
    for index in range(3):
        AIModelFactory(slug=f"m{index}")
    page = client.get("/api/v1/models/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert client.get("/api/v1/models/?page=9").status_code == 404
