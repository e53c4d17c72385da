"""Checking rows against a stage: the rules of `score_save` plus the file's own (known team and
criterion, a number and not a formula, no duplicate row), read in a fixed number of queries."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluations.models import Participation, Score
from evaluations.services.imports.files import Cell, Sheet, _norm
from evaluations.services.scores import EVALUATOR_CODE, _value_ceiling
from programs.errors import DomainError
from programs.models import Criterion, Stage
from programs.numbers import mark_parse

PROGRESS_EVERY = 500


# --- What the stage accepts ------------------------------------------------------------------


@dataclass(slots=True)
class StageLookup:
    """The stage's teams, criteria and current scores, read in a fixed number of queries."""

    stage: Stage
    teams: dict[str, int]  # normalised name/slug → participation id
    team_names: dict[int, str]
    criteria: dict[str, list[Criterion]]  # normalised name/code → criteria
    leaf_ids: set[int]
    own: set[tuple[int, int]]  # (participation id, individual criterion id)
    existing: dict[tuple[int, int, str], tuple[int, int, Decimal | None, str]]
    # (pid, cid, evaluator) → (score id, version, value, entered by)


def stage_lookup(*, stage: Stage) -> StageLookup:
    participations = list(
        Participation.objects.filter(stage=stage).values_list(
            "id", "team__slug", "team__name_ko", "team__name_en"
        )
    )
    teams: dict[str, int] = {}
    team_names: dict[int, str] = {}
    for pid, slug, name_ko, name_en in participations:
        team_names[pid] = name_ko or name_en
        for key in (slug, name_ko, name_en):
            if key:
                teams.setdefault(_norm(key), pid)
    criteria_list = list(Criterion.objects.filter(stage=stage).select_related("parent"))
    parents = {c.parent_id for c in criteria_list if c.parent_id}
    criteria: dict[str, list[Criterion]] = {}
    for criterion in criteria_list:
        keys = {_norm(criterion.code), _norm(criterion.name_ko), _norm(criterion.name_en)}
        keys |= {_norm(path) for path in criterion_paths(criterion)}
        for key in keys - {""}:
            criteria.setdefault(key, []).append(criterion)
    through = Participation.individual_criteria.through
    own = set(
        through.objects.filter(participation__stage=stage).values_list(
            "participation_id", "criterion_id"
        )
    )
    existing = {
        (pid, cid, evaluator): (sid, version, value, who or "")
        for sid, pid, cid, evaluator, version, value, who in Score.objects.filter(
            participation__stage=stage
        )
        .values_list(
            "id",
            "participation_id",
            "criterion_id",
            "evaluator_code",
            "version",
            "value",
            "entered_by__username",
        )
        .iterator(chunk_size=10_000)
    }
    return StageLookup(
        stage=stage,
        teams=teams,
        team_names=team_names,
        criteria=criteria,
        leaf_ids={c.pk for c in criteria_list if c.pk not in parents},
        own=own,
        existing=existing,
    )


def criterion_paths(criterion: Criterion) -> list[str]:
    """“Parent > child” names, which tell apart sub-criteria that share a name."""
    if criterion.parent_id is None:
        return []
    parent = criterion.parent
    assert parent is not None  # parent_id is set
    return [f"{parent.name_ko} > {criterion.name_ko}", f"{parent.name_en} > {criterion.name_en}"]


def criterion_label(criterion: Criterion, *, unique_names: set[str]) -> str:
    """The name the template writes: the Korean name, or “parent > name” when it is shared."""
    if criterion.name_ko in unique_names or criterion.parent_id is None:
        return criterion.name_ko
    return criterion_paths(criterion)[0]


# mark_parse's refusal → the import's problem code (the import's sentences name the column).
MARK_PROBLEMS = {
    "empty": "empty_value",
    "not_a_number": "not_a_number",
    "ambiguous_comma": "decimal_comma",
    "too_many_decimals": "too_many_decimals",
    "negative": "negative",
    "above_max": "above_max",
    "too_large": "too_large_value",
}


def parse_value(
    cell: Cell, *, max_points: Decimal | None = None, criterion: str = ""
) -> tuple[Decimal | None, str | None, dict[str, Any]]:
    """(value, problem code or None, params). A mark is read by the grid's rule, `mark_parse`
    (full-width digits, a decimal comma that cannot be a thousands separator, at most three
    decimals with trailing zeros beyond them dropped, not negative, within the maximum and the
    size of a mark), so a file and the grid accept and refuse the same marks."""
    raw = cell.value
    if cell.is_formula:
        return None, "formula", {"value": shown(raw)}
    if isinstance(raw, bool) or (isinstance(raw, float) and not math.isfinite(raw)):
        return None, "not_a_number", {"value": str(raw)}
    if isinstance(raw, int | float | Decimal):
        # Excel stores numbers as binary floats; repr gives the shortest decimal that round-trips,
        # written out without an exponent (1e-05 → 0.00001) as typed digits would be.
        text = format(Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), "f")
    elif raw is None:
        return None, "empty_value", {}
    elif isinstance(raw, str):
        text = raw
    else:  # a date or time typed into the score column
        return None, "not_a_number", {"value": shown(raw)}
    try:
        parsed = mark_parse(text, max_points=max_points, criterion=criterion)
    except DomainError as err:
        code = MARK_PROBLEMS.get(err.code, "not_a_number")
        if code == "empty_value":
            return None, code, {}
        if code == "above_max":
            return None, code, {**_pick(err.params, "value", "max"), "criterion": criterion}
        if code == "too_large_value":
            return None, code, _pick(err.params, "value", "limit")
        return None, code, {"value": shown(text.strip())}
    return parsed.value, None, {}


def _pick(params: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: shown(params[name]) for name in names}


def shown(value: Any, limit: int = 40) -> str:
    """A cell's text as a problem quotes it: at most `limit` characters, and without the NUL
    character, which the database cannot store (the problems are kept with the import)."""
    text = str(value).replace("\x00", "\u2400")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(cells: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(cells):
        return Cell(None)
    return cells[index]


def _text(cell: Cell) -> str:
    if cell.value is None:
        return ""
    return unicodedata.normalize("NFKC", str(cell.value)).strip()


@dataclass(slots=True)
class CheckResult:
    problems: list[dict[str, Any]]
    plan: list[list[Any]]
    rows_total: int
    created: int
    updated: int
    unchanged: int


def check_rows(*, sheet: Sheet, lookup: StageLookup, progress: Any = None) -> CheckResult:
    """Check every row; plan the writes. `progress(n)` is called every PROGRESS_EVERY rows."""
    problems: list[dict[str, Any]] = []
    plan: list[list[Any]] = []
    seen: dict[tuple[int, int, str], int] = {}
    created = updated = unchanged = 0
    cols = sheet.columns
    letters = sheet.column_letters
    known_teams = ", ".join(sorted(set(lookup.team_names.values())))

    def problem(row: int, key: str | None, code: str, **params: Any) -> None:
        # The evaluator column is optional: a row that needs it in a file without it is still
        # a problem in that column, which the file does not have (no letter to give).
        column = letters.get(key, "") if key else ""
        problems.append(
            {"row": row, "column": column, "column_key": key, "code": code, "params": params}
        )

    for done, (row, cells) in enumerate(sheet.rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        team_text = _text(_cell(cells, cols["team"]))
        criterion_text = _text(_cell(cells, cols["criterion"]))
        evaluator = _text(_cell(cells, cols.get("evaluator")))

        pid = lookup.teams.get(_norm(team_text))
        if pid is None:
            problem(row, "team", "unknown_team", value=shown(team_text, 80), known=known_teams)
        matches = lookup.criteria.get(_norm(criterion_text), [])
        criterion: Criterion | None = None
        if not matches:
            problem(row, "criterion", "unknown_criterion", value=shown(criterion_text, 80))
        elif len(matches) > 1:
            choices = ", ".join(
                f"“{criterion_paths(c)[0] if c.parent_id else c.name_ko}”" for c in matches
            )
            problem(
                row,
                "criterion",
                "ambiguous_criterion",
                value=shown(criterion_text, 80),
                choices=choices,
            )
        else:
            criterion = matches[0]
        if criterion is not None:
            name = criterion.name_ko
            if criterion.pk not in lookup.leaf_ids:
                problem(row, "criterion", "computed_criterion", value=name)
                criterion = None
            elif (
                criterion.is_individual
                and pid is not None
                and (pid, criterion.pk) not in lookup.own
            ):
                problem(
                    row,
                    "criterion",
                    "not_own_criterion",
                    value=name,
                    team=lookup.team_names[pid],
                )
                criterion = None
            elif criterion.max_points is None and criterion.target is None:
                problem(row, "criterion", "max_not_set", value=name)
                criterion = None
        if criterion is not None:
            direct = criterion.aggregation == Criterion.Aggregation.DIRECT
            if direct and evaluator:
                problem(row, "evaluator", "evaluator_not_expected", criterion=criterion.name_ko)
            elif not direct and not EVALUATOR_CODE.match(evaluator):
                problem(row, "evaluator", "evaluator_needed", criterion=criterion.name_ko)
        value, value_problem, value_params = parse_value(
            _cell(cells, cols["value"]),
            max_points=_value_ceiling(criterion) if criterion is not None else None,
            criterion=criterion.name_ko if criterion is not None else "",
        )
        if value_problem is not None:
            problem(row, "value", value_problem, **value_params)
        if pid is None or criterion is None:
            continue
        key = (pid, criterion.pk, evaluator)
        if key in seen:
            problem(row, None, "duplicate", first_row=seen[key])
            continue
        seen[key] = row
        if problems:
            continue  # nothing will be applied; no need to plan
        current = lookup.existing.get(key)
        if current is None:
            created += 1
            plan.append([pid, criterion.pk, evaluator, _plain(value), None, None])
        elif current[2] == value:
            unchanged += 1
        else:
            updated += 1
            plan.append([pid, criterion.pk, evaluator, _plain(value), current[0], current[1]])
    if problems:
        plan, created, updated, unchanged = [], 0, 0, 0
    return CheckResult(problems, plan, len(sheet.rows), created, updated, unchanged)


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
