"""Admin for the program record: the program, its stages with their criteria and gates,
milestones and sources.

A stage's status moves through the workflow (`planned → scoring → review → finalized →
published`). Here staff may only move it among the open statuses; finalizing and publishing
happen through the stage workflow, which records decisions and publications with them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from programs.models import Criterion, Gate, Milestone, Program, Source, Stage

# Statuses staff may set by hand; the later ones are reached only through the workflow.


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    # Sources are web pages; a bare host means https (and Django 6 will assume so too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["key", "publisher", "title", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["key", "publisher", "title", "url", "note"]
    ordering = ["key"]
    date_hierarchy = "published_on"


class StageInline(admin.TabularInline):
    model = Stage
    fields = ["order", "name_ko", "kind", "status", "starts_on", "ends_on"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True
    ordering = ["order"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["date", "precision", "title_ko", "title_en", "certainty", "stage"]
    extra = 0
    ordering = ["date"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name_ko", "name_en", "slug", "ministry_ko"]
    search_fields = ["name_ko", "name_en", "slug", "short_name_ko"]
    ordering = ["name_en"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["sources"]
    inlines = [StageInline, MilestoneInline]
    fieldsets = [
        (None, {"fields": ["slug", ("name_ko", "name_en"), "short_name_ko"]}),
        ("Ministry", {"fields": [("ministry_ko", "ministry_en"), ("agencies_ko", "agencies_en")]}),
        (
            "Description",
            {
                "fields": [
                    ("goal_ko", "goal_en"),
                    ("summary_ko", "summary_en"),
                    ("budget_note_ko", "budget_note_en"),
                ]
            },
        ),
        ("Sources", {"fields": ["sources"]}),
    ]


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = [
        "order",
        "code",
        "parent",
        "name_ko",
        "name_en",
        "max_points",
        "aggregation",
        "target",
        "is_individual",
    ]
    extra = 0
    ordering = ["order", "code"]
    show_change_link = True

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        # A parent is a criterion of the same stage; offering every stage's criteria would make
        # each row's list as long as the whole table.
        if db_field.name == "parent":
            stage_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = Criterion.objects.filter(stage_id=stage_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GateInline(admin.TabularInline):
    model = Gate
    fields = ["code", "name_ko", "name_en"]
    extra = 0
    show_change_link = True


class StageAdminForm(forms.ModelForm):
    # No Meta: the admin builds it from StageAdmin.fieldsets.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is None:
            return
        # A status changes only through the stage workflow (the actions on the stage list),
        # whose guards (complete scores, confirmations, decisions) a form edit would skip.
        status.disabled = True
        status.help_text = _(
            "Changed only through the workflow actions on the stage list: open for scoring, "
            "send to review, return to scoring, finalize, publish now."
        )


@admin.register(Stage)
class StageAdmin(SimpleHistoryAdmin):
    form = StageAdminForm
    list_display = [
        "order",
        "name_ko",
        "name_en",
        "program",
        "kind",
        "status",
        "starts_on",
        "ends_on",
        "announcement_at",
        "teams_in",
        "teams_after",
    ]
    list_display_links = ["order", "name_ko"]
    list_filter = ["program", "kind", "status", "elimination_rule"]
    search_fields = ["name_ko", "name_en", "slug"]
    ordering = ["program", "order"]
    list_select_related = ["program"]
    autocomplete_fields = ["sources"]
    readonly_fields = ["standings_inputs_version", "published_at"]
    inlines = [CriterionInline, GateInline]
    fieldsets = [
        (None, {"fields": ["program", ("order", "slug"), "kind", ("name_ko", "name_en")]}),
        (
            "Schedule",
            {
                "fields": [
                    "status",
                    ("starts_on", "ends_on"),
                    "announcement_at",
                    ("schedule_note_ko", "schedule_note_en"),
                    "published_at",
                ]
            },
        ),
        (
            "Elimination",
            {
                "fields": [
                    "elimination_rule",
                    ("rule_count", "rule_threshold"),
                    "tie_break",
                    ("teams_in", "applicants", "applicants_selected", "teams_out", "teams_after"),
                    "standings_inputs_version",
                ]
            },
        ),
        ("Description", {"fields": [("summary_ko", "summary_en"), "sources"]}),
    ]


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name_ko",
        "name_en",
        "stage",
        "parent",
        "max_points",
        "aggregation",
        "is_individual",
        "order",
    ]
    list_filter = ["stage__program", "stage", "aggregation", "is_individual"]
    search_fields = ["code", "name_ko", "name_en"]
    ordering = ["stage__program", "stage__order", "order", "code"]
    list_select_related = ["stage", "parent"]
    autocomplete_fields = ["stage", "parent", "sources"]


@admin.register(Gate)
class GateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ko", "name_en", "stage"]
    list_filter = ["stage__program", "stage"]
    search_fields = ["code", "name_ko", "name_en"]
    ordering = ["stage__program", "stage__order", "code"]
    list_select_related = ["stage"]
    autocomplete_fields = ["stage", "sources"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["date", "precision", "title_ko", "title_en", "program", "stage", "certainty"]
    list_filter = ["program", "certainty", "precision", "stage"]
    search_fields = ["title_ko", "title_en", "description_ko", "description_en"]
    ordering = ["program", "date"]
    date_hierarchy = "date"
    list_select_related = ["program", "stage"]
    autocomplete_fields = ["program", "stage", "sources"]
