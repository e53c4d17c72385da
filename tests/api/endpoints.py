"""Every public read the API offers, for tests that must cover them all."""

from __future__ import annotations

from tests.builders import StageScenario as Scenario


def public_urls(scenario: Scenario) -> list[str]:
    """Lists, details, filters, orderings, exports and error paths of the public API."""
    stage = scenario.stage
    team = scenario.teams["alpha"]
    slug = scenario.program.slug
    return [
        "/api/v1/programs/",
        f"/api/v1/programs/{slug}/",
        f"/api/v1/programs/{slug}/chain/",
        "/api/v1/stages/",
        f"/api/v1/stages/{stage.pk}/",
        "/api/v1/stages/?status=in_progress",
        "/api/v1/stages/?status=published",
        "/api/v1/stages/?status=finalized",
        "/api/v1/stages/?ordering=-order",
        f"/api/v1/stages/{stage.pk}/standings/",
        f"/api/v1/stages/{stage.pk}/standings/?format=csv",
        f"/api/v1/stages/{stage.pk}/standings/?format=xlsx",
        "/api/v1/teams/",
        f"/api/v1/teams/{team.pk}/",
        "/api/v1/teams/?status=eliminated",
        "/api/v1/teams/?status=disqualified",
        "/api/v1/teams/?status=active",
        "/api/v1/teams/?ordering=-name_en",
        "/api/v1/teams/?ordering=status",
        "/api/v1/organizations/",
        "/api/v1/models/",
        "/api/v1/models/?ordering=-parameters_total_b",
        "/api/v1/benchmarks/",
        "/api/v1/publications/",
        f"/api/v1/publications/?stage={stage.pk}",
        "/api/v1/publications/?is_correction=false",
        "/api/v1/publications/1/",
        "/api/v1/publications/1/standings/",
        "/api/v1/publications/1/standings/?format=csv",
    ]
