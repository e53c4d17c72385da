"""Charts drawn on the server as inline SVG: the funnel, stacked standings bars and a team's path.

They need no JavaScript, print well and scale to the page width (a viewBox, no fixed size).
Each carries a `<title>` and a `<desc>` (the text alternative) and sits beside a table with the
same numbers. Colours are presentation attributes, not inline styles, so a strict content
security policy does not blank them; every fill keeps at least 3:1 contrast with the page.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluations.models import Outcome
from evaluations.selectors import StagePathStep
from programs.models import Stage
from public.presenters import FunnelStep, Standings, outcome_label

# One colour per leaf criterion, in order; blues for the benchmark family come first in the
# stage-1 tree. All reach at least 3:1 against white.
PALETTE = ["#0b3d91", "#2563b0", "#3f6fb0", "#1f7a3f", "#9a4f00", "#6a3d9a", "#8a1c4a", "#305f5f"]
INK = "#1b1f24"
MUTED = "#5b6470"
STOP = "#a12828"
OK = "#1f7a3f"


def _svg(width: int, height: int, title: str, desc: str, body: str, prefix: str) -> SafeString:
    # One chart of each kind per page, so the kind names its title and description.
    ident = f"chart-{prefix}"
    return mark_safe(
        f'<svg class="chart chart--{prefix}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def legend_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def standings_chart(standings: Standings, *, title: str) -> SafeString:
    """Horizontal bars, one per team, stacked by leaf criterion; a dashed vertical line at the
    field average total and a dashed horizontal line under the last team above the elimination
    line. A number that was not disclosed draws no segment and is said in words."""
    label_w, chart_x, chart_w, bar_h, gap, top = 0, 0, 440, 20, 30, 34
    rows = standings.rows
    maximum = sum(Decimal(g.max_points) for g in standings.groups if g.max_points) or Decimal(100)
    height = top + len(rows) * (bar_h + gap) + 8

    def x(value: Decimal) -> float:
        return round(chart_x + float(value / maximum) * chart_w * 0.82, 1)

    parts: list[str] = []
    descriptions: list[str] = []
    for index, row in enumerate(rows):
        y = top + index * (bar_h + gap)
        name_y = y - 6
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart__label" fill="{}">{}</text>',
                label_w,
                name_y,
                INK,
                row.team_name,
            )
        )
        offset = Decimal(0)
        said: list[str] = []
        for leaf_index, (leaf, value) in enumerate(
            zip(standings.leaves, row.leaf_points, strict=True)
        ):
            if value is None:
                continue
            amount = Decimal(value)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" '
                    'stroke-width="1"><title>{}: {}</title></rect>',
                    x(offset),
                    y,
                    round(x(offset + amount) - x(offset), 1),
                    bar_h,
                    legend_colour(leaf_index),
                    leaf.name,
                    value,
                )
            )
            offset += amount
            said.append(f"{leaf.name} {value}")
        if row.total is not None:
            end_text = row.total
            text_x = x(Decimal(row.total)) + 6
        else:
            end_text = _("total not disclosed")
            text_x = x(offset) + 6 if offset else chart_x
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart__value" fill="{}">{}</text>',
                text_x,
                y + bar_h - 6,
                INK if row.total is not None else MUTED,
                end_text,
            )
        )
        detail = ", ".join(said) if said else _("points not disclosed")
        descriptions.append(
            _("%(team)s: total %(total)s (%(detail)s), %(outcome)s")
            % {
                "team": row.team_name,
                "total": row.total or _("not disclosed"),
                "detail": detail,
                "outcome": row.outcome_label,
            }
        )
        if standings.line_after == index:
            line_y = y + bar_h + 7  # below the bar, above the next team's name
            parts.append(
                format_html(
                    '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="6 4"/>'
                    '<text x="{}" y="{}" text-anchor="end" class="chart__note" fill="{}">{}</text>',
                    chart_w,
                    line_y,
                    line_y,
                    STOP,
                    chart_w,
                    line_y - 4,
                    STOP,
                    _("elimination line"),
                )
            )
    if standings.average_total is not None:
        avg_x = x(Decimal(standings.average_total))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="3 3"/>'
                '<text x="{}" y="14" text-anchor="middle" class="chart__note" fill="{}">{}</text>',
                avg_x,
                avg_x,
                20,
                height - 8,
                MUTED,
                avg_x,
                MUTED,
                _("field average %(value)s") % {"value": standings.average_total},
            )
        )
        descriptions.append(
            _("Field average total: %(value)s.") % {"value": standings.average_total}
        )
    if standings.line_after is not None:
        descriptions.append(
            _("%(count)d team(s) above the elimination line, %(out)d out.")
            % {"count": standings.advanced_count, "out": standings.out_count}
        )
    return _svg(chart_w + 10, height, title, " ".join(descriptions), "".join(parts), "standings")


def funnel_chart(steps: list[FunnelStep], *, ongoing: bool, title: str) -> SafeString:
    """Centred bars whose widths follow the number of teams, top to bottom; a planned count is
    an outline only."""
    width, bar_h, gap = 440, 28, 10
    biggest = max((s.count for s in steps), default=1) or 1
    rows = len(steps) + (1 if ongoing and not any(s.planned for s in steps) else 0)
    height = rows * (bar_h + gap) + 4
    parts: list[str] = []
    said: list[str] = []
    for index, step in enumerate(steps):
        w = round(max(50.0, 300 * step.count / biggest), 1)
        x = round((width - w) / 2, 1)
        y = index * (bar_h + gap)
        if step.planned:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart__note" '
                    'fill="{}">…</text>',
                    width / 2,
                    y - 1,
                    MUTED,
                )
            )
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#fff" '
                    'stroke="{}" stroke-width="2" stroke-dasharray="5 4"/>',
                    x,
                    y + 4,
                    w,
                    bar_h - 4,
                    MUTED,
                )
            )
            fill_text = INK
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#2563b0"/>',
                    x,
                    y,
                    w,
                    bar_h,
                )
            )
            fill_text = "#fff"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart__count" fill="{}">{}</text>',
                width / 2,
                y + bar_h - 9,
                fill_text,
                step.count,
            )
        )
        if step.note:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart__note" fill="{}">{}</text>',
                    round(x + w + 8, 1),
                    y + bar_h - 9,
                    OK if not step.planned else MUTED,
                    step.note,
                )
            )
        said.append(f"{step.label}: {step.count}" + (f" ({step.note})" if step.note else ""))
    desc = " → ".join(said)
    if ongoing and not any(s.planned for s in steps):
        desc += " → …"
    return _svg(width, height, title, desc, "".join(parts), "funnel")


OUTCOME_COLOURS = {
    Outcome.ADVANCED: OK,
    Outcome.ELIMINATED: STOP,
    Outcome.DISQUALIFIED: STOP,
    Outcome.WITHDRAWN: MUTED,
}


def path_chart(steps: list[StagePathStep], *, title: str, language: str) -> SafeString:
    """A vertical path through the stages: a marker per published stage, filled green when the
    team went on and red when it went out, with the stage, rank and outcome beside it."""
    width, row_h = 420, 46
    height = max(len(steps), 1) * row_h + 4
    parts: list[str] = []
    said: list[str] = []
    if len(steps) > 1:
        parts.append(
            format_html(
                '<line x1="14" x2="14" y1="16" y2="{}" stroke="{}" stroke-width="3"/>',
                (len(steps) - 1) * row_h + 16,
                "#d8dde3",
            )
        )
    for index, step in enumerate(steps):
        y = index * row_h + 16
        colour = OUTCOME_COLOURS.get(step.outcome or "", MUTED)
        name = step.stage.name_en if language == "en" and step.stage.name_en else step.stage.name_ko
        ranked = step.stage.kind in (Stage.Kind.EVALUATION, Stage.Kind.FINAL)
        if not ranked:
            rank = ""
        elif step.rank is not None:
            rank = (_("joint rank %(rank)s") if step.tied else _("rank %(rank)s")) % {
                "rank": step.rank
            }
        else:
            rank = _("rank not disclosed")
        outcome = outcome_label(step.outcome)
        line = " · ".join(part for part in (outcome, rank, step.total or "") if part)
        parts.append(
            format_html(
                '<circle cx="14" cy="{}" r="9" fill="{}" stroke="#fff" stroke-width="2"/>'
                '<text x="34" y="{}" class="chart__label" fill="{}">{}</text>'
                '<text x="34" y="{}" class="chart__note" fill="{}">{}</text>',
                y,
                colour,
                y - 1,
                INK,
                name,
                y + 17,
                MUTED,
                line,
            )
        )
        said.append(f"{name}: {line}")
    return _svg(width, height, title, "; ".join(said), "".join(parts), "path")
