"""Confirmation: a verifier confirms marks one by one or a whole team, or sends one back to the
clerk with a note; never their own entries (the services refuse, the screen says so first)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.roles import Role
from evaluations.selectors_staff import marks_to_confirm, stage_get
from evaluations.services.score_entry import score_send_back, scores_confirm_team
from evaluations.services.scores import score_confirm
from programs.errors import DomainError
from staff.access import role_required
from staff.views.errors import not_found_on_domain_error

CONFIRM_ROLES = (Role.VERIFIER, Role.ADMIN)


@require_safe
@role_required(*CONFIRM_ROLES)
@not_found_on_domain_error
def stage_confirm(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    marks = marks_to_confirm(stage=stage)
    teams = []
    for participation, group in groupby(marks, key=lambda s: s.participation):
        scores = list(group)
        confirmable = [
            s
            for s in scores
            if s.entered_by_id != request.user.pk
            and not (s.sent_back_at and s.sent_back_at >= s.entered_at)
        ]
        teams.append({"participation": participation, "scores": scores, "confirmable": confirmable})
    context = {"stage": stage, "tab": "confirm", "teams": teams, "count": len(marks)}
    return render(request, "staff/confirmation.html", context)


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return -1


@require_POST
@role_required(*CONFIRM_ROLES)
@not_found_on_domain_error
def mark_confirm(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        score_confirm(
            score_id=_int(request.POST.get("score")),
            user=request.user,
            expected_version=_int(request.POST.get("version")),
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Mark confirmed."))
    return redirect("staff:stage_confirm", stage_id=stage.pk)


@require_POST
@role_required(*CONFIRM_ROLES)
@not_found_on_domain_error
def mark_send_back(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        score_send_back(
            score_id=_int(request.POST.get("score")),
            user=request.user,
            expected_version=_int(request.POST.get("version")),
            note=request.POST.get("note", ""),
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Sent back to the clerk with your note."))
    return redirect("staff:stage_confirm", stage_id=stage.pk)


@require_POST
@role_required(*CONFIRM_ROLES)
@not_found_on_domain_error
def team_confirm(request: HttpRequest, stage_id: int, participation_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    versions = {
        _int(key[2:]): _int(value) for key, value in request.POST.items() if key.startswith("s:")
    }
    try:
        count = scores_confirm_team(
            participation_id=participation_id, user=request.user, versions=versions
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("%(count)s mark(s) confirmed.") % {"count": count})
    return redirect("staff:stage_confirm", stage_id=stage.pk)
