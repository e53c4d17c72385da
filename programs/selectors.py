"""Reads of the program record for the public pages.

Nothing here touches evaluation results: stage outcomes reach the public only through the
publication selectors of the evaluations app.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models.functions import Length

from programs.models import Milestone, Program, Source, Stage


def program_for_home() -> Program | None:
    """The program the site is about (the first one loaded), with its sources; None if empty."""
    return (
        Program.objects.prefetch_related(
            # S1, S2, …, S10 rather than S1, S10, S11, …, S2.
            Prefetch("sources", queryset=Source.objects.order_by(Length("key"), "key"))
        )
        .order_by("id")
        .first()
    )


def stages_for_program(program: Program) -> list[Stage]:
    """The program's stages in order: one query, whatever their number."""
    return list(Stage.objects.filter(program=program).order_by("order"))


def stage_funnel(stages: list[Stage]) -> list[int]:
    """Team counts through the stages, e.g. [15, 10, 5, 3, 4]: the first stage's teams in, then
    each stage's teams after whenever the count changes. Unknown counts are skipped."""
    counts: list[int] = []

    def add(count: int | None) -> None:
        if count is not None and (not counts or counts[-1] != count):
            counts.append(count)

    if stages:
        add(stages[0].teams_in)
    for stage in stages:
        add(stage.teams_after)
    return counts


def stage_for_slug(*, program: Program, slug: str) -> Stage | None:
    """A stage by its address, with its sources."""
    return (
        Stage.objects.filter(program=program, slug=slug)
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by(Length("key"), "key"))
        )
        .first()
    )


def milestones_for_program(program: Program) -> list[Milestone]:
    """The dated events of the program in order, each with its stage: one query."""
    return list(
        Milestone.objects.filter(program=program).select_related("stage").order_by("date", "id")
    )
