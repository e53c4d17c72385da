"""Reads of teams for the public pages.

Only who the teams are comes from here. What happened to them (eliminated, disqualified,
selected) is a stage result, so the public reads it from publications through
`evaluations.selectors.teams_public`, never from `Team.status`, which staff set at finalizing,
before the announcement.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from programs.models import Program, Stage
from teams.models import AIModel, BenchmarkResult, Membership, Organization, Team


def teams_for_program(program: Program) -> QuerySet[Team]:
    """The program's publicly known teams with their lead organisation: one query.

    A team that joined at a stage whose result is not out yet (e.g. an additional call) is not
    listed.
    """
    return (
        Team.objects.filter(program=program, joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("lead", "joined_stage")
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
