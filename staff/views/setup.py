"""Stage setup (planned stages): the criteria tree with maximum points and aggregation, gates,
the elimination rule, the teams taking part; an administrator enters the weights (stage 2's were
never published) and the rule, then opens the stage."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.roles import Role
from evaluations.selectors_staff import stage_get, stage_setup_view
from evaluations.services.lifecycle import stage_open
from evaluations.services.rules import criterion_update, stage_rule_update
from programs.errors import DomainError
from programs.models import Stage
from staff.access import ANY_STAFF, role_required
from staff.views.errors import not_found_on_domain_error


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_setup(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    roles = request.staff_roles  # type: ignore[attr-defined]
    context = {
        "stage": stage,
        "tab": "setup",
        "setup": stage_setup_view(stage=stage),
        "editable": stage.status == Stage.Status.PLANNED and Role.ADMIN in roles,
        "rules": Stage.Rule.choices,
    }
    return render(request, "staff/setup.html", context)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_weights(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Save every maximum typed on the setup screen; the first refusal stops and is shown."""
    stage = stage_get(stage_id=stage_id)
    try:
        for key, raw in request.POST.items():
            if not key.startswith("max:") or raw.strip() == "":
                continue
            criterion_update(criterion_id=int(key[4:]), user=request.user, max_points=raw.strip())
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Maximum points saved."))
    return redirect("staff:stage_setup", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_rule(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        count_raw = request.POST.get("rule_count", "").strip()
        threshold_raw = request.POST.get("rule_threshold", "").strip()
        try:
            count = int(count_raw) if count_raw else None
            threshold = Decimal(threshold_raw) if threshold_raw else None
        except (ValueError, InvalidOperation):
            raise DomainError(_("Enter the number of teams as a whole number.")) from None
        stage_rule_update(
            stage_id=stage.pk,
            user=request.user,
            elimination_rule=request.POST.get("elimination_rule", ""),
            rule_count=count,
            rule_threshold=threshold,
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Elimination rule saved."))
    return redirect("staff:stage_setup", stage_id=stage.pk)


@require_POST
@role_required(Role.ADMIN)
@not_found_on_domain_error
def setup_open(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        stage_open(stage_id=stage.pk, user=request.user)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("staff:stage_setup", stage_id=stage.pk)
    messages.success(request, _("The stage is open: clerks can enter marks now."))
    return redirect("staff:stage_scores", stage_id=stage.pk)
