"""Fixtures of the API tests: a client, staff tokens, and a stage run through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import stage_publish
from tests.builders import StageScenario as Scenario
from tests.builders import build_stage, confirm_all, enter_five_teams


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters and cached bodies must not leak from one test into the next.
    cache.clear()


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client() -> Callable[[Any], APIClient]:
    """`token_client(user)`: a client sending that user's API token."""

    def make(user: Any) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


def run_to_finalized(scenario: Scenario) -> None:
    enter_five_teams(scenario)
    confirm_all(scenario)
    admin = scenario.users["admin"]
    stage_submit_for_review(stage_id=scenario.stage.pk, user=admin)
    stage_finalize(stage_id=scenario.stage.pk, user=admin)


@pytest.fixture
def finalized(db: None) -> Scenario:
    """Stage 1 of five teams, finalized (decisions recorded) but not published. The recompute
    tasks each save enqueues are not run: finalizing recomputes in its own transaction."""
    scenario = build_stage()
    run_to_finalized(scenario)
    scenario.refresh()
    return scenario


@pytest.fixture
def published(finalized: Scenario, django_capture_on_commit_callbacks: Any) -> Scenario:
    """The same stage, published by an administrator."""
    with django_capture_on_commit_callbacks(execute=True):
        stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    finalized.refresh()
    return finalized
