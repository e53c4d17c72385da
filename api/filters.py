"""Filters and ordering of the public lists. Nothing here filters or orders by a value that
is a result before publication (a stage's staff status, a team's staff status)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from programs.models import Stage
from teams.models import AIModel, BenchmarkResult, Organization, Team


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=a,-b`: unknown (null) values last in both directions on every database, and
    the id as the last key so pages never overlap."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        expressions = [
            F(term[1:]).desc(nulls_last=True)
            if term.startswith("-")
            else F(term).asc(nulls_last=True)
            for term in ordering
        ]
        return queryset.order_by(*expressions, "pk")


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the id range (a huge or fractional one is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class StageFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__slug")
    status = django_filters.ChoiceFilter(
        choices=[
            ("planned", "planned"),
            ("in_progress", "in_progress"),
            ("published", "published"),
        ],
        method="filter_status",
        help_text="The public status: scoring, review and finalized are all in_progress.",
    )

    class Meta:
        model = Stage
        fields = ["program", "kind", "status"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "in_progress":
            return queryset.exclude(status__in=[Stage.Status.PLANNED, Stage.Status.PUBLISHED])
        return queryset.filter(status=value)


class TeamFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__slug")
    joined_stage = IdFilter(field_name="joined_stage_id")
    lead = django_filters.CharFilter(field_name="lead__slug")
    member = django_filters.CharFilter(field_name="memberships__organization__slug", distinct=True)
    # `status` is applied by the view from publications (TeamViewSet.filter_queryset).
    status = django_filters.ChoiceFilter(choices=Team.Status.choices, method="filter_nothing")

    class Meta:
        model = Team
        fields = ["program", "joined_stage", "lead", "member", "status"]

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset


class OrganizationFilter(django_filters.FilterSet):
    class Meta:
        model = Organization
        fields = ["kind"]


class AIModelFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="team__program__slug")
    team = django_filters.CharFilter(field_name="team__slug")
    modality = django_filters.CharFilter(
        method="filter_modality", help_text="Input or output modality, e.g. text, image."
    )
    open_weights = django_filters.BooleanFilter()
    architecture = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = AIModel
        fields = ["program", "team", "modality", "open_weights", "architecture"]

    def filter_modality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Lists of strings stored as JSON: match the quoted item, portable across databases.
        quoted = f'"{value.strip()}"'
        return queryset.filter(
            Q(modalities_input__icontains=quoted) | Q(modalities_output__icontains=quoted)
        )


class BenchmarkResultFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="model__slug")
    team = django_filters.CharFilter(field_name="model__team__slug")
    benchmark = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = BenchmarkResult
        fields = ["model", "team", "benchmark", "certainty"]


class PublicationFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="stage__program__slug")
    stage = IdFilter(field_name="stage_id")
    is_correction = django_filters.BooleanFilter(
        field_name="corrects", lookup_expr="isnull", exclude=True
    )
