"""Admin for who competes: organisations, teams with their members and models, benchmarks."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from teams.models import (
    AIModel,
    BenchmarkResult,
    Membership,
    ModelAlias,
    Organization,
    StageApplicant,
    Team,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    # Sources are web pages; a bare host means https (and Django 6 will assume so too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name_ko", "name_en", "kind", "slug", "website"]
    list_filter = ["kind"]
    search_fields = ["name_ko", "name_en", "slug"]
    ordering = ["name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["organization", "role", "joined_on", "left_on", "certainty", "note"]
    autocomplete_fields = ["organization"]
    extra = 0


class AIModelInline(admin.TabularInline):
    model = AIModel
    fields = ["name", "slug", "parameters_total_b", "parameters_active_b", "release_date"]
    extra = 0
    show_change_link = True


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name_ko", "name_en", "lead", "program", "joined_stage", "status", "left_stage"]
    list_filter = ["program", "status", "joined_stage", "left_stage"]
    search_fields = ["name_ko", "name_en", "slug", "lead__name_ko", "lead__name_en"]
    ordering = ["program", "joined_stage__order", "name_en"]
    list_select_related = ["program", "lead", "joined_stage", "left_stage"]
    autocomplete_fields = ["program", "lead", "joined_stage", "left_stage", "sources"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [MembershipInline, AIModelInline]
    fieldsets = [
        (None, {"fields": ["program", "slug", ("name_ko", "name_en"), "lead"]}),
        ("In the program", {"fields": ["joined_stage", "status", "left_stage"]}),
        (
            "Description",
            {
                "fields": [
                    ("summary_ko", "summary_en"),
                    ("plan_ko", "plan_en"),
                    "member_count_note",
                    "sources",
                ]
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "team", "role", "joined_on", "left_on", "certainty"]
    list_filter = ["role", "certainty", "team__program", "team"]
    search_fields = [
        "organization__name_ko",
        "organization__name_en",
        "team__name_ko",
        "team__name_en",
    ]
    ordering = ["team", "role", "organization__name_en"]
    list_select_related = ["organization", "team"]
    autocomplete_fields = ["team", "organization", "sources"]


class BenchmarkResultInline(admin.TabularInline):
    model = BenchmarkResult
    fields = ["benchmark", "setting", "score", "certainty"]
    extra = 0


class ModelAliasInline(admin.TabularInline):
    """The sources of each alias; the names themselves are the model's `aliases`."""

    model = ModelAlias
    fields = ["name", "sources"]
    autocomplete_fields = ["sources"]
    extra = 0


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "team",
        "parameters_total_b",
        "parameters_active_b",
        "context_length",
        "licence",
        "open_weights",
        "release_date",
    ]
    list_filter = ["open_weights", "licence_certainty", "team__program", "team"]
    search_fields = ["name", "name_ko", "slug", "huggingface_id", "team__name_ko", "team__name_en"]
    ordering = ["team", "name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BenchmarkResultInline, ModelAliasInline]
    fieldsets = [
        (None, {"fields": ["team", ("name", "name_ko"), "slug", "aliases"]}),
        (
            "Specification",
            {
                "fields": [
                    ("parameters_total_b", "parameters_active_b"),
                    "architecture",
                    ("modalities_input", "modalities_output"),
                    ("context_length", "vocabulary_size"),
                    "languages",
                ]
            },
        ),
        (
            "Release",
            {
                "fields": [
                    ("licence", "licence_certainty"),
                    "open_weights",
                    ("huggingface_id", "github"),
                    ("release_date", "release_date_note"),
                ]
            },
        ),
        ("Description", {"fields": [("summary_ko", "summary_en"), "sources"]}),
    ]


@admin.register(BenchmarkResult)
class BenchmarkResultAdmin(admin.ModelAdmin):
    list_display = ["model", "benchmark", "setting", "score", "certainty"]
    list_filter = ["certainty", "model__team", "benchmark"]
    search_fields = ["benchmark", "setting", "model__name"]
    ordering = ["model", "benchmark"]
    list_select_related = ["model"]
    autocomplete_fields = ["model", "sources"]


@admin.register(StageApplicant)
class StageApplicantAdmin(admin.ModelAdmin):
    """Who applied at a call; an applicant not selected is not a team of the program."""

    list_display = ["organization", "stage", "selected", "team"]
    list_filter = ["stage__program", "stage", "selected"]
    search_fields = ["organization__name_ko", "organization__name_en"]
    ordering = ["stage", "organization__name_en"]
    list_select_related = ["organization", "stage", "team"]
    autocomplete_fields = ["stage", "organization", "team", "sources"]
    fields = ["stage", "organization", "selected", "team", ("reason_ko", "reason_en"), "sources"]


@admin.register(ModelAlias)
class ModelAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "model"]
    search_fields = ["name", "model__name"]
    ordering = ["model", "name"]
    list_select_related = ["model"]
    autocomplete_fields = ["model", "sources"]
