"""Checking rows against a stage: the rules of `score_save` plus the file's own (known team and
criterion, a number and not a formula, no duplicate row), read in a fixed number of queries."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from evaluations.models import Participation, Score
from evaluations.services.imports.files import Cell, Sheet, _norm
from evaluations.services.scores import EVALUATOR_CODE, _value_ceiling
from programs.models import Criterion, Stage
from programs.numbers import decimal_text

PROGRESS_EVERY = 500
NOT_DISCLOSED = {"비공개", "not disclosed", "undisclosed"}


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


def parse_value(cell: Cell) -> tuple[Decimal | None, str | None, dict[str, Any]]:
    """(value, problem code or None, params). Full-width digits are read; a comma is refused."""
    raw = cell.value
    if cell.is_formula:
        return None, "formula", {"value": str(raw)[:40]}
    if isinstance(raw, bool):
        return None, "not_a_number", {"value": str(raw)}
    if isinstance(raw, int | float | Decimal):
        # Excel stores numbers as binary floats; repr gives the shortest decimal that round-trips.
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif raw is None:
        return None, "empty_value", {}
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if text == "":
            return None, "empty_value", {}
        if text.casefold() in NOT_DISCLOSED:
            return None, None, {}
        if "," in text:
            return None, "decimal_comma", {"value": raw.strip()}
    else:  # a date or time typed into the score column
        return None, "not_a_number", {"value": str(raw)}
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "not_a_number", {"value": str(raw).strip()[:40]}
    if not value.is_finite():
        return None, "not_a_number", {"value": str(raw).strip()[:40]}
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        if value == value.quantize(Decimal("0.001")):
            value = value.quantize(Decimal("0.001"))
        else:
            return None, "too_many_decimals", {"value": text}
    if value < 0:
        return None, "negative", {"value": text}
    return value, None, {}


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
        column = letters[key] if key else ""
        problems.append(
            {"row": row, "column": column, "column_key": key, "code": code, "params": params}
        )

    for done, (row, cells) in enumerate(sheet.rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        team_text = _text(_cell(cells, cols["team"]))
        criterion_text = _text(_cell(cells, cols["criterion"]))
        evaluator = _text(_cell(cells, cols.get("evaluator")))
        value, value_problem, value_params = parse_value(_cell(cells, cols["value"]))

        pid = lookup.teams.get(_norm(team_text))
        if pid is None:
            problem(row, "team", "unknown_team", value=team_text, known=known_teams)
        matches = lookup.criteria.get(_norm(criterion_text), [])
        criterion: Criterion | None = None
        if not matches:
            problem(row, "criterion", "unknown_criterion", value=criterion_text)
        elif len(matches) > 1:
            choices = ", ".join(
                f"“{criterion_paths(c)[0] if c.parent_id else c.name_ko}”" for c in matches
            )
            problem(row, "criterion", "ambiguous_criterion", value=criterion_text, choices=choices)
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
        if value_problem is not None:
            problem(row, "value", value_problem, **value_params)
        elif criterion is not None and value is not None:
            ceiling = _value_ceiling(criterion)
            if ceiling is not None and value > ceiling:
                problem(
                    row,
                    "value",
                    "above_max",
                    value=decimal_text(value),
                    max=decimal_text(ceiling),
                    criterion=criterion.name_ko,
                )
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
