"""Admin for evaluations: participations, scores, gate results, decisions and what was published.

Every write goes through the services, exactly as the staff pages do: scores and gate results
through `evaluations.services.scores` (two-person rule, version check, recompute on commit);
criteria, gates, the elimination rule and participations, on their own pages and in the stage
page's inlines, through `evaluations.services.setup`; a decision is only changed, through
`decision_change`, which also moves the team's status. Stage statuses change only through the
workflow actions on the stage list, which call the lifecycle services. A service refusal is
shown as an error message and nothing is saved. Each object's "History" page shows who changed
what, when and why.

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
    stage_schedule_announcement,
    stage_submit_for_review,
)
from evaluations.services.publication import decision_change, stage_publish
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_delete,
    gate_result_save,
    score_confirm,
    score_delete,
    score_save,
)
from evaluations.services.setup import (
    STAGE_RULE,
    UNSET,
    criterion_create,
    criterion_delete,
    criterion_update,
    gate_create,
    gate_delete,
    gate_update,
    participation_create,
    participation_delete,
    participation_update,
    stage_rules_update,
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


class ChangeReasonForm(forms.ModelForm):
    """A model form with the reason the services keep in the history."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_(
            "Kept in the history. Needed to change weights or the elimination rule once "
            "scoring has begun."
        ),
    )


# Form field name → service keyword, where they differ.
_SERVICE_KWARG = {"parent": "parent_id", "sources": "source_ids"}
# Form fields that are never passed to a setup service.
_NOT_FOR_SERVICES = {"id", "stage", "DELETE", "change_reason", "ORDER"}


def _service_kwargs(form: Any, names: Iterable[str]) -> dict[str, Any]:
    """The cleaned values of `names`, as a setup service takes them (ids for relations)."""
    values: dict[str, Any] = {}
    for name in names:
        if name in _NOT_FOR_SERVICES or name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "parent":
            value = value.pk if value is not None else None
        elif name == "sources":
            value = [source.pk for source in value]
        values[_SERVICE_KWARG.get(name, name)] = value
    return values


def _reason(form: Any) -> str:
    return (form.cleaned_data.get("change_reason") or "").strip()


def _criterion_from_form(
    request: HttpRequest, form: Any, *, stage_id: int, reason: str
) -> Criterion | None:
    """Create, change or delete the criterion of one (inline) form through the services."""
    instance = form.instance
    if form.cleaned_data.get("DELETE"):
        if instance.pk is not None:
            criterion_delete(criterion_id=instance.pk, user=_acting_user(request), reason=reason)
        return None
    if instance.pk is None or instance._state.adding:
        saved = criterion_create(
            stage_id=stage_id,
            user=_acting_user(request),
            reason=reason,
            **_service_kwargs(form, form.cleaned_data),
        )
    else:
        saved = criterion_update(
            criterion_id=instance.pk,
            user=_acting_user(request),
            reason=reason,
            **_service_kwargs(form, form.changed_data),
        )
    _copy_saved(instance, saved)
    return saved


def _gate_from_form(request: HttpRequest, form: Any, *, stage_id: int, reason: str) -> Gate | None:
    instance = form.instance
    if form.cleaned_data.get("DELETE"):
        if instance.pk is not None:
            gate_delete(gate_id=instance.pk, user=_acting_user(request), reason=reason)
        return None
    if instance.pk is None or instance._state.adding:
        saved = gate_create(
            stage_id=stage_id,
            user=_acting_user(request),
            reason=reason,
            **_service_kwargs(form, form.cleaned_data),
        )
    else:
        saved = gate_update(
            gate_id=instance.pk,
            user=_acting_user(request),
            reason=reason,
            **_service_kwargs(form, form.changed_data),
        )
    _copy_saved(instance, saved)
    return saved


class StageChangeForm(programs_admin.StageAdminForm, ChangeReasonForm):
    pass


@admin.register(Stage)
class StageAdmin(ServiceErrorsAsMessagesMixin, programs_admin.StageAdmin):
    """The programs stage admin, writing rules, criteria and gates through the setup services."""

    form = StageChangeForm
    fieldsets = [
        *programs_admin.StageAdmin.fieldsets,
        ("Reason", {"fields": ["change_reason"]}),
    ]
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

    def save_model(self, request: HttpRequest, obj: Stage, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = set(form.changed_data)
        rules = {name: form.cleaned_data[name] for name in STAGE_RULE if name in changed}
        if rules:
            stage_rules_update(
                stage_id=obj.pk, user=_acting_user(request), reason=_reason(form), **rules
            )
        announcement = form.cleaned_data.get("announcement_at")
        if "announcement_at" in changed and announcement is not None:
            stage_schedule_announcement(
                stage_id=obj.pk, user=_acting_user(request), announcement_at=announcement
            )
            changed.discard("announcement_at")
        # Names, dates, counts and notes: plain fields with no rules of their own; the history
        # middleware names the person.
        rest = [
            name
            for name in changed - set(STAGE_RULE) - _NOT_FOR_SERVICES - {"sources", "status"}
            if name in {field.name for field in Stage._meta.concrete_fields}
        ]
        if rest:
            obj.save(update_fields=rest)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model not in (Criterion, Gate):
            super().save_formset(request, form, formset, change)
            return
        # Fills new/changed/deleted_objects for the admin's change message; writes nothing.
        formset.save(commit=False)
        write = _criterion_from_form if formset.model is Criterion else _gate_from_form
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not hasattr(inline_form, "cleaned_data"):
                continue
            write(request, inline_form, stage_id=form.instance.pk, reason=_reason(form))


class CriterionChangeForm(ChangeReasonForm):
    class Meta:
        model = Criterion
        fields = [
            "stage",
            "parent",
            "code",
            "name_ko",
            "name_en",
            "max_points",
            "aggregation",
            "target",
            "is_individual",
            "order",
            "description_ko",
            "description_en",
            "sources",
            "change_reason",
        ]


@admin.register(Criterion)
class CriterionAdmin(ServiceErrorsAsMessagesMixin, programs_admin.CriterionAdmin):
    form = CriterionChangeForm

    def save_model(self, request: HttpRequest, obj: Criterion, form: Any, change: bool) -> None:
        _criterion_from_form(request, form, stage_id=obj.stage_id, reason=_reason(form))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the services set the sources

    def delete_model(self, request: HttpRequest, obj: Criterion) -> None:
        criterion_delete(criterion_id=obj.pk, user=_acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Criterion]) -> None:
        with transaction.atomic():
            for criterion in queryset:
                criterion_delete(criterion_id=criterion.pk, user=_acting_user(request))


class GateChangeForm(ChangeReasonForm):
    class Meta:
        model = Gate
        fields = [
            "stage",
            "code",
            "name_ko",
            "name_en",
            "description_ko",
            "description_en",
            "sources",
            "change_reason",
        ]


@admin.register(Gate)
class GateAdmin(ServiceErrorsAsMessagesMixin, programs_admin.GateAdmin):
    form = GateChangeForm

    def save_model(self, request: HttpRequest, obj: Gate, form: Any, change: bool) -> None:
        _gate_from_form(request, form, stage_id=obj.stage_id, reason=_reason(form))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the services set the sources

    def delete_model(self, request: HttpRequest, obj: Gate) -> None:
        gate_delete(gate_id=obj.pk, user=_acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Gate]) -> None:
        with transaction.atomic():
            for gate in queryset:
                gate_delete(gate_id=gate.pk, user=_acting_user(request))


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
class ParticipationAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
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

    def save_model(self, request: HttpRequest, obj: Participation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        model_ids = [model.pk for model in data.get("ai_models", [])]
        criterion_ids = [criterion.pk for criterion in data.get("individual_criteria", [])]
        user = _acting_user(request)
        if not change:
            saved = participation_create(
                stage_id=obj.stage_id,
                team_id=obj.team_id,
                user=user,
                ranked=data.get("ranked", True),
                note=data.get("note", ""),
                ai_model_ids=model_ids,
                individual_criterion_ids=criterion_ids,
            )
        else:
            changed = set(form.changed_data)
            saved = participation_update(
                participation_id=obj.pk,
                user=user,
                ranked=data["ranked"] if "ranked" in changed else UNSET,
                note=data["note"] if "note" in changed else UNSET,
                ai_model_ids=model_ids if "ai_models" in changed else UNSET,
                individual_criterion_ids=criterion_ids
                if "individual_criteria" in changed
                else UNSET,
            )
        _copy_saved(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The services set the models and criteria; the score and gate inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Participation) -> None:
        participation_delete(participation_id=obj.pk, user=_acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Participation]) -> None:
        with transaction.atomic():
            for participation in queryset:
                participation_delete(participation_id=participation.pk, user=_acting_user(request))


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
        gate_result_delete(
            gate_result_id=obj.pk, user=_acting_user(request), expected_version=obj.version
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GateResult]) -> None:
        with transaction.atomic():
            for result in queryset:
                gate_result_delete(
                    gate_result_id=result.pk,
                    user=_acting_user(request),
                    expected_version=result.version,
                )

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
class DecisionAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
    """Decisions are recorded by finalizing a stage; here only changed, by `decision_change`."""

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
    fields = [
        "participation",
        "outcome",
        "reason_ko",
        "reason_en",
        "reason_code",
        "proposed_outcome",
        "overrides_proposal",
        "decided_by",
        "decided_at",
        "sources",
    ]
    # Only the outcome and its reason are changed here, through the service (which records the
    # reason code, who and when, and moves the team's status with the decision).
    readonly_fields = [
        "participation",
        "reason_code",
        "proposed_outcome",
        "overrides_proposal",
        "decided_by",
        "decided_at",
        "sources",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # finalizing the stage records every decision

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a decision is changed, never removed

    @admin.display(ordering="participation__team__name_en")
    def team(self, decision: Decision) -> Any:
        return decision.participation.team

    @admin.display(ordering="participation__stage__order")
    def stage(self, decision: Decision) -> Stage:
        return decision.participation.stage

    def save_model(self, request: HttpRequest, obj: Decision, form: Any, change: bool) -> None:
        if not form.has_changed():
            return
        saved = decision_change(
            participation_id=obj.participation_id,
            user=_acting_user(request),
            outcome=form.cleaned_data["outcome"],
            reason_ko=form.cleaned_data.get("reason_ko", ""),
            reason_en=form.cleaned_data.get("reason_en", ""),
        )
        _copy_saved(obj, saved)


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
