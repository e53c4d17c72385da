"""Gates: pass or fail per team, with a reason in Korean and English and its sources. A failure
must have a reason (the service refuses it without one). A verifier confirms a result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.roles import Role
from evaluations.selectors_staff import gate_table, stage_get
from evaluations.services.score_entry import gate_result_record
from evaluations.services.scores import gate_result_confirm
from programs.errors import DomainError
from programs.models import Stage
from staff.access import ANY_STAFF, role_required
from staff.views.errors import not_found_on_domain_error

PASSED = {"pass": True, "fail": False, "": None}


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_gates(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    gates, rows = gate_table(stage=stage)
    roles = request.staff_roles  # type: ignore[attr-defined]
    context = {
        "stage": stage,
        "tab": "gates",
        "gates": gates,
        "rows": rows,
        "can_record": stage.status == Stage.Status.SCORING
        and bool(roles & {Role.CLERK, Role.ADMIN}),
        "can_confirm": bool(roles & {Role.VERIFIER, Role.ADMIN}),
    }
    return render(request, "staff/gates.html", context)


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@require_POST
@role_required(Role.CLERK, Role.ADMIN)
@not_found_on_domain_error
def gate_record(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    choice = request.POST.get("passed", "")
    try:
        if choice not in PASSED:
            raise DomainError(_("Choose pass, fail or not decided."), field="passed")
        gate_result_record(
            participation_id=_int(request.POST.get("participation")) or 0,
            gate_id=_int(request.POST.get("gate")) or 0,
            passed=PASSED[choice],
            user=request.user,
            reason_ko=request.POST.get("reason_ko", ""),
            reason_en=request.POST.get("reason_en", ""),
            source_keys=request.POST.get("sources", "").replace(",", " ").split(),
            expected_version=_int(request.POST.get("version")),
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Gate result saved."))
    return redirect("staff:stage_gates", stage_id=stage.pk)


@require_POST
@role_required(Role.VERIFIER, Role.ADMIN)
@not_found_on_domain_error
def gate_confirm(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    try:
        gate_result_confirm(
            gate_result_id=_int(request.POST.get("result")) or 0,
            user=request.user,
            expected_version=_int(request.POST.get("version")) or 0,
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Gate result confirmed."))
    return redirect("staff:stage_gates", stage_id=stage.pk)
