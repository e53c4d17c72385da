"""Public reads of stage results: the one place the embargo is enforced.

Nothing public reads `Score`, `GateResult`, `StandingsSnapshot` or `Decision` directly. Public
pages, the API, feeds and exports call these selectors, which only ever return what a
`Publication` froze, and only once its time has come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from evaluations import chain
from evaluations.models import Outcome, Publication
from programs.models import Criterion, Gate, Program, Stage
from programs.numbers import decimal_text
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


def team_outcomes_published(
    *, program: Program, now: dt.datetime | None = None
) -> dict[str, tuple[str, Stage | None]]:
    """Team slug → (public status, the stage it left at or None), from the latest visible
    publication of each stage in stage order: out once a published decision put it out,
    selected once the final stage's publication advanced it. A team absent from the result is
    still in the program."""
    latest: dict[int, Publication] = {}
    for publication in publications_visible(now=now).filter(stage__program=program):
        latest[publication.stage_id] = publication  # ordered by stage, then sequence
    outcomes: dict[str, tuple[str, Stage | None]] = {}
    for publication in latest.values():
        final = publication.stage.kind == Stage.Kind.FINAL
        for row in publication.payload.get("rows", []):
            outcome = row.get("outcome")
            if outcome in OUT_OUTCOMES:
                outcomes[row["team"]] = (str(outcome), publication.stage)
            elif outcome == Outcome.ADVANCED:
                status = Team.Status.SELECTED if final else Team.Status.ACTIVE
                outcomes[row["team"]] = (str(status), None)
    return outcomes


def team_statuses_published(*, program: Program, now: dt.datetime | None = None) -> dict[str, str]:
    """Team slug → the status the public may know (see `team_outcomes_published`)."""
    return {
        slug: status
        for slug, (status, _left) in team_outcomes_published(program=program, now=now).items()
    }


def teams_public(*, program: Program, now: dt.datetime | None = None) -> list[Team]:
    """The program's public teams, each with `public_status` and `public_status_label`."""
    statuses = team_statuses_published(program=program, now=now)
    teams = list(teams_for_program(program))
    for team in teams:
        team.public_status = statuses.get(team.slug, Team.Status.ACTIVE)  # type: ignore[attr-defined]
        team.public_status_label = Team.Status(team.public_status).label  # type: ignore[attr-defined]
    return teams


def publication_record(publication: Publication) -> dict[str, Any]:
    """The chain record of a publication (what its digest covers; evaluations/chain.py)."""
    return chain.publication_record(
        program=publication.stage.program.slug,
        stage=publication.stage.slug,
        sequence=publication.sequence,
        published_at=publication.published_at,
        corrects_sequence=publication.corrects.sequence if publication.corrects else None,
        note_ko=publication.note_ko,
        note_en=publication.note_en,
        payload=publication.payload,
        previous_digest=publication.previous_digest,
    )


def publication_chain_for_program(
    *, program: Program, now: dt.datetime | None = None
) -> list[Publication]:
    """The program's visible publications in chain order (the order they were made)."""
    return list(
        publications_visible(now=now)
        .filter(stage__program=program)
        .select_related("stage__program", "corrects")
        .order_by("pk")
    )


def publication_chain_check(*, program: Program) -> list[chain.ChainProblem]:
    """Recompute every stored publication's digest of `program` and check the links.

    Run by `manage.py verify_publication_chain`; newsrooms run docs/verify_chain.py against
    the API instead.
    """
    publications = (
        Publication.objects.filter(stage__program=program)
        .select_related("stage__program", "corrects")
        .order_by("pk")
    )
    return chain.chain_verify(
        {"record": publication_record(p), "digest": p.digest} for p in publications
    )


@dataclass(frozen=True, slots=True)
class PublicationsVersion:
    """Changes whenever a publication becomes visible; what public caches are keyed by."""

    key: str
    latest_at: dt.datetime | None


def publications_version(*, now: dt.datetime | None = None) -> PublicationsVersion:
    """One small query: the newest visible publication (by id) and how many are visible."""
    summary = (
        publications_visible(now=now)
        .order_by()
        .aggregate(last=Max("pk"), count=Count("pk"), latest_at=Max("published_at"))
    )
    latest_at = summary["latest_at"]
    key = f"{summary['last']}:{summary['count']}:{latest_at.isoformat() if latest_at else ''}"
    return PublicationsVersion(key=key, latest_at=latest_at)


# ---------------------------------------------------------------------------------------------
# Public site: every read below goes through `publications_visible`, so a stage's result shows
# nowhere (page, feed, embed, sitemap, social tags) before its publication's time has come.


@dataclass(frozen=True)
class PublicationState:
    """What every public cache entry and ETag is keyed by: the latest visible publication."""

    latest_id: int | None
    latest_at: dt.datetime | None
    count: int

    @property
    def key(self) -> str:
        stamp = self.latest_at.isoformat() if self.latest_at else "-"
        return f"{self.latest_id or 0}.{self.count}.{stamp}"


def publication_state(*, now: dt.datetime | None = None) -> PublicationState:
    """One query: the newest visible publication (a new one or a correction changes the key)."""
    found = (
        publications_visible(now=now)
        .order_by()
        .aggregate(latest_id=Max("pk"), latest_at=Max("published_at"), count=Count("pk"))
    )
    return PublicationState(
        latest_id=found["latest_id"], latest_at=found["latest_at"], count=found["count"]
    )


def publications_latest_by_stage(
    *, program: Program, now: dt.datetime | None = None
) -> dict[int, Publication]:
    """Stage id → its latest visible publication (corrections replace what they correct). One
    query whatever the number of stages."""
    latest: dict[int, Publication] = {}
    for publication in publications_visible(now=now).filter(stage__program=program):
        latest[publication.stage_id] = publication  # ordered by stage, then sequence
    return latest


def announcements_public(
    *, program: Program | None = None, now: dt.datetime | None = None, limit: int | None = None
) -> list[Publication]:
    """Every visible publication and correction, newest first: the announcements page and feeds."""
    publications = publications_visible(now=now).order_by("-published_at", "-pk")
    if program is not None:
        publications = publications.filter(stage__program=program)
    if limit is not None:
        publications = publications[:limit]
    return list(publications)


@dataclass(frozen=True)
class StagePathStep:
    """One stage of a team's path as the public may know it."""

    stage: Stage
    rank: int | None
    tied: bool
    total: str | None
    outcome: str | None
    reason_ko: str
    reason_en: str


def team_path_public(
    *, team: Team, latest: dict[int, Publication], stages: list[Stage]
) -> list[StagePathStep]:
    """The team's rank and outcome in each published stage it took part in, in stage order.

    Takes the program's latest publications (`publications_latest_by_stage`) so that a page
    listing several teams reads them once.
    """
    steps = []
    for stage in stages:
        publication = latest.get(stage.pk)
        if publication is None:
            continue
        for row in publication.payload.get("rows", []):
            if row.get("team") == team.slug:
                steps.append(
                    StagePathStep(
                        stage=stage,
                        rank=row.get("rank"),
                        tied=bool(row.get("tied")),
                        total=row.get("total"),
                        outcome=row.get("outcome"),
                        reason_ko=row.get("reason_ko", ""),
                        reason_en=row.get("reason_en", ""),
                    )
                )
                break
    return steps


@dataclass(frozen=True)
class StageMethodology:
    """How a published stage was scored: its criteria tree, gates, rule and tie-breaks."""

    criteria: list[Criterion]
    gates: list[Gate]
    rule: str
    rule_label: str
    rule_count: int | None
    rule_threshold: str | None
    tie_break: list[str]


def stage_methodology_public(
    *, stage: Stage, now: dt.datetime | None = None
) -> StageMethodology | None:
    """The scoring rules of a stage, only once it has a visible publication (stage-2 weights
    that staff enter before opening are not public until then). Constant queries."""
    if publication_latest_for_stage(stage=stage, now=now) is None:
        return None
    criteria = list(
        Criterion.objects.filter(stage=stage)
        .select_related("parent")
        .prefetch_related("sources")
        .order_by("order", "code")
    )
    gates = list(Gate.objects.filter(stage=stage).prefetch_related("sources").order_by("code"))
    return StageMethodology(
        criteria=criteria,
        gates=gates,
        rule=stage.elimination_rule,
        rule_label=str(stage.get_elimination_rule_display()),
        rule_count=stage.rule_count,
        rule_threshold=decimal_text(stage.rule_threshold),
        tie_break=list(stage.tie_break or []),
    )
