"""Public reads of stage results: the one place the embargo is enforced.

Nothing public reads `Score`, `GateResult`, `StandingsSnapshot` or `Decision` directly. Public
pages, the API, feeds and exports call these selectors, which only ever return what a
`Publication` froze, and only once its time has come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from evaluations.models import Outcome, Publication
from programs.models import Program, Stage
from teams.models import Team
from teams.selectors import teams_for_program

# Outcomes that take a team out of the program; they share their values with Team.Status.
OUT_OUTCOMES = (Outcome.ELIMINATED, Outcome.DISQUALIFIED, Outcome.WITHDRAWN)


def publications_visible(*, now: dt.datetime | None = None) -> QuerySet[Publication]:
    """Every publication the public may see, oldest first."""
    now = now or timezone.now()
    return (
        Publication.objects.filter(stage__status=Stage.Status.PUBLISHED, published_at__lte=now)
        .select_related("stage", "corrects")
        .order_by("stage__order", "sequence")
    )


def publication_latest_for_stage(
    *, stage: Stage, now: dt.datetime | None = None
) -> Publication | None:
    return publications_visible(now=now).filter(stage=stage).order_by("-sequence").first()


def published_standings_for_stage(
    *, stage: Stage, now: dt.datetime | None = None
) -> dict[str, Any] | None:
    """The latest published record of a stage with its correction history, or None (embargo)."""
    history = list(publications_visible(now=now).filter(stage=stage))
    if not history:
        return None
    latest = history[-1]
    return {
        "stage": latest.payload["stage"],
        "criteria": latest.payload["criteria"],
        "rows": latest.payload["rows"],
        "statistics": latest.payload["statistics"],
        "published_at": latest.published_at,
        "sequence": latest.sequence,
        "corrections": [
            {
                "sequence": p.sequence,
                "published_at": p.published_at,
                "corrects": p.corrects.sequence if p.corrects_id and p.corrects else None,
                "note_ko": p.note_ko,
                "note_en": p.note_en,
            }
            for p in history
            if p.corrects_id
        ],
    }


def team_statuses_published(*, program: Program, now: dt.datetime | None = None) -> dict[str, str]:
    """Team slug → the status the public may know, from the latest visible publication of each
    stage in stage order: out once a published decision put it out, selected once the final
    stage's publication advanced it. A team absent from the result is still in the program."""
    latest: dict[int, Publication] = {}
    for publication in publications_visible(now=now).filter(stage__program=program):
        latest[publication.stage_id] = publication  # ordered by stage, then sequence
    statuses: dict[str, str] = {}
    for publication in latest.values():
        final = publication.stage.kind == Stage.Kind.FINAL
        for row in publication.payload.get("rows", []):
            outcome = row.get("outcome")
            if outcome in OUT_OUTCOMES:
                statuses[row["team"]] = str(outcome)
            elif outcome == Outcome.ADVANCED:
                statuses[row["team"]] = Team.Status.SELECTED if final else Team.Status.ACTIVE
    return statuses


def teams_public(*, program: Program, now: dt.datetime | None = None) -> list[Team]:
    """The program's public teams, each with `public_status` and `public_status_label`."""
    statuses = team_statuses_published(program=program, now=now)
    teams = list(teams_for_program(program))
    for team in teams:
        team.public_status = statuses.get(team.slug, Team.Status.ACTIVE)  # type: ignore[attr-defined]
        team.public_status_label = Team.Status(team.public_status).label  # type: ignore[attr-defined]
    return teams
