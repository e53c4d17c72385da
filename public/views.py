"""Public pages of the program: thin views over the selectors.

The `public` interface app reads only through the publication selectors (the embargo rule):
never `Score`, never the services.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evaluations.selectors import teams_public
from programs.selectors import program_for_home, stage_funnel, stages_for_program


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The program at a glance: what it is, the stage timeline and the teams. No results here:
    those appear only through publications."""
    program = program_for_home()
    stages = stages_for_program(program) if program is not None else []
    context = {
        "program": program,
        "stages": stages,
        "funnel": stage_funnel(stages),
        "ongoing": any(not stage.is_published for stage in stages),
        "teams": teams_public(program=program) if program is not None else [],
    }
    return render(request, "public/home.html", context)
