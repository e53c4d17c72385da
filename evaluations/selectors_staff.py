"""Reads for staff work (services, staff screens): drafts included, never for public pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language

from evaluations.models import (
    Decision,
    Participation,
    ProposedOutcome,
    StandingsSnapshot,
)
from programs.errors import NotFound
from programs.models import Criterion, Gate, Stage
from programs.numbers import decimal_text


def participation_get(*, participation_id: int) -> Participation:
    """A participation with its stage and team, or NotFound naming the id."""
    participation = (
        Participation.objects.select_related("stage", "team").filter(pk=participation_id).first()
    )
    if participation is None:
        raise NotFound(f"Participation {participation_id} does not exist.")
    return participation


# --- Review and decision (staff review screen) ----------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """One team on the review screen: the computed standing and, once finalized, the decision."""

    participation_id: int
    team_slug: str
    team_name: str
    position: int
    rank: int | None
    tied: bool
    total: Decimal | None
    total_text: str | None
    points: dict[str, str | None]
    top_points: list[str | None]  # points of the top-level criteria, in their order
    proposed_outcome: str
    proposed_label: str
    reason: str
    failed_gates: list[str]
    below_line: bool
    needs_decision: bool
    decision: Decision | None


@dataclass(frozen=True)
class StageReview:
    stage: Stage
    snapshot: StandingsSnapshot | None
    rows: list[ReviewRow]
    criteria: list[Criterion]  # top-level criteria, the columns of the table
    line_after: int | None  # position after which the elimination line falls
    stale: bool  # inputs changed since the snapshot: a recompute is on its way
    sensitivity: dict[str, object]


# Proposals the administrator must settle: the core cannot say which side of the line they fall.
UNDECIDED_PROPOSALS = (ProposedOutcome.TIE_AT_LINE, ProposedOutcome.NOT_RANKED)


def stage_review_get(*, stage: Stage) -> StageReview:
    """The current standings of a stage for review, in a fixed number of queries."""
    snapshot = (
        StandingsSnapshot.objects.filter(stage=stage, is_current=True).order_by("-pk").first()
    )
    gates = {code: name for code, name in _gate_names(stage)}
    decisions = {
        d.participation_id: d
        for d in Decision.objects.filter(participation__stage=stage).select_related("decided_by")
    }
    criteria = list(Criterion.objects.filter(stage=stage, parent__isnull=True).order_by("order"))
    rows: list[ReviewRow] = []
    if snapshot is not None:
        for row in snapshot.rows.select_related("participation__team").order_by("position"):
            team = row.participation.team
            english = (get_language() or "ko").startswith("en")
            rows.append(
                ReviewRow(
                    participation_id=row.participation_id,
                    team_slug=team.slug,
                    team_name=team.name,
                    position=row.position,
                    rank=row.rank,
                    tied=row.tied,
                    total=row.total,
                    total_text=decimal_text(row.total),
                    points=row.points,
                    top_points=[row.points.get(c.code) for c in criteria],
                    proposed_outcome=row.proposed_outcome,
                    proposed_label=str(ProposedOutcome(row.proposed_outcome).label),
                    reason=(row.reason_en if english else row.reason_ko) or row.reason_ko,
                    failed_gates=[gates.get(code, code) for code in row.failed_gates],
                    below_line=row.proposed_outcome == ProposedOutcome.ELIMINATED,
                    needs_decision=row.proposed_outcome in UNDECIDED_PROPOSALS,
                    decision=decisions.get(row.participation_id),
                )
            )
    line_after = None
    if stage.elimination_rule != Stage.Rule.NONE:
        above = [r.position for r in rows if r.proposed_outcome == ProposedOutcome.ADVANCED]
        if above and len(above) < len(rows):
            line_after = max(above)
    stale = snapshot is None or snapshot.inputs_version < stage.standings_inputs_version
    return StageReview(
        stage=stage,
        snapshot=snapshot,
        rows=rows,
        criteria=criteria,
        line_after=line_after,
        stale=stale,
        sensitivity=dict(snapshot.sensitivity) if snapshot else {},
    )


def _gate_names(stage: Stage) -> list[tuple[str, str]]:
    return [(gate.code, gate.name) for gate in Gate.objects.filter(stage=stage)]


# --- Publication preview and correction diff --------------------------------------------------


@dataclass(frozen=True)
class PayloadChange:
    team: str
    what: str  # "rank", "total", "outcome", "reason", "points:<criterion code>", "team"
    before: object
    after: object


DIFF_FIELDS = ("rank", "tied", "total", "outcome", "reason_ko", "reason_en", "failed_gates")


def publication_payload_diff(
    *, before: dict[str, Any], after: dict[str, Any]
) -> list[PayloadChange]:
    """What a correction changes in the public record, team by team, field by field."""
    old_rows = {row["team"]: row for row in before.get("rows", [])}
    new_rows = {row["team"]: row for row in after.get("rows", [])}
    changes: list[PayloadChange] = []
    for team in [*new_rows, *(t for t in old_rows if t not in new_rows)]:
        old, new = old_rows.get(team), new_rows.get(team)
        name = (new or old or {}).get("team_name_ko", team)
        if old is None or new is None:
            changes.append(PayloadChange(name, "team", bool(old), bool(new)))
            continue
        for key in DIFF_FIELDS:
            if old.get(key) != new.get(key):
                changes.append(PayloadChange(name, key, old.get(key), new.get(key)))
        points = sorted(set(old.get("points", {})) | set(new.get("points", {})))
        for code in points:
            if old.get("points", {}).get(code) != new.get("points", {}).get(code):
                changes.append(
                    PayloadChange(
                        name,
                        f"points:{code}",
                        old.get("points", {}).get(code),
                        new.get("points", {}).get(code),
                    )
                )
    return changes
