"""Reads of the program record for the public pages.

Nothing here touches evaluation results: stage outcomes reach the public only through the
publication selectors of the evaluations app.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class StageTeamCounts:
    """A stage's team counts, each saying what it counts; None = not disclosed, or a result
    that is not public yet.

    teams_after = teams_in − teams_out + applicants_selected. The 2026 additional call: 3 teams
    in the program, 2 applicants, 1 selected, 0 out, 4 after.
    """

    stage: Stage
    teams_in: int | None  # teams in the program when the stage began
    applicants: int | None  # teams that applied (calls only)
    applicants_selected: int | None  # applicants who entered the program
    teams_out: int | None  # teams of the program that left it at this stage
    teams_after: int | None  # teams in the program after the stage

    @property
    def is_call(self) -> bool:
        return self.applicants is not None


def stage_team_counts(stages: list[Stage]) -> list[StageTeamCounts]:
    """The team counts of each stage, in the given order (no query).

    Who takes part and who applied are known before a stage ends; who was selected, who left and
    how many remain are results, shown only once the stage is published.
    """
    counts = []
    for stage in stages:
        public = stage.is_published
        counts.append(
            StageTeamCounts(
                stage=stage,
                teams_in=stage.teams_in,
                applicants=stage.applicants,
                applicants_selected=stage.applicants_selected if public else None,
                teams_out=stage.teams_out if public else None,
                teams_after=stage.teams_after if public else None,
            )
        )
    return counts


def stage_funnel(stages: list[Stage]) -> list[int]:
    """Team counts through the stages, e.g. [15, 10, 5, 3, 4]: the teams the first stage
    started with (its applicants, for the opening call), then each published stage's teams after
    whenever the count changes. Unknown counts are skipped."""
    counts: list[int] = []

    def add(count: int | None) -> None:
        if count is not None and (not counts or counts[-1] != count):
            counts.append(count)

    rows = stage_team_counts(stages)
    if rows:
        first = rows[0]
        add(first.teams_in or first.applicants or first.teams_in)
    for row in rows:
        add(row.teams_after)
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
