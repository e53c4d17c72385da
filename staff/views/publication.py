"""Publication: the announcement time, publishing now, the preview, corrections.

The preview is built by `publication_payload_build`, the same function that freezes the
record at publication, so what it shows is exactly what the public pages and the API will
show. After publication an administrator may change a decision (with a reason) and publish a
correction with a note; the screen shows what the correction changes before it is published.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from evaluations.models import Outcome, Participation, Publication
from evaluations.roles import Role
from evaluations.selectors_staff import publication_payload_diff, stage_get
from evaluations.services.lifecycle import stage_schedule_announcement
from evaluations.services.publication import (
    decision_change,
    publication_correct,
    publication_payload_build,
    stage_publish,
)
from programs.errors import DomainError
from programs.models import Criterion, Stage
from staff.access import role_required
from staff.views.errors import not_found_on_domain_error

SEOUL = ZoneInfo("Asia/Seoul")


class ScheduleForm(forms.Form):
    announcement_at = forms.DateTimeField(
        label=_("Announcement time (Asia/Seoul)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Korean time. The results become public automatically at this minute."),
    )

    def clean_announcement_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["announcement_at"]
        # The field is read in the site's time zone, which is Seoul; say so explicitly.
        return value.replace(tzinfo=None).replace(tzinfo=SEOUL)


class DecisionChangeForm(forms.Form):
    participation = forms.TypedChoiceField(label=_("Team"), coerce=int)
    outcome = forms.ChoiceField(label=_("New outcome"), choices=Outcome.choices)
    reason_ko = forms.CharField(label=_("Reason (Korean)"), required=False)
    reason_en = forms.CharField(label=_("Reason (English)"), required=False)

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participation"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.team.name)
            for p in Participation.objects.filter(stage=stage).select_related("team")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("reason_ko", "").strip() or data.get("reason_en", "").strip()):
            raise forms.ValidationError(_("Changing a decision needs a reason."))
        return data


class CorrectionForm(forms.Form):
    note_ko = forms.CharField(label=_("Note (Korean)"), required=False, widget=forms.Textarea)
    note_en = forms.CharField(label=_("Note (English)"), required=False, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("note_ko", "").strip() or data.get("note_en", "").strip()):
            raise forms.ValidationError(_("A correction needs a note saying what changed."))
        return data


def _preview(stage: Stage) -> tuple[dict[str, Any] | None, str]:
    """The record as it would be published now, or why there is none yet."""
    try:
        return publication_payload_build(stage=stage), ""
    except DomainError as err:
        return None, err.message


def _public_json(payload: dict[str, Any] | None) -> str:
    if payload is None:
        return ""
    public = {key: value for key, value in payload.items() if key != "snapshot"}
    return json.dumps(public, ensure_ascii=False, indent=2)


def _render(
    request: HttpRequest,
    stage: Stage,
    *,
    schedule_form: ScheduleForm | None = None,
    decision_form: DecisionChangeForm | None = None,
    correction_form: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    payload, why_not = _preview(stage)
    latest = Publication.objects.filter(stage=stage).order_by("-sequence").first()
    diff = (
        publication_payload_diff(before=latest.payload, after=payload) if latest and payload else []
    )
    initial = {}
    if stage.announcement_at:
        initial["announcement_at"] = stage.announcement_at.astimezone(SEOUL).replace(tzinfo=None)
    top = list(Criterion.objects.filter(stage=stage, parent__isnull=True).order_by("order"))
    shown = latest.payload if latest and stage.status == Stage.Status.PUBLISHED else payload
    context = {
        "stage": stage,
        "tab": "publication",
        "payload": payload,
        "shown": shown,
        "rows": _rows(shown, top),
        "top": top,
        "payload_json": _public_json(payload),
        "why_not": why_not,
        "latest": latest,
        "publications": Publication.objects.filter(stage=stage).order_by("sequence"),
        "diff": diff,
        "announcement_seoul": stage.announcement_at.astimezone(SEOUL)
        if stage.announcement_at
        else None,
        "schedule_form": schedule_form or ScheduleForm(initial=initial),
        "decision_form": decision_form or DecisionChangeForm(stage=stage),
        "correction_form": correction_form or CorrectionForm(),
    }
    return render(request, "staff/flow/publication.html", context, status=status)


def _rows(payload: dict[str, Any] | None, top: list[Criterion]) -> list[dict[str, Any]]:
    """Payload rows with the top-level points in column order, for the preview table."""
    if not payload:
        return []
    rows = []
    for row in payload["rows"]:
        outcome = row.get("outcome")
        label = Outcome(outcome).label if outcome in Outcome.values else ""
        rows.append(
            {
                **row,
                "outcome_label": label,
                "top_points": [row["points"].get(c.code) for c in top],
            }
        )
    return rows


@role_required(Role.ADMIN)
@not_found_on_domain_error
def stage_publication(request: HttpRequest, stage_id: int) -> HttpResponse:
    return _render(request, stage_get(stage_id=stage_id))


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def schedule(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            stage_schedule_announcement(
                stage_id=stage.pk,
                user=request.user,  # type: ignore[arg-type]
                announcement_at=form.cleaned_data["announcement_at"],
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            when = form.cleaned_data["announcement_at"].strftime("%Y-%m-%d %H:%M")
            messages.success(
                request,
                _("The results will be published at %(when)s (Asia/Seoul).") % {"when": when},
            )
            return redirect("staff:stage_publication", stage_id=stage.pk)
    return _render(request, stage, schedule_form=form, status=400)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def publish_now(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        stage_publish(stage_id=stage.pk, user=request.user)  # type: ignore[arg-type]
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Published: the results are now public."))
    return redirect("staff:stage_publication", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def decision(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Change one team's decision ahead of a correction (nothing public changes yet)."""
    stage = stage_get(stage_id=stage_id)
    form = DecisionChangeForm(request.POST, stage=stage)
    if form.is_valid():
        try:
            decision_change(
                participation_id=form.cleaned_data["participation"],
                user=request.user,  # type: ignore[arg-type]
                outcome=form.cleaned_data["outcome"],
                reason_ko=form.cleaned_data["reason_ko"],
                reason_en=form.cleaned_data["reason_en"],
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(
                request,
                _("The decision is changed. Publish a correction to make it public."),
            )
            return redirect("staff:stage_publication", stage_id=stage.pk)
    return _render(request, stage, decision_form=form, status=400)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def correct(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            publication_correct(
                stage_id=stage.pk,
                user=request.user,  # type: ignore[arg-type]
                note_ko=form.cleaned_data["note_ko"],
                note_en=form.cleaned_data["note_en"],
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The correction is published."))
            return redirect("staff:stage_publication", stage_id=stage.pk)
    return _render(request, stage, correction_form=form, status=400)
