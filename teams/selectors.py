"""Reads of teams for the public pages.

Only who the teams are comes from here. What happened to them (eliminated, disqualified,
selected) is a stage result, so the public reads it from publications through
`evaluations.selectors.teams_public`, never from `Team.status`, which staff set at finalizing,
before the announcement.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Length

from programs.models import Program, Source, Stage
from teams.models import AIModel, BenchmarkResult, Membership, Organization, Team


def teams_for_program(program: Program) -> QuerySet[Team]:
    """The program's publicly known teams with their lead organisation and models: two queries.

    A team that joined at a stage whose result is not out yet (e.g. an additional call) is not
    listed.
    """
    return (
        Team.objects.filter(program=program, joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("lead", "joined_stage")
        .prefetch_related(Prefetch("models", queryset=AIModel.objects.order_by("name")))
        .order_by("joined_stage__order", "name_en")
    )


def teams_public_queryset() -> QuerySet[Team]:
    """Publicly known teams of every program, with members and sources (constant queries)."""
    return (
        Team.objects.filter(joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("program", "lead", "joined_stage")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization").prefetch_related(
                    "sources"
                ),
            ),
            "sources",
        )
        .order_by("program_id", "joined_stage__order", "name_en", "pk")
    )


def organizations_public() -> QuerySet[Organization]:
    """Organisations that lead or belong to a publicly known team."""
    public = Q(led_teams__joined_stage__status=Stage.Status.PUBLISHED) | Q(
        memberships__team__joined_stage__status=Stage.Status.PUBLISHED
    )
    ids = Organization.objects.filter(public).values("pk")
    return Organization.objects.filter(pk__in=ids).order_by("name_en", "pk")


def ai_models_public() -> QuerySet[AIModel]:
    """Models of publicly known teams, with their sources."""
    return (
        AIModel.objects.filter(team__joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("team")
        .prefetch_related("sources")
    )


def benchmark_results_public() -> QuerySet[BenchmarkResult]:
    return (
        BenchmarkResult.objects.filter(model__team__joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("model__team")
        .prefetch_related("sources")
        .order_by("model__name", "benchmark", "setting", "pk")
    )


def team_public_for_slug(*, program: Program, slug: str) -> Team | None:
    """A publicly known team with its consortium (members by role, dates), models and sources."""
    return (
        teams_for_program(program)
        .filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization")
                .prefetch_related("sources")
                .order_by("role", "organization__name_en"),
            ),
            Prefetch("sources", queryset=Source.objects.order_by(Length("key"), "key")),
        )
        .first()
    )


# Columns the public models table may be sorted by: query parameter → ORM ordering.
MODEL_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "team": ("team__name_en", "name"),
    "total": ("parameters_total_b", "name"),
    "active": ("parameters_active_b", "name"),
    "context": ("context_length", "name"),
    "released": ("release_date", "name"),
}


def models_public(
    *,
    program: Program,
    sort: str = "name",
    descending: bool = False,
    open_weights: bool | None = None,
    modality: str | None = None,
    team_slug: str | None = None,
) -> list[AIModel]:
    """The models of the publicly known teams, sorted and filtered on the server: one query.

    Unknown values (not disclosed) sort last whichever the direction.
    """
    models = AIModel.objects.filter(
        team__program=program, team__joined_stage__status=Stage.Status.PUBLISHED
    ).select_related("team")
    if open_weights is not None:
        models = models.filter(open_weights=open_weights)
    if team_slug:
        models = models.filter(team__slug=team_slug)
    found = list(models)
    if modality:
        # JSON containment differs between SQLite and PostgreSQL; the list is small and loaded
        # in one query either way.
        found = [
            m for m in found if modality in (m.modalities_input or []) + (m.modalities_output or [])
        ]
    fields = MODEL_SORTS.get(sort, MODEL_SORTS["name"])

    def key(model: AIModel) -> tuple[Any, ...]:
        parts: list[Any] = []
        for field in fields:
            value: Any = model
            for part in field.split("__"):
                value = getattr(value, part)
            parts.append((value is None, value if value is not None else 0))
        return tuple(parts)

    known = [m for m in found if key(m)[0][0] is False]
    unknown = [m for m in found if key(m)[0][0] is True]
    known.sort(key=key, reverse=descending)
    unknown.sort(key=lambda m: m.name)
    return known + unknown


def model_public_for_slug(*, program: Program, slug: str) -> AIModel | None:
    """A model of a publicly known team with its benchmark numbers and sources."""
    return (
        AIModel.objects.filter(
            team__program=program, team__joined_stage__status=Stage.Status.PUBLISHED, slug=slug
        )
        .select_related("team", "team__lead")
        .prefetch_related(
            Prefetch(
                "benchmarks",
                queryset=BenchmarkResult.objects.prefetch_related("sources").order_by(
                    "benchmark", "setting"
                ),
            ),
            Prefetch("sources", queryset=Source.objects.order_by(Length("key"), "key")),
        )
        .first()
    )
