"""Staff tools write through the API with tokens, the browser's roles and the same services;
changes need If-Match with the current ETag."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluations.models import Publication, Score
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring(db):
    return build_stage()


def create_score(api, scenario, value="9.0", team="alpha", code="nia"):
    return api.post(
        "/api/v1/staff/scores/",
        {
            "participation": scenario.participations[team].pk,
            "criterion": scenario.criteria[code].pk,
            "value": value,
        },
        format="json",
    )


def test_anonymous_gets_401_and_a_user_without_a_role_403(scoring, token_client):
    anonymous = APIClient()
    for method, url in (("get", "/api/v1/staff/scores/"), ("post", "/api/v1/staff/scores/")):
        response = getattr(anonymous, method)(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response.headers["WWW-Authenticate"] == "Token"
    outsider = token_client(scoring.users["outsider"])
    response = create_score(outsider, scoring)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Score.objects.exists()


def test_a_revoked_or_unknown_token_is_401(scoring):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/staff/scores/").status_code == 401


def test_a_clerk_enters_and_changes_a_score_with_if_match(scoring, token_client):
    clerk = token_client(scoring.users["clerk"])
    created = create_score(clerk, scoring)
    assert created.status_code == 201
    body = created.json()
    assert body["value"] == "9.0" and body["version"] == 1
    etag = created.headers["ETag"]
    assert etag == body["etag"]
    url = f"/api/v1/staff/scores/{body['id']}/"

    assert clerk.get(url).headers["ETag"] == etag
    changed = clerk.put(url, {"value": "9.5"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["value"] == "9.5"
    assert changed.headers["ETag"] != etag

    # The old ETag is stale now: 412 naming who saved which value, and nothing changes.
    stale = clerk.put(url, {"value": "1.0"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert stale.json()["params"]["value"] == "9.5"
    assert stale.json()["params"]["user"] == "clerk1"
    assert "9.5" in stale.json()["message"]
    # No If-Match at all: 428.
    missing = clerk.put(url, {"value": "1.0"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    assert Score.objects.get().value == 9.5


def test_a_value_above_the_maximum_is_400_naming_the_field(scoring, token_client):
    response = create_score(token_client(scoring.users["clerk"]), scoring, value="11")
    assert response.status_code == 400
    assert response.json()["field"] == "value"
    assert response.json()["code"] == "above_max"


def test_a_verifier_confirms_but_cannot_enter(scoring, token_client):
    clerk, verifier = token_client(scoring.users["clerk"]), token_client(scoring.users["verifier"])
    assert create_score(verifier, scoring).status_code == 403
    created = create_score(clerk, scoring).json()
    confirm_url = f"/api/v1/staff/scores/{created['id']}/confirm/"
    assert verifier.post(confirm_url).status_code == 428
    # The clerk cannot confirm their own entry.
    assert clerk.post(confirm_url, HTTP_IF_MATCH=created["etag"]).status_code == 403
    confirmed = verifier.post(confirm_url, HTTP_IF_MATCH=created["etag"])
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed_by"] == "verifier1"


def test_gate_results_need_if_match_too(scoring, token_client):
    clerk = token_client(scoring.users["clerk"])
    created = clerk.post(
        "/api/v1/staff/gate-results/",
        {
            "participation": scoring.participations["alpha"].pk,
            "gate": scoring.gate.pk,
            "passed": True,
        },
        format="json",
    )
    assert created.status_code == 201
    url = f"/api/v1/staff/gate-results/{created.json()['id']}/"
    assert clerk.put(url, {"passed": None}, format="json").status_code == 428
    assert (
        clerk.put(
            url, {"passed": None}, format="json", HTTP_IF_MATCH='"gate-result-1-v9"'
        ).status_code
        == 412
    )
    ok = clerk.put(url, {"passed": None}, format="json", HTTP_IF_MATCH=created.headers["ETag"])
    assert ok.status_code == 200 and ok.json()["passed"] is None


def test_only_an_administrator_finalizes_and_publishes(scoring, token_client):
    enter_five_teams(scoring)
    confirm_all(scoring)
    stage = f"/api/v1/staff/stages/{scoring.stage.pk}"
    for role in ("clerk", "verifier", "outsider"):
        assert (
            token_client(scoring.users[role]).post(f"{stage}/submit-for-review/").status_code == 403
        )
    admin = token_client(scoring.users["admin"])
    assert admin.post(f"{stage}/submit-for-review/").json()["status"] == "review"
    assert admin.post(f"{stage}/finalize/").json()["status"] == "finalized"
    # Finalizing twice is a conflict with the workflow, said in the one error shape.
    again = admin.post(f"{stage}/finalize/")
    assert again.status_code == 400 and again.json()["code"] == "wrong_status"
    published = admin.post(f"{stage}/publish/")
    assert published.status_code == 200
    assert published.json()["publication"] == Publication.objects.get().pk
    assert admin.post(f"{stage}/publish/").status_code == 409


def test_administrators_create_and_revoke_tokens(scoring, capsys):
    call_command("api_token", "clerk1")
    key = capsys.readouterr().out.strip()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/staff/scores/").status_code == 200
    call_command("api_token", "clerk1", "--revoke")
    assert not Token.objects.exists()
    assert api.get("/api/v1/staff/scores/").status_code == 401
