"""Admin for evaluations: participations, scores, gate results, decisions and what was published.

Writes that feed the standings go through the services, exactly as the staff pages do: scores
and gate results are saved with `score_save` / `gate_result_save` (two-person rule, version
check, recompute on commit), and every other change to a stage's scoring inputs (participations,
criteria, gates, rules) goes through `evaluations.services.rules`. Stage statuses change only
through the workflow actions on the stage list, which call the lifecycle services. A service
refusal is shown as an error message and nothing is saved.

Computed and frozen records (standings snapshots and rows, publications, recompute locks) are
read-only here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from evaluations.models import (
    Decision,
    GateResult,
    Participation,
    Publication,
    RecomputeLock,
    Score,
    ScoreImport,
    StageStatistic,
    StandingsRow,
    StandingsSnapshot,
)
from evaluations.roles import Role, user_has_role
from evaluations.services.lifecycle import (
    stage_finalize,
    stage_open,
    stage_return_to_scoring,
    stage_submit_for_review,
)
from evaluations.services.publication import stage_publish
from evaluations.services.rules import criterion_saved, stage_rules_changed
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_save,
    score_confirm,
    score_delete,
    score_save,
)
from programs import admin as programs_admin
from programs.errors import DomainError
from programs.models import Criterion, Gate, Stage


def _pretty_json(value: object) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))


class ReadOnlyAdminMixin:
    """Viewable by anyone with the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceErrorsAsMessagesMixin:
    """Turn a service refusal (`DomainError`) into an error message on the same page.

    Django's admin saves inside a transaction, so the refusal also rolls back anything the
    form had already written.
    """

    def _refused(self, request: HttpRequest, error: DomainError) -> HttpResponse:
        self.message_user(request, str(error), messages.ERROR)  # type: ignore[attr-defined]
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as error:
            return self._refused(request, error)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as error:
            return self._refused(request, error)


def _copy_saved(target: Any, saved: Any) -> None:
    """Let the admin log and redirect to the row the service wrote."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


# --- Stage rules: the programs admin, plus "standings inputs changed" -------------------------


admin.site.unregister([Stage, Criterion, Gate])


def _stage_workflow_action(
    service: Callable[..., Any], done: Promise
) -> Callable[[Any, HttpRequest, QuerySet[Stage]], None]:
    """An admin action that runs one stage workflow service per selected stage."""

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Stage]) -> None:
        for stage in queryset.order_by("order"):
            try:
                service(stage_id=stage.pk, user=_acting_user(request))
            except DomainError as error:
                modeladmin.message_user(request, f"{stage.name}: {error}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{stage.name}: {done}", messages.SUCCESS)

    return action


@admin.register(Stage)
class StageAdmin(programs_admin.StageAdmin):
    actions = [
        "open_for_scoring",
        "send_to_review",
        "return_to_scoring",
        "finalize_as_proposed",
        "publish_now",
    ]

    open_for_scoring = admin.action(description=_("Open for scoring (planned → scoring)"))(
        _stage_workflow_action(stage_open, _("opened for scoring."))
    )
    send_to_review = admin.action(description=_("Send to review (scoring → review)"))(
        _stage_workflow_action(stage_submit_for_review, _("sent to review."))
    )
    return_to_scoring = admin.action(description=_("Return to scoring (review → scoring)"))(
        _stage_workflow_action(stage_return_to_scoring, _("returned to scoring."))
    )
    finalize_as_proposed = admin.action(
        description=_("Finalize with the proposed outcome (review → finalized)")
    )(_stage_workflow_action(stage_finalize, _("finalized; decisions recorded.")))
    publish_now = admin.action(description=_("Publish now (finalized → published)"))(
        _stage_workflow_action(stage_publish, _("published."))
    )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            stage_rules_changed(stage_id=form.instance.pk)


@admin.register(Criterion)
class CriterionAdmin(programs_admin.CriterionAdmin):
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        criterion_saved(criterion=form.instance)

    def delete_model(self, request: HttpRequest, obj: Criterion) -> None:
        super().delete_model(request, obj)
        stage_rules_changed(stage_id=obj.stage_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Criterion]) -> None:
        stage_ids = set(queryset.values_list("stage_id", flat=True))
        super().delete_queryset(request, queryset)
        for stage_id in stage_ids:
            stage_rules_changed(stage_id=stage_id)


@admin.register(Gate)
class GateAdmin(programs_admin.GateAdmin):
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        stage_rules_changed(stage_id=form.instance.stage_id)

    def delete_model(self, request: HttpRequest, obj: Gate) -> None:
        super().delete_model(request, obj)
        stage_rules_changed(stage_id=obj.stage_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Gate]) -> None:
        stage_ids = set(queryset.values_list("stage_id", flat=True))
        super().delete_queryset(request, queryset)
        for stage_id in stage_ids:
            stage_rules_changed(stage_id=stage_id)


def _acting_user(request: HttpRequest) -> User:
    """The signed-in staff member acting; the admin site lets nobody else reach its views."""
    if not isinstance(request.user, User):
        raise DjangoPermissionDenied
    return request.user


# --- Participations -------------------------------------------------------------------------


class ScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Score
    readonly_fields = (
        "criterion",
        "evaluator_code",
        "value",
        "version",
        "entered_by",
        "confirmed_by",
    )
    fields = readonly_fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Score]:
        return (
            super()
            .get_queryset(request)
            .select_related("criterion", "entered_by", "confirmed_by", "participation__team")
        )


class GateResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = GateResult
    readonly_fields = (
        "gate",
        "passed",
        "reason_ko",
        "version",
        "entered_by",
        "confirmed_by",
    )
    fields = readonly_fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[GateResult]:
        return (
            super()
            .get_queryset(request)
            .select_related("gate", "entered_by", "confirmed_by", "participation__team")
        )


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ["team", "stage", "ranked", "note"]
    list_filter = ["stage__program", "stage", "ranked"]
    search_fields = ["team__name_ko", "team__name_en", "team__slug", "stage__name_ko"]
    ordering = ["stage__program", "stage__order", "team__name_en"]
    list_select_related = ["team", "stage"]
    autocomplete_fields = ["stage", "team", "ai_models", "individual_criteria"]
    inlines = [ScoreInline, GateResultInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Iterable[str]:
        # Which team in which stage is what a participation is; make a new one instead.
        return ["stage", "team"] if obj is not None else []

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        stage_rules_changed(stage_id=form.instance.stage_id)

    def delete_model(self, request: HttpRequest, obj: Participation) -> None:
        super().delete_model(request, obj)
        stage_rules_changed(stage_id=obj.stage_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Participation]) -> None:
        stage_ids = set(queryset.values_list("stage_id", flat=True))
        super().delete_queryset(request, queryset)
        for stage_id in stage_ids:
            stage_rules_changed(stage_id=stage_id)


# --- Scores and gate results ----------------------------------------------------------------


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Confirmed")), ("no", _("Waiting for a second person"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.confirmed()  # type: ignore[attr-defined]
        if self.value() == "no":
            return queryset.unconfirmed()  # type: ignore[attr-defined]
        return queryset


def _can_enter(request: HttpRequest) -> bool:
    return user_has_role(request.user, Role.CLERK, Role.ADMIN)


def _can_confirm(request: HttpRequest) -> bool:
    return user_has_role(request.user, Role.VERIFIER, Role.ADMIN)


class VersionedForm(forms.ModelForm):
    """Carries the version the person saw, so a concurrent change is refused, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ScoreAdminForm(VersionedForm):
    class Meta:
        model = Score
        fields = ["participation", "criterion", "evaluator_code", "value", "version"]


@admin.register(Score)
class ScoreAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
    form = ScoreAdminForm
    list_display = [
        "stage",
        "team",
        "criterion_code",
        "evaluator_code",
        "value",
        "value_max",
        "version",
        "entered_by",
        "confirmed_by",
        "confirmed",
    ]
    list_filter = [ConfirmedFilter, "participation__stage__program", "participation__stage"]
    search_fields = [
        "participation__team__name_ko",
        "participation__team__name_en",
        "criterion__code",
        "evaluator_code",
    ]
    ordering = ["participation__stage__order", "participation__team__name_en", "criterion__order"]
    list_select_related = [
        "participation__stage",
        "participation__team",
        "criterion",
        "entered_by",
        "confirmed_by",
    ]
    autocomplete_fields = ["participation", "criterion"]
    actions = ["confirm_selected"]
    list_per_page = 100

    @admin.display(ordering="participation__stage__order")
    def stage(self, score: Score) -> Stage:
        return score.participation.stage

    @admin.display(ordering="participation__team__name_en")
    def team(self, score: Score) -> Any:
        return score.participation.team

    @admin.display(description=_("criterion"), ordering="criterion__code")
    def criterion_code(self, score: Score) -> str:
        return score.criterion.code

    @admin.display(boolean=True)
    def confirmed(self, score: Score) -> bool:
        return score.is_confirmed

    def get_readonly_fields(self, request: HttpRequest, obj: Score | None = None) -> list[str]:
        audit = ["value_max", "entered_by", "entered_at", "confirmed_by", "confirmed_at", "note"]
        if obj is None:
            return []
        identity = ["participation", "criterion", "evaluator_code"]
        return identity + ([] if _can_enter(request) else ["value"]) + audit

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return _can_confirm(request)

    def save_model(self, request: HttpRequest, obj: Score, form: Any, change: bool) -> None:
        if change and "value" not in form.changed_data:
            return
        saved = score_save(
            participation_id=obj.participation_id,
            criterion_id=obj.criterion_id,
            value=obj.value,
            user=_acting_user(request),
            evaluator_code=obj.evaluator_code,
            expected_version=form.cleaned_data.get("version") if change else None,
        )
        _copy_saved(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Score) -> None:
        score_delete(score_id=obj.pk, user=_acting_user(request), expected_version=obj.version)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Score]) -> None:
        with transaction.atomic():
            for score in queryset:
                score_delete(
                    score_id=score.pk, user=_acting_user(request), expected_version=score.version
                )

    @admin.action(description=_("Confirm the selected scores"), permissions=["confirm"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Score]) -> None:
        with transaction.atomic():
            for score in queryset:
                score_confirm(
                    score_id=score.pk, user=_acting_user(request), expected_version=score.version
                )
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Confirmed %(count)d score.", "Confirmed %(count)d scores.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class GateResultAdminForm(VersionedForm):
    class Meta:
        model = GateResult
        fields = ["participation", "gate", "passed", "reason_ko", "reason_en", "version"]


@admin.register(GateResult)
class GateResultAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
    form = GateResultAdminForm
    list_display = [
        "stage",
        "team",
        "gate",
        "passed",
        "version",
        "entered_by",
        "confirmed_by",
        "confirmed",
    ]
    list_filter = [
        ConfirmedFilter,
        "passed",
        "participation__stage__program",
        "participation__stage",
    ]
    search_fields = ["participation__team__name_ko", "participation__team__name_en", "gate__code"]
    ordering = ["participation__stage__order", "participation__team__name_en", "gate__code"]
    list_select_related = [
        "participation__stage",
        "participation__team",
        "gate",
        "entered_by",
        "confirmed_by",
    ]
    autocomplete_fields = ["participation", "gate"]
    actions = ["confirm_selected"]

    @admin.display(ordering="participation__stage__order")
    def stage(self, result: GateResult) -> Stage:
        return result.participation.stage

    @admin.display(ordering="participation__team__name_en")
    def team(self, result: GateResult) -> Any:
        return result.participation.team

    @admin.display(boolean=True)
    def confirmed(self, result: GateResult) -> bool:
        return result.is_confirmed

    def get_readonly_fields(self, request: HttpRequest, obj: GateResult | None = None) -> list[str]:
        if obj is None:
            return []
        identity = ["participation", "gate"]
        editable = [] if _can_enter(request) else ["passed", "reason_ko", "reason_en"]
        return [*identity, *editable, "entered_by", "confirmed_by", "confirmed_at"]

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return _can_confirm(request)

    def save_model(self, request: HttpRequest, obj: GateResult, form: Any, change: bool) -> None:
        if change and not {"passed", "reason_ko", "reason_en"} & set(form.changed_data):
            return
        saved = gate_result_save(
            participation_id=obj.participation_id,
            gate_id=obj.gate_id,
            passed=obj.passed,
            user=_acting_user(request),
            reason_ko=obj.reason_ko,
            reason_en=obj.reason_en,
            expected_version=form.cleaned_data.get("version") if change else None,
        )
        _copy_saved(obj, saved)

    def delete_model(self, request: HttpRequest, obj: GateResult) -> None:
        super().delete_model(request, obj)
        stage_rules_changed(stage_id=obj.participation.stage_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GateResult]) -> None:
        stage_ids = set(queryset.values_list("participation__stage_id", flat=True))
        super().delete_queryset(request, queryset)
        for stage_id in stage_ids:
            stage_rules_changed(stage_id=stage_id)

    @admin.action(description=_("Confirm the selected gate results"), permissions=["confirm"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[GateResult]) -> None:
        with transaction.atomic():
            for result in queryset:
                gate_result_confirm(
                    gate_result_id=result.pk,
                    user=_acting_user(request),
                    expected_version=result.version,
                )
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Confirmed %(count)d gate result.", "Confirmed %(count)d gate results.", count)
            % {"count": count},
            messages.SUCCESS,
        )


# --- Published aggregates and decisions -----------------------------------------------------


@admin.register(StageStatistic)
class StageStatisticAdmin(admin.ModelAdmin):
    list_display = ["stage", "criterion", "kind", "value", "team_count"]
    list_filter = ["stage__program", "stage", "kind"]
    search_fields = ["stage__name_ko", "stage__name_en", "criterion__code"]
    ordering = ["stage__order", "criterion__order"]
    list_select_related = ["stage", "criterion"]
    autocomplete_fields = ["stage", "criterion", "sources"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = [
        "team",
        "stage",
        "outcome",
        "reason_code",
        "proposed_outcome",
        "overrides_proposal",
        "decided_by",
        "decided_at",
    ]
    list_filter = [
        "outcome",
        "reason_code",
        "overrides_proposal",
        "participation__stage__program",
        "participation__stage",
    ]
    search_fields = ["participation__team__name_ko", "participation__team__name_en"]
    ordering = ["participation__stage__order", "participation__team__name_en"]
    list_select_related = ["participation__team", "participation__stage", "decided_by"]
    autocomplete_fields = ["participation", "sources"]
    readonly_fields = ["decided_by", "decided_at"]

    @admin.display(ordering="participation__team__name_en")
    def team(self, decision: Decision) -> Any:
        return decision.participation.team

    @admin.display(ordering="participation__stage__order")
    def stage(self, decision: Decision) -> Stage:
        return decision.participation.stage

    def save_model(self, request: HttpRequest, obj: Decision, form: Any, change: bool) -> None:
        obj.decided_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


# --- Computed and frozen records (read-only) ------------------------------------------------


class StandingsRowInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StandingsRow
    readonly_fields = (
        "position",
        "rank",
        "tied",
        "participation",
        "total",
        "proposed_outcome",
        "reason_en",
    )
    fields = readonly_fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[StandingsRow]:
        return super().get_queryset(request).select_related("participation__team")


@admin.register(StandingsSnapshot)
class StandingsSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "stage",
        "created_at",
        "is_current",
        "inputs_version",
        "engine_version",
        "duration_ms",
        "input_digest",
    ]
    list_filter = ["is_current", "stage__program", "stage"]
    search_fields = ["input_digest", "stage__name_ko", "stage__name_en"]
    ordering = ["stage__order", "-created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["stage"]
    readonly_fields = ["sensitivity_pretty"]
    exclude = ["sensitivity"]
    inlines = [StandingsRowInline]

    @admin.display(description=_("sensitivity"))
    def sensitivity_pretty(self, snapshot: StandingsSnapshot) -> str:
        return _pretty_json(snapshot.sensitivity)


@admin.register(StandingsRow)
class StandingsRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "snapshot",
        "position",
        "rank",
        "tied",
        "team",
        "total",
        "proposed_outcome",
        "reason_code",
    ]
    list_filter = ["proposed_outcome", "tied", "snapshot__is_current", "snapshot__stage"]
    search_fields = ["participation__team__name_ko", "participation__team__name_en"]
    ordering = ["snapshot", "position"]
    list_select_related = ["snapshot__stage", "participation__team"]

    @admin.display(ordering="participation__team__name_en")
    def team(self, row: StandingsRow) -> Any:
        return row.participation.team


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["stage", "sequence", "published_at", "published_by", "corrects", "snapshot"]
    list_filter = ["stage__program", "stage"]
    search_fields = ["stage__name_ko", "stage__name_en", "note_ko", "note_en"]
    ordering = ["stage__order", "sequence"]
    date_hierarchy = "published_at"
    list_select_related = ["stage", "published_by", "corrects__stage", "snapshot__stage"]
    readonly_fields = ["payload_pretty"]
    exclude = ["payload"]

    @admin.display(description=_("payload"))
    def payload_pretty(self, publication: Publication) -> str:
        return _pretty_json(publication.payload)


@admin.register(RecomputeLock)
class RecomputeLockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["stage"]
    list_select_related = ["stage"]
    ordering = ["stage__order"]


@admin.register(ScoreImport)
class ScoreImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Imports are uploaded, checked and applied on the staff import screen, never here."""

    list_display = ["filename", "stage", "status", "rows_total", "uploaded_by", "uploaded_at"]
    list_filter = ["status", "stage"]
    list_select_related = ["stage", "uploaded_by"]
    ordering = ["-uploaded_at"]
    exclude = ["content", "plan"]
