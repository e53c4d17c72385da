"""Reads of teams for the public pages.

Only who the teams are comes from here. What happened to them (eliminated, disqualified,
selected) is a stage result, so the public reads it from publications through
`evaluations.selectors.teams_public`, never from `Team.status`, which staff set at finalizing,
before the announcement.
"""

from __future__ import annotations

from django.db.models import QuerySet

from programs.models import Program, Stage
from teams.models import Team


def teams_for_program(program: Program) -> QuerySet[Team]:
    """The program's publicly known teams with their lead organisation: one query.

    A team that joined at a stage whose result is not out yet (e.g. an additional call) is not
    listed.
    """
    return (
        Team.objects.filter(program=program, joined_stage__status=Stage.Status.PUBLISHED)
        .select_related("lead", "joined_stage")
        .order_by("joined_stage__order", "name_en")
    )
