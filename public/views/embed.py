"""The standings of a stage for press sites to put in an iframe: small and self-contained.

It is the only public page that may be framed; every other page keeps `X-Frame-Options: DENY`.
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from evaluations.selectors import published_standings_for_stage
from programs.selectors import program_for_home, stage_for_slug
from public import presenters
from public.caching import published_page


# Press sites on any origin may frame it: both the old header and the CSP directive say so.
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
@published_page
def stage_embed(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_for_home()
    stage = stage_for_slug(program=program, slug=slug) if program is not None else None
    if stage is None:
        raise Http404(_("No such stage."))
    record = published_standings_for_stage(stage=stage)
    standings = presenters.standings_present(record, stage=stage) if record else None
    return render(
        request,
        "public/embed_stage.html",
        {"stage": stage, "standings": standings, "record": record},
    )
