"""The public read API (/api/v1/): published data only.

This module reads stage results only through the publication selectors
(`evaluations.selectors`) and reference data through the programs/teams selectors; it never
touches `Score`, snapshots, decisions or the services (an import-linter contract says so).
Every view answers conditional requests (ETag / Last-Modified, 304), sends Cache-Control for
shared caches, serves bodies from the cache keyed by publication, and throttles anonymous
clients (api/caching.py, api/throttling.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters
from api.caching import PublishedCacheMixin
from api.renderers import StandingsCSVRenderer, StandingsXLSXRenderer
from api.serializers import public as s
from api.throttling import AnonymousThrottle
from evaluations.selectors import (
    publication_chain_for_program,
    publication_record,
    publications_visible,
    team_outcomes_published,
)
from programs.errors import NotFound
from programs.models import Program
from programs.selectors import programs_public, stages_public
from teams.models import Team
from teams.selectors import (
    ai_models_public,
    benchmark_results_public,
    organizations_public,
    teams_public_queryset,
)

STANDINGS_RENDERERS = [JSONRenderer, StandingsCSVRenderer, StandingsXLSXRenderer]
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "xlsx"],
    description="json (default), csv or xlsx; or send the matching Accept header.",
)
STANDINGS_RESPONSES = {
    (200, "application/json"): s.StandingsSerializer,
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Spreadsheet-safe CSV"),
    (200, StandingsXLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY),
}


class PublicReadViewSet(PublishedCacheMixin, viewsets.ReadOnlyModelViewSet):
    # Tokens only: a session would make responses vary by cookie and defeat shared caches.
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousThrottle]
    filter_backends = [DjangoFilterBackend, filters.NullsLastOrderingFilter]
    http_method_names = ["get", "head", "options"]


class ProgramViewSet(PublicReadViewSet):
    """The program(s) the tracker records, with sources."""

    serializer_class = s.ProgramSerializer
    lookup_field = "slug"
    ordering_fields = ["id", "slug"]

    def get_queryset(self) -> QuerySet[Program]:
        return programs_public()

    @extend_schema(responses=s.ChainLinkSerializer(many=True), filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def chain(self, request: Request, slug: str | None = None) -> Response:
        """The hash chain of the program's publications, oldest first (see docs: verify it)."""
        program = self.get_object()
        links = [
            {"publication": p.pk, "digest": p.digest, "record": publication_record(p)}
            for p in publication_chain_for_program(program=program)
        ]
        return Response(s.ChainLinkSerializer(links, many=True).data)


class StageViewSet(PublicReadViewSet):
    """Stages with their schedule, public status, rule, criteria tree with maxima, and gates."""

    serializer_class = s.StageSerializer
    filterset_class = filters.StageFilter
    ordering_fields = ["order", "starts_on", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return stages_public()

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=STANDINGS_RESPONSES, filters=False)
    @action(
        detail=True,
        renderer_classes=STANDINGS_RENDERERS,
        pagination_class=None,
        filter_backends=[],
    )
    def standings(self, request: Request, pk: str | None = None) -> Response:
        """The latest published standings of the stage (404 until the stage is published)."""
        stage = self.get_object()
        history = list(publications_visible().filter(stage=stage).select_related("stage__program"))
        if not history:
            raise NotFound(_("No published standings for this stage."))
        return Response(s.StandingsSerializer(history[-1], context={"history": history}).data)


class TeamViewSet(PublicReadViewSet):
    """Teams with lead, members and the status the publications gave them."""

    serializer_class = s.TeamSerializer
    filterset_class = filters.TeamFilter
    ordering_fields = ["name_en", "name_ko", "slug", "id"]

    def get_queryset(self) -> QuerySet[Team]:
        return teams_public_queryset()

    def _outcomes(self) -> dict[tuple[int, str], tuple[str, Any]]:
        if not hasattr(self, "_outcome_cache"):
            outcomes = {}
            for program in Program.objects.all():
                for slug, outcome in team_outcomes_published(program=program).items():
                    outcomes[(program.pk, slug)] = outcome
            self._outcome_cache = outcomes
        return self._outcome_cache

    def filter_queryset(self, queryset: QuerySet[Team]) -> QuerySet[Team]:
        queryset = super().filter_queryset(queryset)
        wanted = self.request.query_params.get("status")
        if wanted in Team.Status.values:
            outcomes = self._outcomes()
            ids = [
                team.pk
                for team in queryset.values_list("pk", "slug", "program_id", named=True)
                if outcomes.get((team.program_id, team.slug), (Team.Status.ACTIVE, None))[0]
                == wanted
            ]
            queryset = queryset.filter(pk__in=ids)
        return queryset

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            teams = args[0] if kwargs.get("many") else [args[0]]
            outcomes = self._outcomes()
            for team in teams:
                status, left = outcomes.get(
                    (team.program_id, team.slug), (Team.Status.ACTIVE, None)
                )
                team.public_status, team.public_left_stage = status, left
        return super().get_serializer(*args, **kwargs)


class OrganizationViewSet(PublicReadViewSet):
    """Organisations leading or in a consortium."""

    serializer_class = s.OrganizationSerializer
    lookup_field = "slug"
    filterset_class = filters.OrganizationFilter
    ordering_fields = ["name_en", "name_ko", "slug"]

    def get_queryset(self) -> QuerySet[Any]:
        return organizations_public()


class AIModelViewSet(PublicReadViewSet):
    """Models with their specifications; filter by team, modality, open weights, architecture;
    order by parameters or release date (unknown values last)."""

    serializer_class = s.AIModelSerializer
    lookup_field = "slug"
    filterset_class = filters.AIModelFilter
    ordering_fields = [
        "parameters_total_b",
        "parameters_active_b",
        "release_date",
        "context_length",
        "name",
    ]
    ordering = ["team__name_en", "name"]

    def get_queryset(self) -> QuerySet[Any]:
        return ai_models_public().order_by("team__name_en", "name", "pk")


class BenchmarkResultViewSet(PublicReadViewSet):
    """Benchmark numbers published in model cards, with their sources."""

    serializer_class = s.BenchmarkResultSerializer
    filterset_class = filters.BenchmarkResultFilter
    ordering_fields = ["benchmark", "score", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return benchmark_results_public()


class PublicationViewSet(PublicReadViewSet):
    """Publications as frozen (first ones and corrections), each with its digest."""

    serializer_class = s.PublicationSerializer
    filterset_class = filters.PublicationFilter
    ordering_fields = ["published_at", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            publications_visible()
            .select_related("stage__program", "corrects")
            .order_by("stage__order", "sequence", "pk")
        )

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except (Http404, ValueError):
            raise NotFound(_("Not found.")) from None

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=STANDINGS_RESPONSES, filters=False)
    @action(
        detail=True,
        renderer_classes=STANDINGS_RENDERERS,
        pagination_class=None,
        filter_backends=[],
    )
    def standings(self, request: Request, pk: str | None = None) -> Response:
        """The standings of the stage as of this publication."""
        publication = self.get_object()
        history = list(
            publications_visible()
            .filter(stage_id=publication.stage_id)
            .select_related("stage__program")
        )
        return Response(s.StandingsSerializer(publication, context={"history": history}).data)
