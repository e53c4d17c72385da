"""Reads of the history for staff: a stage's whole history as a timeline, and one entry's.

Every model of the record keeps its history (see `programs.history`). These selectors turn
history rows into `HistoryEntry` lines a person can read: when, who, which object in words
("Alpha · “nia” · E01"), which field, the value before and after, and the reason given.

1. Read each kind of history row of the stage with one query per kind: the stage, its criteria,
   gates, participations (with the models submitted and own criteria), scores, gate results,
   decisions, publications, and the status changes of its teams. Deleted objects are included:
   their history outlives them.
2. Read the names they refer to (people, teams, models) with one query per kind.
3. Walk each object's rows in order and compare each with the one before it; a creation is
   compared with nothing, a deletion with nothing after it.

The number of queries does not grow with the number of teams, marks or changes. Staff only:
drafts and per-evaluator marks appear here, so nothing public may use these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import Decision, GateResult, Participation, Publication, Score
from programs.models import Criterion, Gate, Stage
from programs.numbers import decimal_text
from teams.models import AIModel, Team


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One changed value of one object, as a line of the timeline."""

    when: dt.datetime
    who: str  # the person's username, or "" for the system (e.g. the publishing beat)
    who_id: int | None
    kind: str  # "stage", "criterion", "gate", "participation", "score", "gate_result", …
    object_id: int
    subject: str  # the object in words: "Alpha · “nia” · E01"
    action: str  # "created", "changed" or "deleted"
    field: str  # the field's name ("" when a record changed nothing shown)
    field_label: str  # the field's name in words, in the active language
    before: str | None  # None: no value (not yet created, or empty)
    after: str | None
    reason: str


# The fields a person cares about, per kind, in the order they are shown. Bookkeeping (ids,
# versions, timestamps already given by `when`) is left out.
SHOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "stage": (
        "name_ko",
        "name_en",
        "status",
        "starts_on",
        "ends_on",
        "announcement_at",
        "elimination_rule",
        "rule_count",
        "rule_threshold",
        "tie_break",
        "teams_in",
        "teams_out",
        "teams_after",
    ),
    "criterion": (
        "code",
        "parent_id",
        "name_ko",
        "name_en",
        "max_points",
        "aggregation",
        "target",
        "is_individual",
        "order",
    ),
    "gate": ("code", "name_ko", "name_en"),
    "participation": ("ranked", "note", "ai_models", "individual_criteria"),
    "score": ("value", "value_max", "entered_by_id", "confirmed_by_id", "note"),
    "gate_result": ("passed", "reason_ko", "reason_en", "entered_by_id", "confirmed_by_id"),
    "decision": (
        "outcome",
        "reason_code",
        "reason_ko",
        "reason_en",
        "proposed_outcome",
        "overrides_proposal",
        "decided_by_id",
    ),
    "publication": ("sequence", "published_at", "corrects_id", "note_ko", "note_en"),
    "team": ("status", "left_stage_id"),
}

MODELS: dict[str, type[models.Model]] = {
    "stage": Stage,
    "criterion": Criterion,
    "gate": Gate,
    "participation": Participation,
    "score": Score,
    "gate_result": GateResult,
    "decision": Decision,
    "publication": Publication,
    "team": Team,
}
M2M_FIELDS = ("ai_models", "individual_criteria")
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _history(kind: str) -> Any:
    return MODELS[kind].history  # type: ignore[attr-defined]


class _Names:
    """Everything the entries refer to by id, read once per kind."""

    def __init__(self) -> None:
        self.users: dict[int, str] = {}
        self.teams: dict[int, str] = {}
        self.team_of_participation: dict[int, int] = {}
        self.criteria: dict[int, str] = {}
        self.gates: dict[int, str] = {}
        self.stages: dict[int, str] = {}
        self.ai_models: dict[int, str] = {}
        self.publications: dict[int, int] = {}

    def team(self, participation_id: int) -> str:
        team_id = self.team_of_participation.get(participation_id)
        return self.teams.get(team_id, f"#{team_id}") if team_id else f"#{participation_id}"


def _subject(kind: str, row: Any, names: _Names) -> str:
    if kind == "stage":
        return names.stages.get(row.id, row.name_en)
    if kind == "criterion":
        return _("Criterion “%(code)s”") % {"code": row.code}
    if kind == "gate":
        return _("Gate “%(code)s”") % {"code": row.code}
    if kind == "participation":
        return names.teams.get(row.team_id, f"#{row.team_id}")
    if kind == "score":
        return _("%(team)s · “%(criterion)s” · %(evaluator)s") % {
            "team": names.team(row.participation_id),
            "criterion": names.criteria.get(row.criterion_id, f"#{row.criterion_id}"),
            "evaluator": row.evaluator_code or _("points entered directly"),
        }
    if kind == "gate_result":
        return _("%(team)s · gate “%(gate)s”") % {
            "team": names.team(row.participation_id),
            "gate": names.gates.get(row.gate_id, f"#{row.gate_id}"),
        }
    if kind == "decision":
        return _("%(team)s · decision") % {"team": names.team(row.participation_id)}
    if kind == "publication":
        if row.corrects_id:
            return _("Correction #%(sequence)s") % {"sequence": row.sequence}
        return _("Publication #%(sequence)s") % {"sequence": row.sequence}
    if kind == "team":
        return names.teams.get(row.id, row.name_en)
    return f"{kind} #{row.id}"


# What each shown field is called on the history screens (the models' own field names are
# English identifiers).
FIELD_LABELS: dict[str, Promise] = {
    "name_ko": gettext_lazy("Name (Korean)"),
    "name_en": gettext_lazy("Name (English)"),
    "status": gettext_lazy("Status"),
    "starts_on": gettext_lazy("Starts on"),
    "ends_on": gettext_lazy("Ends on"),
    "announcement_at": gettext_lazy("Announcement time"),
    "elimination_rule": gettext_lazy("Elimination rule"),
    "rule_count": gettext_lazy("Teams in the rule"),
    "rule_threshold": gettext_lazy("Threshold of the rule"),
    "tie_break": gettext_lazy("Tie-break order"),
    "teams_in": gettext_lazy("Teams in"),
    "teams_out": gettext_lazy("Teams out"),
    "teams_after": gettext_lazy("Teams after"),
    "code": gettext_lazy("Code"),
    "parent": gettext_lazy("Parent"),
    "max_points": gettext_lazy("Maximum points"),
    "aggregation": gettext_lazy("Aggregation"),
    "target": gettext_lazy("Normalisation target"),
    "is_individual": gettext_lazy("Individual to a team"),
    "order": gettext_lazy("Order"),
    "ranked": gettext_lazy("Ranked"),
    "note": gettext_lazy("Note"),
    "ai_models": gettext_lazy("AI models"),
    "individual_criteria": gettext_lazy("Individual criteria"),
    "value": gettext_lazy("Mark"),
    "value_max": gettext_lazy("Mark ceiling"),
    "entered_by": gettext_lazy("Entered by"),
    "confirmed_by": gettext_lazy("Confirmed by"),
    "passed": gettext_lazy("Passed"),
    "reason_ko": gettext_lazy("Reason (Korean)"),
    "reason_en": gettext_lazy("Reason (English)"),
    "outcome": gettext_lazy("Outcome"),
    "reason_code": gettext_lazy("Reason code"),
    "proposed_outcome": gettext_lazy("Proposed outcome"),
    "overrides_proposal": gettext_lazy("Overrides the proposal"),
    "decided_by": gettext_lazy("Decided by"),
}


def _label(kind: str, field: str) -> str:
    name = field.removesuffix("_id")
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        return str(getattr(MODELS[kind]._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # a field removed since: show its name
        return name.replace("_", " ")


def _text(kind: str, field: str, value: Any, names: _Names) -> str | None:
    """A value as a person reads it; None for no value."""
    if value is None or value == "" or value == [] or value == frozenset():
        return None
    if field in ("entered_by_id", "confirmed_by_id", "decided_by_id"):
        return names.users.get(value, f"#{value}")
    if field == "parent_id":
        return names.criteria.get(value, f"#{value}")
    if field == "left_stage_id":
        return names.stages.get(value, f"#{value}")
    if field == "corrects_id":
        return _("Publication #%(sequence)s") % {"sequence": names.publications.get(value, value)}
    if field == "ai_models":
        return ", ".join(sorted(names.ai_models.get(pk, f"#{pk}") for pk in value))
    if field == "individual_criteria":
        return ", ".join(sorted(names.criteria.get(pk, f"#{pk}") for pk in value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    try:
        field_obj = MODELS[kind]._meta.get_field(field)
    except FieldDoesNotExist:
        return str(value)
    choices = getattr(field_obj, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def _values(kind: str, row: Any, m2m: Mapping[int, Mapping[str, frozenset[int]]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in SHOWN_FIELDS[kind]:
        if field in M2M_FIELDS:
            values[field] = m2m.get(row.history_id, {}).get(field, frozenset())
        else:
            values[field] = getattr(row, field, None)
    return values


def _entries(
    kind: str,
    rows: Iterable[Any],
    names: _Names,
    *,
    m2m: Mapping[int, Mapping[str, frozenset[int]]] | None = None,
    keep: Callable[[Any, Any, str], bool] | None = None,
) -> list[HistoryEntry]:
    """Compare each object's history rows in order; one entry per value that changed."""
    m2m = m2m or {}
    by_object: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_object[row.id].append(row)
    entries = []
    for object_rows in by_object.values():
        object_rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous_values: dict[str, Any] = {}
        previous = None
        for row in object_rows:
            values = _values(kind, row, m2m)
            if row.history_type == "-":
                before, after = values, {}
            elif row.history_type == "+":
                before, after = {}, values
            else:
                before, after = previous_values, values
            action = ACTIONS.get(row.history_type, "changed")
            subject = _subject(kind, row, names)
            for field in SHOWN_FIELDS[kind]:
                old, new = before.get(field), after.get(field)
                old_text = _text(kind, field, old, names)
                new_text = _text(kind, field, new, names)
                if old_text == new_text:
                    continue
                if keep is not None and not keep(previous, row, field):
                    continue
                entries.append(
                    HistoryEntry(
                        when=row.history_date,
                        who=names.users.get(row.history_user_id, "") if row.history_user_id else "",
                        who_id=row.history_user_id,
                        kind=kind,
                        object_id=row.id,
                        subject=subject,
                        action=action,
                        field=field.removesuffix("_id"),
                        field_label=_label(kind, field),
                        before=old_text,
                        after=new_text,
                        reason=row.history_change_reason or "",
                    )
                )
            previous_values = values if row.history_type != "-" else {}
            previous = row
    return entries


def _m2m(participation_rows: Sequence[Any]) -> dict[int, dict[str, frozenset[int]]]:
    """History id → the models submitted and own criteria recorded with it (two queries)."""
    history_ids = [row.history_id for row in participation_rows]
    result: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for field, target in (("ai_models", "aimodel_id"), ("individual_criteria", "criterion_id")):
        through = apps.get_model("evaluations", f"HistoricalParticipation_{field}")
        for history_id, pk in through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", target
        ):
            result[history_id][field].add(pk)
    return {hid: {f: frozenset(v) for f, v in fields.items()} for hid, fields in result.items()}


def _fill_names(names: _Names, rows_by_kind: Mapping[str, Sequence[Any]]) -> None:
    user_ids: set[int] = set()
    for kind, rows in rows_by_kind.items():
        for row in rows:
            if row.history_user_id:
                user_ids.add(row.history_user_id)
            for field in ("entered_by_id", "confirmed_by_id", "decided_by_id"):
                if field in SHOWN_FIELDS[kind] and getattr(row, field, None):
                    user_ids.add(getattr(row, field))
    User = get_user_model()
    names.users = {
        pk: username
        for pk, username in User.objects.filter(pk__in=user_ids).values_list(
            "pk", User.USERNAME_FIELD
        )
    }
    for row in rows_by_kind.get("criterion", ()):
        names.criteria[row.id] = row.code
    for row in rows_by_kind.get("gate", ()):
        names.gates[row.id] = row.code
    for row in rows_by_kind.get("participation", ()):
        names.team_of_participation[row.id] = row.team_id
    for row in rows_by_kind.get("publication", ()):
        names.publications[row.id] = row.sequence
    team_ids = set(names.team_of_participation.values())
    names.teams = {pk: _bilingual(ko, en) for pk, ko, en in _teams(team_ids)}


def _bilingual(ko: str, en: str) -> str:
    from django.utils.translation import get_language

    return en if (get_language() or "ko").startswith("en") and en else ko or en


def _teams(team_ids: Iterable[int]) -> list[tuple[int, str, str]]:
    return list(Team.objects.filter(pk__in=set(team_ids)).values_list("pk", "name_ko", "name_en"))


def stage_history(*, stage_id: int) -> list[HistoryEntry]:
    """The whole history of a stage and everything scored in it, newest first."""
    rows: dict[str, list[Any]] = {
        "stage": list(_history("stage").filter(id=stage_id)),
        "criterion": list(_history("criterion").filter(stage_id=stage_id)),
        "gate": list(_history("gate").filter(stage_id=stage_id)),
        "participation": list(_history("participation").filter(stage_id=stage_id)),
    }
    participation_ids = {row.id for row in rows["participation"]}
    for kind in ("score", "gate_result", "decision"):
        rows[kind] = list(_history(kind).filter(participation_id__in=participation_ids))
    rows["publication"] = list(_history("publication").filter(stage_id=stage_id))
    team_ids = {row.team_id for row in rows["participation"]}
    rows["team"] = list(_history("team").filter(id__in=team_ids))

    names = _Names()
    _fill_names(names, rows)
    stage_names = {
        pk: _bilingual(ko, en)
        for pk, ko, en in Stage.objects.filter(
            pk__in={stage_id} | {r.left_stage_id for r in rows["team"] if r.left_stage_id}
        ).values_list("pk", "name_ko", "name_en")
    }
    names.stages = stage_names
    model_ids: set[int] = set()
    m2m = _m2m(rows["participation"])
    for fields in m2m.values():
        model_ids |= fields.get("ai_models", frozenset())
    names.ai_models = dict(AIModel.objects.filter(pk__in=model_ids).values_list("pk", "name"))

    def team_change_in_this_stage(previous: Any, row: Any, field: str) -> bool:
        # A team's status moves with the decisions of the stage it left at (or came back in).
        return row.left_stage_id == stage_id or (
            previous is not None and previous.left_stage_id == stage_id
        )

    entries: list[HistoryEntry] = []
    for kind, kind_rows in rows.items():
        entries += _entries(
            kind,
            kind_rows,
            names,
            m2m=m2m if kind == "participation" else None,
            keep=team_change_in_this_stage if kind == "team" else None,
        )
    entries.sort(key=lambda e: (e.when, e.kind, e.object_id), reverse=True)
    return entries


def _one_entry_history(kind: str, *, identity: Mapping[str, Any]) -> list[HistoryEntry]:
    rows = list(_history(kind).filter(**identity))
    participation_ids = {row.participation_id for row in rows}
    participations = list(_history("participation").filter(id__in=participation_ids))
    by_kind: dict[str, list[Any]] = {kind: rows, "participation": participations}
    if kind == "score":
        by_kind["criterion"] = list(
            _history("criterion").filter(id__in={row.criterion_id for row in rows})
        )
    else:
        by_kind["gate"] = list(_history("gate").filter(id__in={row.gate_id for row in rows}))
    names = _Names()
    _fill_names(names, by_kind)
    entries = _entries(kind, rows, names)
    entries.sort(key=lambda e: (e.when, e.object_id), reverse=True)
    return entries


def score_history(*, score_id: int) -> list[HistoryEntry]:
    """Every change of one mark, newest first, across deletions and re-entries of it."""
    first = _history("score").filter(id=score_id).order_by("history_id").first()
    if first is None:
        return []
    return _one_entry_history(
        "score",
        identity={
            "participation_id": first.participation_id,
            "criterion_id": first.criterion_id,
            "evaluator_code": first.evaluator_code,
        },
    )


def gate_result_history(*, gate_result_id: int) -> list[HistoryEntry]:
    """Every change of one gate result, newest first, across deletions and re-entries."""
    first = _history("gate_result").filter(id=gate_result_id).order_by("history_id").first()
    if first is None:
        return []
    return _one_entry_history(
        "gate_result",
        identity={"participation_id": first.participation_id, "gate_id": first.gate_id},
    )
