"""Charts drawn on the server as inline SVG: the funnel, stacked standings bars and a team's path.

They need no JavaScript, print well and fill the width of their box without scaling their text:
there is no viewBox, so a chart's units are CSS pixels; lengths along the value axis are
percentages of the chart's width and vertical positions are pixels. The words therefore render at
the stylesheet's size on any screen (a viewBox shrank them to about 9 px on a 360 px phone) while
the bars stretch or shrink with the box. Each carries a `<title>` and a `<desc>` (the text
alternative) and sits beside a table with the same numbers. Colours are presentation attributes,
not inline styles, so a strict content security policy does not blank them; every fill keeps at
least 3:1 contrast with the page.
"""

from __future__ import annotations

from decimal import Decimal
from unicodedata import east_asian_width

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


def _svg(height: int, title: str, desc: str, body: str, prefix: str) -> SafeString:
    # One chart of each kind per page, so the kind names its title and description.
    ident = f"chart-{prefix}"
    return mark_safe(
        f'<svg class="chart chart--{prefix}" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def legend_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


# The narrowest chart a phone shows: a 320 px screen less the page's 1rem margins. Words drawn
# from the left edge wrap to fit it, since SVG text never wraps by itself and a word past the
# chart's edge is cut off. Font sizes in pixels, as in public.css (.chart__label, .chart__note).
NARROWEST = 288
LABEL_PX = 15
NOTE_PX = 13


def _text_width(text: str, font_px: int) -> float:
    """A generous estimate of the drawn width: a Hangul or other wide character takes a full
    em, anything else about 0.62 em (bold Latin letters average a little less)."""
    return sum(1.0 if east_asian_width(c) in "WF" else 0.62 for c in text) * font_px


def _wrap(text: str, font_px: int, budget: float, sep: str = " ") -> list[str]:
    """Break `text` at `sep` into lines no wider than `budget` by the estimate; a piece wider
    than the budget keeps a line of its own. A line broken at a visible separator (" · ") ends
    with it, so the reader sees the line goes on."""
    lines: list[str] = []
    for piece in text.split(sep):
        if lines and _text_width(f"{lines[-1]}{sep}{piece}", font_px) <= budget:
            lines[-1] = f"{lines[-1]}{sep}{piece}"
        else:
            lines.append(piece)
    if sep.strip():
        lines = [f"{line}{sep.rstrip()}" for line in lines[:-1]] + lines[-1:]
    return lines or [""]


def _text(lines: list[str], x: int, y: int, step: int, css: str, fill: str) -> str:
    """One <text> whose lines are tspans `step` pixels apart, the first at baseline `y`."""
    spans = "".join(
        format_html('<tspan x="{}" y="{}">{}</tspan>', x, y + index * step, line)
        for index, line in enumerate(lines)
    )
    return format_html('<text class="{}" fill="{}">{}</text>', css, fill, mark_safe(spans))


def _pct(value: float) -> str:
    """A length along the chart's width, as an SVG percentage."""
    return f"{round(value, 2)}%"


def standings_chart(standings: Standings, *, title: str) -> SafeString:
    """Horizontal bars, one per team, stacked by leaf criterion, with the team's name above its
    bar; a dashed vertical line at the field average total and a dashed horizontal line under
    the last team above the elimination line, named in a band of its own below the line. A
    number that was not disclosed draws no segment and is said in words."""
    bar_h, gap, top, line_band = 20, 30, 38, 18
    # The longest bar takes this share of the width; the rest holds the total written after it.
    span = 82.0
    rows = standings.rows
    maximum = sum(Decimal(g.max_points) for g in standings.groups if g.max_points) or Decimal(100)
    below_line = line_band if standings.line_after is not None else 0
    extra_lines = sum(len(_wrap(row.team_name, LABEL_PX, NARROWEST)) - 1 for row in rows)
    height = top + len(rows) * (bar_h + gap) + extra_lines * 18 + below_line + 8

    def x(value: Decimal) -> float:
        return float(value / maximum) * span

    parts: list[str] = []
    # Names and totals are drawn last, over the average line, each with a white halo (CSS).
    words: list[str] = []
    descriptions: list[str] = []
    y = top
    for index, row in enumerate(rows):
        # A name too long for a phone takes two lines, and the rows below move down.
        name_lines = _wrap(row.team_name, LABEL_PX, NARROWEST)
        y += (len(name_lines) - 1) * 18
        words.append(
            _text(name_lines, 0, y - 6 - (len(name_lines) - 1) * 18, 18, "chart__label", INK)
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
                    _pct(x(offset)),
                    y,
                    _pct(x(offset + amount) - x(offset)),
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
            text_x = x(Decimal(row.total))
        else:
            end_text = _("total not disclosed")
            text_x = x(offset)
        words.append(
            format_html(
                '<text x="{}" dx="{}" y="{}" class="chart__value" fill="{}">{}</text>',
                _pct(text_x),
                6 if text_x else 0,
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
        y += bar_h + gap
        if standings.line_after == index:
            line_y = y - gap + 8  # below the bar; its name sits in the band under the line
            parts.append(
                format_html(
                    '<line x1="0" x2="100%" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="6 4"/>'
                    '<text x="100%" y="{}" text-anchor="end" class="chart__note" '
                    'fill="{}">{}</text>',
                    line_y,
                    line_y,
                    STOP,
                    line_y + 15,
                    STOP,
                    _("elimination line"),
                )
            )
            y += line_band
    if standings.average_total is not None:
        avg_x = x(Decimal(standings.average_total))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="3 3"/>'
                '<text x="{}" y="14" text-anchor="middle" class="chart__note" fill="{}">{}</text>',
                _pct(avg_x),
                _pct(avg_x),
                20,
                height - 8,
                MUTED,
                _pct(avg_x),
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
    return _svg(height, title, " ".join(descriptions), "".join(parts + words), "standings")


def funnel_chart(steps: list[FunnelStep], *, ongoing: bool, title: str) -> SafeString:
    """Centred bars whose widths follow the number of teams, top to bottom; a planned count is
    an outline only."""
    bar_h, gap = 28, 10
    # The widest bar takes this share of the width, the narrowest at least `least`, so the
    # note written after a bar still fits on a phone.
    widest, least = 68.0, 12.0
    biggest = max((s.count for s in steps), default=1) or 1
    rows = len(steps) + (1 if ongoing and not any(s.planned for s in steps) else 0)
    height = rows * (bar_h + gap) + 4
    parts: list[str] = []
    said: list[str] = []
    for index, step in enumerate(steps):
        w = max(least, widest * step.count / biggest)
        x = (100 - w) / 2
        y = index * (bar_h + gap)
        if step.planned:
            parts.append(
                format_html(
                    '<text x="50%" y="{}" text-anchor="middle" class="chart__note" '
                    'fill="{}">…</text>',
                    y - 1,
                    MUTED,
                )
            )
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#fff" '
                    'stroke="{}" stroke-width="2" stroke-dasharray="5 4"/>',
                    _pct(x),
                    y + 4,
                    _pct(w),
                    bar_h - 4,
                    MUTED,
                )
            )
            fill_text = INK
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#2563b0"/>',
                    _pct(x),
                    y,
                    _pct(w),
                    bar_h,
                )
            )
            fill_text = "#fff"
        parts.append(
            format_html(
                '<text x="50%" y="{}" text-anchor="middle" class="chart__count" '
                'fill="{}">{}</text>',
                y + bar_h - 9,
                fill_text,
                step.count,
            )
        )
        if step.note:
            parts.append(
                format_html(
                    '<text x="{}" dx="8" y="{}" class="chart__note" fill="{}">{}</text>',
                    _pct(x + w),
                    y + bar_h - 9,
                    OK if not step.planned else MUTED,
                    step.note,
                )
            )
        said.append(f"{step.label}: {step.count}" + (f" ({step.note})" if step.note else ""))
    desc = " → ".join(said)
    if ongoing and not any(s.planned for s in steps):
        desc += " → …"
    return _svg(height, title, desc, "".join(parts), "funnel")


OUTCOME_COLOURS = {
    Outcome.ADVANCED: OK,
    Outcome.ELIMINATED: STOP,
    Outcome.DISQUALIFIED: STOP,
    Outcome.WITHDRAWN: MUTED,
}


def path_chart(steps: list[StagePathStep], *, title: str, language: str) -> SafeString:
    """A vertical path through the stages: a marker per published stage, filled green when the
    team went on and red when it went out, with the stage, rank and outcome beside it (a long
    stage name goes on to a second line rather than off a phone's screen)."""
    text_x = 34
    budget = NARROWEST - text_x
    parts: list[str] = []
    said: list[str] = []
    y = 16
    marks: list[int] = []
    for step in steps:
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
        name_lines = _wrap(name, LABEL_PX, budget)
        note_y = y - 1 + len(name_lines) * 18
        note_lines = _wrap(line, NOTE_PX, budget, sep=" · ")
        marks.append(y)
        parts.append(
            format_html(
                '<circle cx="14" cy="{}" r="9" fill="{}" stroke="#fff" stroke-width="2"/>',
                y,
                colour,
            )
        )
        parts.append(_text(name_lines, text_x, y - 1, 18, "chart__label", INK))
        parts.append(_text(note_lines, text_x, note_y, 16, "chart__note", MUTED))
        said.append(f"{name}: {line}")
        y = note_y + (len(note_lines) - 1) * 16 + 29
    if len(marks) > 1:
        parts.insert(
            0,
            format_html(
                '<line x1="14" x2="14" y1="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                marks[0],
                marks[-1],
                "#d8dde3",
            ),
        )
    height = max(y - 12, 50)
    return _svg(height, title, "; ".join(said), "".join(parts), "path")
