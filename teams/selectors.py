"""Reads of teams for the public pages.

A team's status is the outcome of a stage, so the public sees it only once that stage is
published. Until then an eliminated or selected team shows as still in the program, and a team
that joined at a stage whose result is not out yet (e.g. an additional call) is not listed.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from programs.models import Program, Stage
from teams.models import Team


def teams_for_program(program: Program) -> list[Team]:
    """The program's publicly known teams with their lead organisation: one query.

    Each team carries `public_status` (a `Team.Status` value) and `public_status_label`.
    """
    final_published = Stage.objects.filter(
        program=OuterRef("program"), kind=Stage.Kind.FINAL, status=Stage.Status.PUBLISHED
    )
    teams = (
        Team.objects.filter(program=program, joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("lead", "joined_stage", "left_stage")
        .annotate(final_published=Exists(final_published))
        .order_by("joined_stage__order", "name_en")
    )
    result = []
    for team in teams:
        team.public_status = team_public_status(team, final_published=team.final_published)
        team.public_status_label = Team.Status(team.public_status).label
        result.append(team)
    return result


def team_public_status(team: Team, *, final_published: bool) -> str:
    """The status the public may know: the real one once the stage that set it is published."""
    if team.status == Team.Status.SELECTED:
        return team.status if final_published else Team.Status.ACTIVE
    if team.status == Team.Status.ACTIVE:
        return team.status
    left = team.left_stage
    if left is not None and left.status == Stage.Status.PUBLISHED:
        return team.status
    return Team.Status.ACTIVE
