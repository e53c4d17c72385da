"""The score grid: teams × leaf criteria (× evaluators), saved cell by cell with htmx or a whole
team's row at once, with the computed standings beside it.

A cell posts its value, the version it was loaded with and its coordinates. The answer is the
cell again (saved, refused with a message, or in conflict showing both values and who saved the
other), the row's computed parents and total as out-of-band swaps, and an `HX-Trigger` that makes
the standings panel poll until the recompute has caught up with the save.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from evaluations.roles import Role
from evaluations.selectors_grid import (
    GridCell,
    GridColumn,
    score_grid,
    score_with_people,
    standings_panel,
)
from evaluations.selectors_staff import stage_get
from evaluations.services.score_entry import (
    MarkEntry,
    RowConflict,
    score_keep_after_send_back,
    scores_save_row,
)
from evaluations.services.scores import EVALUATOR_CODE, score_save
from programs.errors import ConflictError, DomainError, NotFound
from programs.models import Criterion, Stage
from programs.numbers import mark_parse
from staff.access import ANY_STAFF, forbidden, role_required
from staff.views.errors import not_found_on_domain_error

ENTRY_ROLES = (Role.CLERK, Role.ADMIN)


def _can_enter(request: HttpRequest, stage: Stage) -> bool:
    roles = request.staff_roles  # type: ignore[attr-defined]
    if stage.status == Stage.Status.SCORING:
        return bool(roles & set(ENTRY_ROLES))
    return False


def _extra_evaluators(request: HttpRequest) -> list[str]:
    raw = f"{request.GET.get('evaluators', '')},{request.GET.get('new_evaluator', '')}"
    codes = (code.strip() for code in raw.split(","))
    return sorted({code for code in codes if EVALUATOR_CODE.match(code)})


@require_safe
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_scores(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = stage_get(stage_id=stage_id)
    extra = _extra_evaluators(request)
    grid = score_grid(stage=stage, extra_evaluators=extra)
    context = {
        "stage": stage,
        "tab": "scores",
        "grid": grid,
        "editable": _can_enter(request, stage),
        "panel": standings_panel(stage_id=stage.pk),
        "extra_evaluators": ",".join(extra),
        "sent_back": [
            (row.participation.team, cell)
            for row in grid.rows
            for cell in row.cells
            if cell.score is not None and _is_sent_back(cell.score)
        ],
    }
    return render(request, "staff/scores/grid.html", context)


def _is_sent_back(score: Any) -> bool:
    return score.sent_back_at is not None and score.sent_back_at >= score.entered_at


@require_GET
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def stage_standings(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage_get(stage_id=stage_id)
    return render(
        request, "staff/scores/_standings.html", {"panel": standings_panel(stage_id=stage_id)}
    )


def _cell_coordinates(request: HttpRequest, stage: Stage) -> tuple[int, Criterion, str, str]:
    data = request.POST if request.method == "POST" else request.GET
    try:
        participation_id = int(data.get("participation", ""))
        criterion_id = int(data.get("criterion", ""))
    except ValueError:
        raise Http404 from None
    evaluator = data.get("evaluator", "").strip()
    if evaluator and not EVALUATOR_CODE.match(evaluator):
        # No cell of the grid has such a column (its columns come from valid codes); looking it
        # up would send the database text it refuses (a NUL character: a server error).
        raise Http404
    criterion = Criterion.objects.filter(pk=criterion_id, stage=stage).first()
    participation = stage.participations.select_related("team").filter(pk=participation_id).first()
    if criterion is None or participation is None:
        raise Http404
    return participation_id, criterion, evaluator, participation.team.name


def _version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "", "0") else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@role_required(*ANY_STAFF)
@not_found_on_domain_error
def score_cell(request: HttpRequest, stage_id: int) -> HttpResponse:
    """GET: the cell as saved now ("keep theirs"). POST: save the typed value."""
    if request.method == "POST" and not request.staff_roles & set(ENTRY_ROLES):  # type: ignore[attr-defined]
        return forbidden(request, ENTRY_ROLES)
    stage = stage_get(stage_id=stage_id)
    participation_id, criterion, evaluator, team_name = _cell_coordinates(request, stage)
    column = GridColumn(f"m:{criterion.pk}:{evaluator}", criterion, evaluator)
    editable = _can_enter(request, stage)
    if request.method == "GET":
        cell = GridCell(column, participation_id, team_name=team_name)
        cell.score = score_with_people(
            participation_id=participation_id, criterion_id=criterion.pk, evaluator_code=evaluator
        )
        return _render_cell(request, cell, editable=editable)
    if not editable:
        return _render_cell(
            request,
            GridCell(column, participation_id, team_name=team_name),
            editable=False,
            error=_(
                "Only a clerk or an administrator can enter marks, while the stage is in scoring."
            ),
            status=403,
        )
    # The grid's input posts under its row-form name; "Use mine" posts `value`.
    typed = request.POST.get("value") or request.POST.get(f"m:{criterion.pk}:{evaluator}", "")
    expected = _version(request.POST.get("version"))
    cell = GridCell(column, participation_id, team_name=team_name)
    ceiling = None if criterion.target is not None else criterion.max_points
    try:
        parsed = mark_parse(typed, max_points=ceiling, criterion=criterion.name)
        score = score_save(
            participation_id=participation_id,
            criterion_id=criterion.pk,
            evaluator_code=evaluator,
            value=parsed.value,
            user=request.user,
            expected_version=expected,
        )
    except ConflictError:
        cell.score = score_with_people(
            participation_id=participation_id, criterion_id=criterion.pk, evaluator_code=evaluator
        )
        return _render_cell(request, cell, editable=True, conflict=True, typed=typed, status=409)
    except DomainError as err:
        if err.code == "empty":
            cell.score = score_with_people(
                participation_id=participation_id,
                criterion_id=criterion.pk,
                evaluator_code=evaluator,
            )
            if cell.score is None:  # nothing typed into an empty cell: nothing to do
                return _render_cell(request, cell, editable=True)
            message = _("A mark cannot be emptied; type the right mark or choose “not disclosed”.")
        else:
            message = err.message
        return _render_cell(
            request, cell, editable=True, error=message, typed=typed, version=expected, status=422
        )
    cell.score = score_with_people(
        participation_id=participation_id,
        criterion_id=criterion.pk,
        evaluator_code=score.evaluator_code,
    )
    response = _render_cell(request, cell, editable=True, saved=True, with_row=stage)
    response["HX-Trigger"] = json.dumps({"standings-changed": {"stage": stage.pk}})
    return response


def _render_cell(
    request: HttpRequest,
    cell: GridCell,
    *,
    editable: bool,
    error: str = "",
    conflict: bool = False,
    saved: bool = False,
    typed: str = "",
    version: int | None = None,
    status: int = 200,
    with_row: Stage | None = None,
) -> HttpResponse:
    context = {
        "cell": cell,
        "editable": editable,
        "error": error,
        "conflict": conflict,
        "saved": saved,
        "typed": typed,
        "typed_version": version,
        "stage_id": cell.column.criterion.stage_id if cell.column.criterion else None,
    }
    html = render_to_string("staff/scores/_cell.html", context, request=request)
    if with_row is not None:
        # The row's parents and total as the standings core computes them now.
        grid = score_grid(stage=with_row)
        row = next((r for r in grid.rows if r.participation.pk == cell.participation_id), None)
        if row is not None:
            html += "".join(
                render_to_string(
                    "staff/scores/_calc.html", {"cell": c, "oob": True}, request=request
                )
                for c in row.cells
                if c.column.computed
            )
    return HttpResponse(html, status=status)


@require_POST
@role_required(*ENTRY_ROLES)
@not_found_on_domain_error
def mark_keep(request: HttpRequest, stage_id: int) -> HttpResponse:
    """A clerk answers a send-back: the mark is right as it is (with a reply for the verifier)."""
    stage = stage_get(stage_id=stage_id)
    try:
        score_keep_after_send_back(
            score_id=_version(request.POST.get("score")) or 0,
            user=request.user,
            expected_version=_version(request.POST.get("version")) or 0,
            note=request.POST.get("note", ""),
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Kept as it is; the verifier will check it again."))
    return redirect("staff:stage_scores", stage_id=stage.pk)


@require_POST
@role_required(*ENTRY_ROLES)
@not_found_on_domain_error
def score_row(request: HttpRequest, stage_id: int, participation_id: int) -> HttpResponse:
    """Save a whole team's row in one request, all or nothing (the grid without JavaScript)."""
    stage = stage_get(stage_id=stage_id)
    if not stage.participations.filter(pk=participation_id).exists():
        raise Http404
    criteria = {c.pk: c for c in Criterion.objects.filter(stage=stage)}
    entries: list[MarkEntry] = []
    problems: list[str] = []
    for key, typed in request.POST.items():
        if not key.startswith("m:"):
            continue
        _m, criterion_id, evaluator = [*key.split(":", 2), "", ""][:3]
        criterion = criteria.get(int(criterion_id)) if criterion_id.isdigit() else None
        if criterion is None:
            continue
        version = _version(request.POST.get(f"v:{criterion_id}:{evaluator}"))
        if typed.strip() == "" and version is None:
            continue  # an empty cell that was empty: nothing entered
        ceiling = None if criterion.target is not None else criterion.max_points
        try:
            parsed = mark_parse(typed, max_points=ceiling, criterion=criterion.name)
        except DomainError as err:
            label = f"{criterion.name} {evaluator}".strip()
            problems.append(f"{label}: {err.message}")
            continue
        entries.append(MarkEntry(criterion.pk, parsed.value, evaluator, version))
    if problems:
        for problem in problems:
            messages.error(request, problem)
        messages.error(request, _("Nothing in the row was saved."))
        return redirect("staff:stage_scores", stage_id=stage.pk)
    try:
        saved = scores_save_row(
            participation_id=participation_id, entries=entries, user=request.user
        )
    except RowConflict as err:
        for conflict in err.conflicts:
            messages.error(
                request,
                _(
                    "%(criterion)s %(evaluator)s: %(who)s saved %(theirs)s since you loaded the "
                    "page; yours was %(yours)s."
                )
                % {
                    "criterion": criteria[conflict.criterion_id].name,
                    "evaluator": conflict.evaluator_code,
                    "who": conflict.saved_by,
                    "theirs": _display(conflict.theirs),
                    "yours": _display(conflict.yours),
                },
            )
        messages.error(request, err.message)
    except (DomainError, NotFound) as err:
        messages.error(request, _about_cell(err, criteria))
    else:
        messages.success(
            request, _("Row saved: %(count)s mark(s) changed.") % {"count": len(saved)}
        )
    return redirect("staff:stage_scores", stage_id=stage.pk)


def _about_cell(err: DomainError, criteria: dict[int, Criterion]) -> str:
    """A refusal of one cell of the row names that cell first (“nia: …”, “전문가 E01: …”), as
    the refusals of typed values do; the service gives the cell as the field "cell:<id>:<code>"."""
    kind, _sep, cell = (err.field or "").partition(":")
    criterion_id, _sep, evaluator = cell.partition(":")
    criterion = criteria.get(int(criterion_id)) if criterion_id.isdigit() else None
    if kind != "cell" or criterion is None:
        return str(err.message)
    return f"{f'{criterion.name} {evaluator}'.strip()}: {err.message}"


def _display(value: Decimal | None) -> str:
    return _("not disclosed") if value is None else str(value)
