"""Reads of the program record for the public pages.

Nothing here touches evaluation results: stage outcomes reach the public only through the
publication selectors of the evaluations app.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Length

from programs.models import Criterion, Gate, Milestone, Program, Source, Stage


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


def programs_public() -> QuerySet[Program]:
    """Every program with its sources, for the API."""
    return Program.objects.prefetch_related("sources").order_by("id")


def stages_public() -> QuerySet[Stage]:
    """Stages with their rules: criteria tree (with sources), gates, sources. Rules are public
    from the start; results never come from here."""
    return (
        Stage.objects.select_related("program")
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.select_related("parent").prefetch_related("sources"),
            ),
            Prefetch("gates", queryset=Gate.objects.prefetch_related("sources")),
            "sources",
        )
        .order_by("program_id", "order")
    )


def milestones_public() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("program", "stage").prefetch_related("sources")
