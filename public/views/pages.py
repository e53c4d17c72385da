"""Public pages of the program: thin views over the selectors.

The `public` interface app reads only through the publication selectors (the embargo rule):
never `Score`, never the services. Each view answers with a constant number of queries whatever
the number of teams, stages and models.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from evaluations.selectors import (
    announcements_public,
    publications_latest_by_stage,
    published_standings_for_stage,
    stage_methodology_public,
    team_path_public,
    teams_public,
)
from programs.models import Program
from programs.selectors import (
    milestones_for_program,
    program_for_home,
    stage_for_slug,
    stages_for_program,
)
from public import charts, presenters
from public.caching import published_page
from teams.selectors import (
    MODEL_SORTS,
    model_public_for_slug,
    models_public,
    team_public_for_slug,
)


def _program_or_404() -> Program:
    program = program_for_home()
    if program is None:
        raise Http404(_("No program has been loaded yet."))
    return program


def _language() -> str:
    return (get_language() or "ko")[:2]


def _stage_overview(program: Program) -> dict:
    """Stages with what the public may know of each (status, counts, planned date), the funnel
    and the latest publications: shared by the home page and the stage pages."""
    stages = stages_for_program(program)
    latest = publications_latest_by_stage(program=program)
    milestones = milestones_for_program(program)
    counts: dict[int, presenters.StageCounts] = {}
    previous_after: int | None = None
    today = timezone.localdate()
    for stage in stages:
        stage_count = presenters.stage_counts(
            stage, latest.get(stage.pk), previous_after=previous_after
        )
        counts[stage.pk] = stage_count
        if stage_count.teams_after is not None:
            previous_after = stage_count.teams_after
        stage.public_counts = stage_count.items  # type: ignore[attr-defined]
        planned = presenters.stage_planned_date(stage, milestones)
        stage.planned_on = planned  # type: ignore[attr-defined]
        stage.overdue = (  # type: ignore[attr-defined]
            not stage.is_published and planned is not None and planned < today
        )
    steps, ongoing = presenters.funnel_steps(stages, counts, set(latest))
    updated_at = max((p.published_at for p in latest.values()), default=None)
    return {
        "stages": stages,
        "latest": latest,
        "milestones": milestones,
        "funnel_steps": steps,
        "ongoing": ongoing,
        "updated_at": updated_at,
    }


@require_safe
@published_page
def home(request: HttpRequest) -> HttpResponse:
    """The program at a glance: timeline, funnel, the teams still in, the latest announcement."""
    program = program_for_home()
    if program is None:
        return render(request, "public/home.html", {"program": None, "nav": "home"})
    overview = _stage_overview(program)
    teams = teams_public(program=program)
    announcements = announcements_public(program=program, limit=1)
    context = {
        "program": program,
        "nav": "home",
        **overview,
        "funnel_svg": charts.funnel_chart(
            overview["funnel_steps"],
            ongoing=overview["ongoing"],
            title=_("Number of teams through the stages"),
        ),
        "teams_in": [t for t in teams if t.public_status in ("active", "selected")],
        "teams_out": [t for t in teams if t.public_status not in ("active", "selected")],
        "latest_announcement": announcements[0] if announcements else None,
    }
    return render(request, "public/home.html", context)


@require_safe
@published_page
def stage_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A stage: its standings, outcomes, methodology and sources once published; before that,
    its schedule and nothing else."""
    program = _program_or_404()
    stage = stage_for_slug(program=program, slug=slug)
    if stage is None:
        raise Http404(_("No such stage."))
    overview = _stage_overview(program)
    for known in overview["stages"]:
        if known.pk == stage.pk:
            stage.public_counts = known.public_counts  # type: ignore[attr-defined]
            stage.planned_on = known.planned_on  # type: ignore[attr-defined]
            stage.overdue = known.overdue  # type: ignore[attr-defined]
    record = published_standings_for_stage(stage=stage)
    context: dict = {
        "program": program,
        "stage": stage,
        "nav": "stages",
        "stages": overview["stages"],
        "milestones": [m for m in overview["milestones"] if m.stage_id == stage.pk],
        "record": record,
        "updated_at": record["published_at"] if record else None,
    }
    if record is not None:
        standings = presenters.standings_present(record, stage=stage)
        methodology = stage_methodology_public(stage=stage)
        context.update(
            standings=standings,
            methodology=methodology,
            rule_sentence=presenters.rule_sentence(methodology, stage),
            chart=charts.standings_chart(
                standings,
                title=_("Points per team in %(stage)s, stacked by criterion")
                % {"stage": stage.localized("name")},
            )
            if standings.columns
            else None,
            leaf_colours=[
                (leaf, charts.legend_colour(i)) for i, leaf in enumerate(standings.leaves)
            ],
            stage_sources=list(stage.sources.all()),
        )
    return render(request, "public/stage_detail.html", context)


@require_safe
@published_page
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A consortium: lead and members by role with dates, its models, and its path through the
    published stages."""
    program = _program_or_404()
    team = team_public_for_slug(program=program, slug=slug)
    if team is None:
        raise Http404(_("No such team."))
    stages = stages_for_program(program)
    latest = publications_latest_by_stage(program=program)
    path = team_path_public(team=team, latest=latest, stages=stages)
    statuses = {t.slug: t for t in teams_public(program=program)}
    public_team = statuses.get(team.slug)
    memberships = list(team.memberships.all())
    context = {
        "program": program,
        "team": team,
        "public_status": public_team.public_status if public_team else "active",
        "public_status_label": public_team.public_status_label if public_team else "",
        "lead_memberships": [m for m in memberships if m.role == "lead"],
        "other_memberships": [m for m in memberships if m.role != "lead"],
        "models": list(team.models.all()),
        "path": path,
        "path_svg": charts.path_chart(
            path,
            title=_("Path of %(team)s through the stages") % {"team": team.localized("name")},
            language=_language(),
        )
        if path
        else None,
        "team_sources": list(team.sources.all()),
        "updated_at": max((p.published_at for p in latest.values()), default=None),
    }
    return render(request, "public/team_detail.html", context)


MODALITIES = ("text", "image", "audio", "video")


@require_safe
@published_page
def model_list(request: HttpRequest) -> HttpResponse:
    """Every model in a table sorted and filtered on the server (plain links and a GET form, no
    JavaScript needed)."""
    program = _program_or_404()
    sort = request.GET.get("sort", "name")
    if sort not in MODEL_SORTS:
        sort = "name"
    descending = request.GET.get("dir") == "desc"
    weights = request.GET.get("open_weights", "")
    modality = request.GET.get("modality", "")
    if modality not in MODALITIES:
        modality = ""
    models = models_public(
        program=program,
        sort=sort,
        descending=descending,
        open_weights={"yes": True, "no": False}.get(weights),
        modality=modality or None,
    )
    columns = [
        ("name", _("Model")),
        ("team", _("Team")),
        ("total", _("Parameters (total)")),
        ("active", _("Parameters (active)")),
        ("context", _("Context length")),
        ("released", _("Release date")),
    ]
    context = {
        "program": program,
        "nav": "models",
        "models": models,
        "sort": sort,
        "descending": descending,
        "open_weights": weights,
        "modality": modality,
        "modalities": MODALITIES,
        "columns": columns,
    }
    return render(request, "public/model_list.html", context)


@require_safe
@published_page
def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A model's specifications and its published benchmark numbers with their sources."""
    program = _program_or_404()
    model = model_public_for_slug(program=program, slug=slug)
    if model is None:
        raise Http404(_("No such model."))
    context = {
        "program": program,
        "nav": "models",
        "model": model,
        "benchmarks": list(model.benchmarks.all()),
        "model_sources": list(model.sources.all()),
    }
    return render(request, "public/model_detail.html", context)


@require_safe
@published_page
def announcements(request: HttpRequest) -> HttpResponse:
    """Every publication and correction, newest first."""
    program = _program_or_404()
    items = announcements_public(program=program)
    context = {
        "program": program,
        "nav": "announcements",
        "announcements": items,
        "updated_at": items[0].published_at if items else None,
    }
    return render(request, "public/announcements.html", context)


__all__ = [
    "announcements",
    "home",
    "model_detail",
    "model_list",
    "stage_detail",
    "team_detail",
]
