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

from evaluations.models import Publication
from programs.models import Stage


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
