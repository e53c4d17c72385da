"""Turn what the publication selectors return into what the public pages show.

Presentation only: no query here. The numbers are the published ones, as text (``"90.2"``);
None means the ministry did not disclose the value, and every template shows it as
"not disclosed" (비공개), never as zero or a blank cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from evaluations.models import Outcome, Publication
from evaluations.selectors import OUT_OUTCOMES, StageMethodology
from programs.models import Milestone, Stage


def _lang() -> str:
    return (get_language() or "ko")[:2]


def localized(row: dict[str, Any], field_name: str) -> str:
    """A payload entry's Korean or English text for the active language."""
    english = row.get(f"{field_name}_en") or ""
    if _lang() == "en" and english:
        return english
    return row.get(f"{field_name}_ko") or english


OUTCOME_LABELS = {value: label for value, label in Outcome.choices}


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return _("Not decided")
    return str(OUTCOME_LABELS.get(outcome, outcome))


# --- Standings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    max_points: str | None
    is_subtotal: bool = False


@dataclass(frozen=True)
class HeaderGroup:
    code: str
    name: str
    max_points: str | None
    children: list[Column]

    @property
    def span(self) -> int:
        return len(self.children) + 1 if self.children else 1


@dataclass
class StandingRow:
    team_slug: str
    team_name: str
    models: list[str]
    rank: int | None
    tied: bool
    total: str | None
    cells: list[str | None]
    leaf_points: list[str | None]
    outcome: str | None
    outcome_label: str
    reason: str
    failed_gates: list[str]
    is_out: bool


@dataclass
class Standings:
    groups: list[HeaderGroup]
    columns: list[Column]
    leaves: list[Column]
    rows: list[StandingRow]
    averages: list[str | None]
    average_total: str | None
    average_team_count: int | None
    line_after: int | None  # index of the last row above the elimination line
    out_count: int
    advanced_count: int
    planned_out: int | None
    published_at: dt.datetime
    sequence: int
    corrections: list[dict[str, Any]]

    @property
    def has_averages(self) -> bool:
        return self.average_total is not None or any(v is not None for v in self.averages)


def standings_present(record: dict[str, Any], *, stage: Stage) -> Standings:
    """The published record of a stage as a table: criteria columns grouped under their parent
    (Benchmark = NIA + global common + global individual, then its subtotal), rows with teams
    above the elimination line first (by rank, then in published order), those out below it."""
    criteria = record["criteria"]
    tops = [c for c in criteria if not c.get("parent")]
    groups: list[HeaderGroup] = []
    columns: list[Column] = []
    leaves: list[Column] = []
    for top in tops:
        children = [
            Column(code=c["code"], name=localized(c, "name"), max_points=c.get("max_points"))
            for c in criteria
            if c.get("parent") == top["code"]
        ]
        group = HeaderGroup(
            code=top["code"],
            name=localized(top, "name"),
            max_points=top.get("max_points"),
            children=children,
        )
        groups.append(group)
        if children:
            columns.extend(children)
            leaves.extend(children)
            columns.append(
                Column(
                    code=top["code"], name=group.name, max_points=group.max_points, is_subtotal=True
                )
            )
        else:
            own = Column(code=top["code"], name=group.name, max_points=group.max_points)
            columns.append(own)
            leaves.append(own)

    rows = []
    for row in record["rows"]:
        points = row.get("points") or {}
        outcome = row.get("outcome")
        rows.append(
            StandingRow(
                team_slug=row["team"],
                team_name=localized(row, "team_name"),
                models=list(row.get("models") or []),
                rank=row.get("rank"),
                tied=bool(row.get("tied")),
                total=row.get("total"),
                cells=[points.get(column.code) for column in columns],
                leaf_points=[points.get(leaf.code) for leaf in leaves],
                outcome=outcome,
                outcome_label=outcome_label(outcome),
                reason=localized(row, "reason"),
                failed_gates=list(row.get("failed_gates") or []),
                is_out=outcome in OUT_OUTCOMES,
            )
        )
    order = {id(r): i for i, r in enumerate(rows)}
    rows.sort(
        key=lambda r: (r.is_out, r.rank is None, r.rank or 0, order[id(r)]),
    )
    above = [r for r in rows if not r.is_out]
    out = [r for r in rows if r.is_out]

    stats = {s.get("criterion"): s for s in record.get("statistics") or [] if s["kind"] == "mean"}
    total_stat = stats.get(None)
    counts = [s.get("team_count") for s in stats.values() if s.get("team_count")]

    planned_out: int | None = None
    if stage.elimination_rule == Stage.Rule.ELIMINATE_LOWEST:
        planned_out = stage.rule_count
    elif stage.elimination_rule == Stage.Rule.KEEP_TOP and stage.rule_count is not None:
        planned_out = max(len(rows) - stage.rule_count, 0)

    return Standings(
        groups=groups,
        columns=columns,
        leaves=leaves,
        rows=rows,
        averages=[
            stats[column.code]["value"] if column.code in stats else None for column in columns
        ],
        average_total=total_stat["value"] if total_stat else None,
        average_team_count=counts[0] if counts else None,
        line_after=len(above) - 1 if above and out else None,
        out_count=len(out),
        advanced_count=len(above),
        planned_out=planned_out,
        published_at=record["published_at"],
        sequence=record["sequence"],
        corrections=[{**c, "note": localized(c, "note")} for c in record.get("corrections") or []],
    )


def rule_sentence(methodology: StageMethodology | None, stage: Stage) -> str:
    """The elimination rule in words, e.g. "The lowest 1 team is eliminated"."""
    count = stage.rule_count or 0
    if stage.elimination_rule == Stage.Rule.ELIMINATE_LOWEST:
        return ngettext(
            "The lowest-ranked team is eliminated.",
            "The lowest %(count)d teams are eliminated.",
            count,
        ) % {"count": count}
    if stage.elimination_rule == Stage.Rule.KEEP_TOP:
        return ngettext("Only the top team goes on.", "The top %(count)d teams go on.", count) % {
            "count": count
        }
    if stage.elimination_rule == Stage.Rule.THRESHOLD:
        threshold = methodology.rule_threshold if methodology else None
        return _("Teams below %(threshold)s points are eliminated.") % {"threshold": threshold}
    return _("No team is eliminated by score in this stage.")


# --- Stage schedule and team counts ------------------------------------------------------------


def stage_planned_date(stage: Stage, milestones: list[Milestone]) -> dt.date | None:
    """The day a stage's result was due: its end, start or announcement, else its last
    milestone (stage 2 has only "early August 2026")."""
    if stage.ends_on:
        return stage.ends_on
    if stage.announcement_at:
        return timezone.localtime(stage.announcement_at).date()
    if stage.starts_on:
        return stage.starts_on
    dates = [m.date for m in milestones if m.stage_id == stage.pk]
    return max(dates) if dates else None


@dataclass
class StageCounts:
    """Team counts of one stage, each with a label that says what it counts."""

    items: list[tuple[str, int]] = field(default_factory=list)
    teams_after: int | None = None
    selected: int | None = None


def stage_counts(
    stage: Stage, publication: Publication | None, *, previous_after: int | None
) -> StageCounts:
    """What the public may know of a stage's team counts, each with what it counts.

    Before publication only who takes part and who applied (not results). After it, an
    evaluation or the final counts the teams in its published rows and those its decisions put
    out; a call says how many teams were in the program, how many applied, how many were
    selected and how many are in afterwards (the 2026 additional call: 3, 2, 1, 4); the 2025
    reviews also judged applicants the record does not list, so their counts are the stage's.
    """
    counts = StageCounts()
    if publication is None:
        if stage.applicants is not None:
            counts.items.append((_("applicants"), stage.applicants))
        elif stage.teams_in is not None and stage.kind in (
            Stage.Kind.EVALUATION,
            Stage.Kind.FINAL,
        ):
            counts.items.append((_("teams taking part"), stage.teams_in))
        return counts
    rows = publication.payload.get("rows") or []
    if stage.kind in (Stage.Kind.EVALUATION, Stage.Kind.FINAL) and rows:
        out = sum(1 for r in rows if r.get("outcome") in OUT_OUTCOMES)
        counts.items = [(_("teams evaluated"), len(rows)), (_("out"), out)]
        counts.teams_after = len(rows) - out
    elif stage.applicants is not None:
        teams_in = stage.teams_in if stage.teams_in is not None else previous_after
        if teams_in:
            counts.items.append((_("teams in the program"), teams_in))
            counts.selected = stage.applicants_selected
        counts.items.append((_("applicants"), stage.applicants))
        if stage.applicants_selected is not None:
            counts.items.append((_("selected"), stage.applicants_selected))
        counts.teams_after = stage.teams_after
    else:
        if stage.teams_in is not None:
            counts.items.append((_("teams in"), stage.teams_in))
        counts.teams_after = stage.teams_after
    if counts.teams_after is not None:
        counts.items.append((_("teams after"), counts.teams_after))
    return counts


@dataclass(frozen=True)
class FunnelStep:
    count: int
    label: str
    note: str = ""
    planned: bool = False


def funnel_steps(
    stages: list[Stage], counts: dict[int, StageCounts], published: set[int]
) -> tuple[list[FunnelStep], bool]:
    """The funnel 15 → 10 → 5 → 3 → 4 (+1 selected) → … → 2: published counts, then the final
    number the program plans (from the final stage's rule, not a result). Returns the steps
    and whether stages are still to come."""
    steps: list[FunnelStep] = []
    first = next((s for s in stages if s.pk in published), None)
    start = (first.teams_in or first.applicants) if first is not None else None
    if first is not None and start:
        steps.append(FunnelStep(count=start, label=first.localized("name")))
    for stage in stages:
        if stage.pk not in published:
            continue
        stage_count = counts.get(stage.pk)
        after = stage_count.teams_after if stage_count else None
        if after is None or (steps and steps[-1].count == after):
            continue
        note = ""
        if stage_count and stage_count.selected:
            note = ngettext("+%(count)d selected", "+%(count)d selected", stage_count.selected) % {
                "count": stage_count.selected
            }
        steps.append(FunnelStep(count=after, label=stage.localized("name"), note=note))
    ongoing = any(stage.pk not in published for stage in stages)
    final = next((s for s in stages if s.kind == Stage.Kind.FINAL), None)
    if (
        ongoing
        and final is not None
        and final.pk not in published
        and final.elimination_rule == Stage.Rule.KEEP_TOP
        and final.rule_count
    ):
        steps.append(
            FunnelStep(
                count=final.rule_count,
                label=final.localized("name"),
                planned=True,
                note=_("planned"),
            )
        )
    return steps, ongoing


def decimal_or_none(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None
