"""Staff home: every stage with its status, what is missing and the next action."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evaluations.selectors_staff import stages_progress
from programs.selectors import program_for_home
from staff.access import ANY_STAFF, role_required
from staff.navigation import next_action


@require_safe
@role_required(*ANY_STAFF)
def home(request: HttpRequest) -> HttpResponse:
    program = program_for_home()
    rows = []
    if program is not None:
        for progress in stages_progress(program=program):
            rows.append(
                {"progress": progress, "action": next_action(progress, request.staff_roles)}
            )  # type: ignore[attr-defined]
    return render(request, "staff/home.html", {"program": program, "rows": rows})
