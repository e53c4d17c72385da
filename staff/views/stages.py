"""One stage: its overview, the first tab of every stage's screens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evaluations.selectors_staff import stage_get, stages_progress
from staff.access import ANY_STAFF, role_required
from staff.navigation import next_action
from staff.views.errors import not_found_on_domain_error


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_detail(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    progress = next(p for p in stages_progress(program=stage.program) if p.stage.pk == stage.pk)
    context = {
        "stage": stage,
        "progress": progress,
        "action": next_action(progress, request.staff_roles),  # type: ignore[attr-defined]
        "tab": "overview",
    }
    return render(request, "staff/stage_detail.html", context)
