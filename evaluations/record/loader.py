"""Load the program's public record from `program_record.yaml` into the database.

The file is the single place where the real program's facts live, each with its sources
(built from the team's sourced fact sheet). Loading is idempotent: every row is found by its
natural key (a slug, a code, a stage and team …); a row that matches the file is left alone.
A row that differs from the file was edited by staff since the last load: it is kept and
reported, and only `force=True` (`--force`) overwrites it. Everything happens in one
transaction: a file with an error loads nothing.

Stages the file marks as published are published through the same services the application
uses (recompute, then publish at the announcement time), so their public record is a real
frozen `Publication`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    Decision,
    GateResult,
    Participation,
    Publication,
    Score,
    StageStatistic,
)
from evaluations.services.publication import stage_publish
from evaluations.services.recompute import standings_recompute
from programs.errors import DomainError
from programs.models import Criterion, Gate, Milestone, Program, Source, Stage
from teams.models import (
    AIModel,
    BenchmarkResult,
    Membership,
    ModelAlias,
    Organization,
    StageApplicant,
    Team,
)

RECORD_PATH = Path(__file__).with_name("program_record.yaml")

M = TypeVar("M", bound=models.Model)


class RecordError(DomainError):
    """The record file is malformed or refers to something it does not define."""


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.published)

    def lines(self) -> list[str]:
        out = []
        for label, counter in (("created", self.created), ("updated", self.updated)):
            if counter:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(counter.items()))
                out.append(f"{label.capitalize()}: {parts}.")
        for stage in self.published:
            out.append(f"Published the record of stage “{stage}”.")
        if not self.changed:
            out.append("The database already matches the record; nothing changed.")
        if self.kept:
            out.append(
                f"{len(self.kept)} row(s) differ from the record and were kept as staff left "
                "them (run with --force to overwrite with the record):"
            )
            out.extend(f"  - {item}" for item in self.kept)
        return out


def _decimal(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, float):
        raise RecordError(f"{where}: write decimals as quoted strings, not {raw!r}.")
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise RecordError(f"{where}: {raw!r} is not a number.") from None


def _datetime(raw: Any, where: str) -> dt.datetime | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise RecordError(f"{where}: {raw!r} is not an ISO date-time.") from None
    if not isinstance(raw, dt.datetime) or timezone.is_naive(raw):
        raise RecordError(f"{where}: give the date-time with its time zone (+09:00).")
    return raw


def _validation_record_error(where: str, exc: ValidationError) -> RecordError:
    """The model's refusal, naming the row of the file and the field, with the first error's
    code and parameters so a caller can match on the code rather than the sentence."""
    problems = "; ".join(
        f"{key}: {' '.join(messages)}" if key != "__all__" else " ".join(messages)
        for key, messages in exc.message_dict.items()
    )
    field, first = next(
        ((key, errors[0]) for key, errors in exc.error_dict.items() if errors),
        (None, None),
    )
    return RecordError(
        _("%(row)s: %(problems)s"),
        code=(first.code if first is not None else None) or "invalid",
        field=None if field in (None, NON_FIELD_ERRORS) else field,
        params={
            **((first.params or {}) if first is not None else {}),
            "row": where,
            "problems": problems,
        },
    )


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(wanted, models.Model):
        return getattr(current, "pk", current) == getattr(wanted, "pk", wanted)
    if isinstance(current, dt.datetime) and isinstance(wanted, dt.datetime):
        return current == wanted
    return current == wanted


class RecordLoader:
    def __init__(self, data: dict[str, Any], *, force: bool = False) -> None:
        self.data = data
        self.force = force
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.organizations: dict[str, Organization] = {}
        self.stages: dict[str, Stage] = {}
        self.teams: dict[str, Team] = {}
        self.models: dict[str, AIModel] = {}
        self.to_publish: list[Stage] = []

    # -- generic upsert --------------------------------------------------------------------
    def upsert(
        self,
        model: type[M],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        sources: list[str] | None = None,
        label: str | None = None,
        create_values: dict[str, Any] | None = None,
    ) -> M:
        name = str(model._meta.verbose_name_plural)
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **{**values, **(create_values or {})})
            self.save(obj, label or str(lookup))
            if sources is not None:
                obj.sources.set(self.source_list(sources, label or str(lookup)))  # type: ignore[attr-defined]
            self.report.created[name] += 1
            return obj
        differing = [key for key, wanted in values.items() if not _same(getattr(obj, key), wanted)]
        wanted_sources = None
        if sources is not None:
            wanted_sources = {s.pk for s in self.source_list(sources, label or str(lookup))}
            have = set(obj.sources.values_list("pk", flat=True))  # type: ignore[attr-defined]
            if have != wanted_sources:
                differing.append("sources")
        if not differing:
            self.report.unchanged[name] += 1
            return obj
        if not self.force:
            self.report.kept.append(f"{model.__name__} {label or lookup}: {', '.join(differing)}")
            return obj
        for key, wanted in values.items():
            setattr(obj, key, wanted)
        self.save(obj, label or str(lookup))
        if wanted_sources is not None:
            obj.sources.set(wanted_sources)  # type: ignore[attr-defined]
        self.report.updated[name] += 1
        return obj

    @staticmethod
    def save(obj: models.Model, where: str) -> None:
        """Validate the fields, then let the database check the constraints.

        Django would check each constraint with a query of its own before saving; the database
        checks them anyway, so a violation is caught and named instead.
        """
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise _validation_record_error(where, exc) from None
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:
            text = str(exc)
            for constraint in obj._meta.constraints:
                if constraint.name in text:
                    message = constraint.get_violation_error_message()
                    raise RecordError(f"{where}: {message}") from None
            raise RecordError(f"{where}: {text}") from None

    def source_list(self, keys: list[str] | None, where: str) -> list[Source]:
        found = []
        for key in keys or []:
            if key not in self.sources:
                raise RecordError(f"{where}: unknown source “{key}”.")
            found.append(self.sources[key])
        return found

    def ref(self, table: dict[str, M], key: str | None, what: str, where: str) -> M | None:
        if key is None:
            return None
        if key not in table:
            raise RecordError(f"{where}: unknown {what} “{key}”.")
        return table[key]

    # -- sections ----------------------------------------------------------------------------
    def load(self) -> LoadReport:
        if self.data.get("version") != 1:
            raise RecordError("The record file must say `version: 1`.")
        with transaction.atomic():
            self.load_sources()
            program = self.load_program()
            self.load_organizations()
            self.load_stages(program)
            self.load_milestones(program)
            self.load_teams(program)
            self.load_results()
            self.publish_stages()
        return self.report

    def load_sources(self) -> None:
        for item in self.data.get("sources", []):
            where = f"source {item.get('key')}"
            self.sources[item["key"]] = self.upsert(
                Source,
                {"key": item["key"]},
                {
                    "url": item.get("url") or "",
                    "publisher": item["publisher"],
                    "title": item.get("title") or "",
                    "published_on": item.get("published_on"),
                    "note": item.get("note") or "",
                },
                label=where,
            )

    def load_program(self) -> Program:
        item = self.data["program"]
        text_fields = (
            "name_ko",
            "name_en",
            "short_name_ko",
            "ministry_ko",
            "ministry_en",
            "agencies_ko",
            "agencies_en",
            "goal_ko",
            "goal_en",
            "summary_ko",
            "summary_en",
            "budget_note_ko",
            "budget_note_en",
        )
        return self.upsert(
            Program,
            {"slug": item["slug"]},
            {key: item.get(key) or "" for key in text_fields},
            sources=item.get("sources"),
            label=f"program {item['slug']}",
        )

    def load_organizations(self) -> None:
        for item in self.data.get("organizations", []):
            self.organizations[item["slug"]] = self.upsert(
                Organization,
                {"slug": item["slug"]},
                {"name_ko": item["name_ko"], "name_en": item["name_en"], "kind": item["kind"]},
                label=f"organization {item['slug']}",
            )

    def load_stages(self, program: Program) -> None:
        for item in self.data.get("stages", []):
            where = f"stage {item['slug']}"
            status = item.get("status", Stage.Status.PLANNED)
            values = {
                "order": item["order"],
                "kind": item["kind"],
                "name_ko": item["name_ko"],
                "name_en": item["name_en"],
                "status": status,
                "starts_on": item.get("starts_on"),
                "ends_on": item.get("ends_on"),
                "announcement_at": _datetime(item.get("announcement_at"), where),
                "schedule_note_ko": item.get("schedule_note_ko") or "",
                "schedule_note_en": item.get("schedule_note_en") or "",
                "elimination_rule": item.get("elimination_rule") or Stage.Rule.NONE,
                "rule_count": item.get("rule_count"),
                "rule_threshold": _decimal(item.get("rule_threshold"), where),
                "tie_break": list(item.get("tie_break") or []),
                "teams_in": item.get("teams_in"),
                "applicants": item.get("applicants"),
                "applicants_selected": item.get("applicants_selected"),
                "teams_out": item.get("teams_out"),
                "teams_after": item.get("teams_after"),
                "summary_ko": item.get("summary_ko") or "",
                "summary_en": item.get("summary_en") or "",
            }
            # A published stage is created finalized and published below through the service,
            # so that its public record is a real frozen publication.
            create_values = (
                {"status": Stage.Status.FINALIZED} if status == Stage.Status.PUBLISHED else {}
            )
            stage = self.upsert(
                Stage,
                {"program": program, "slug": item["slug"]},
                values,
                sources=item.get("sources"),
                label=where,
                create_values=create_values,
            )
            self.stages[item["slug"]] = stage
            if (
                status == Stage.Status.PUBLISHED
                and not Publication.objects.filter(stage=stage).exists()
            ):
                self.to_publish.append(stage)
            self.load_criteria(stage, item.get("criteria") or [])
            for gate in item.get("gates") or []:
                self.upsert(
                    Gate,
                    {"stage": stage, "code": gate["code"]},
                    {
                        "name_ko": gate["name_ko"],
                        "name_en": gate["name_en"],
                        "description_ko": gate.get("description_ko") or "",
                        "description_en": gate.get("description_en") or "",
                    },
                    sources=gate.get("sources"),
                    label=f"{where} gate {gate['code']}",
                )

    def load_criteria(self, stage: Stage, items: list[dict[str, Any]]) -> None:
        by_code: dict[str, Criterion] = {}
        codes = {item["code"] for item in items}
        # Parents first, whatever order the file lists them in.
        pending = list(items)
        while pending:
            progressed = False
            for item in list(pending):
                parent_code = item.get("parent")
                if parent_code and parent_code not in by_code:
                    if parent_code not in codes:
                        raise RecordError(
                            f"stage {stage.slug} criterion {item['code']}: unknown parent "
                            f"“{parent_code}”."
                        )
                    continue
                where = f"stage {stage.slug} criterion {item['code']}"
                by_code[item["code"]] = self.upsert(
                    Criterion,
                    {"stage": stage, "code": item["code"]},
                    {
                        "parent": by_code.get(parent_code) if parent_code else None,
                        "name_ko": item["name_ko"],
                        "name_en": item["name_en"],
                        "max_points": _decimal(item.get("max_points"), where),
                        "aggregation": item.get("aggregation") or Criterion.Aggregation.DIRECT,
                        "target": _decimal(item.get("target"), where),
                        "is_individual": bool(item.get("is_individual", False)),
                        "order": item.get("order", 0),
                        "description_ko": item.get("description_ko") or "",
                        "description_en": item.get("description_en") or "",
                    },
                    sources=item.get("sources"),
                    label=where,
                )
                pending.remove(item)
                progressed = True
            if not progressed:
                raise RecordError(f"stage {stage.slug}: the criteria's parents form a cycle.")

    def load_milestones(self, program: Program) -> None:
        for item in self.data.get("milestones", []):
            where = f"milestone {item['date']} {item['title_en']}"
            self.upsert(
                Milestone,
                {"program": program, "date": item["date"], "title_en": item["title_en"]},
                {
                    "precision": item.get("precision") or Milestone.Precision.DAY,
                    "title_ko": item["title_ko"],
                    "description_ko": item.get("description_ko") or "",
                    "description_en": item.get("description_en") or "",
                    "stage": self.ref(self.stages, item.get("stage"), "stage", where),
                    "certainty": item.get("certainty") or "confirmed",
                },
                sources=item.get("sources"),
                label=where,
            )

    def load_teams(self, program: Program) -> None:
        for item in self.data.get("teams", []):
            where = f"team {item['slug']}"
            team = self.upsert(
                Team,
                {"program": program, "slug": item["slug"]},
                {
                    "name_ko": item["name_ko"],
                    "name_en": item["name_en"],
                    "lead": self.ref(self.organizations, item["lead"], "organization", where),
                    "joined_stage": self.ref(self.stages, item["joined_stage"], "stage", where),
                    "status": item.get("status") or Team.Status.ACTIVE,
                    "left_stage": self.ref(self.stages, item.get("left_stage"), "stage", where),
                    "summary_ko": item.get("summary_ko") or "",
                    "summary_en": item.get("summary_en") or "",
                    "plan_ko": item.get("plan_ko") or "",
                    "plan_en": item.get("plan_en") or "",
                    "member_count_note": item.get("member_count_note") or "",
                },
                sources=item.get("sources"),
                label=where,
            )
            self.teams[item["slug"]] = team
            for member in item.get("members") or []:
                org = self.ref(self.organizations, member["organization"], "organization", where)
                self.upsert(
                    Membership,
                    {"team": team, "organization": org},
                    {
                        "role": member.get("role") or Membership.Role.MEMBER,
                        "joined_on": member.get("joined_on"),
                        "left_on": member.get("left_on"),
                        "certainty": member.get("certainty") or "confirmed",
                        "note": member.get("note") or "",
                    },
                    sources=member.get("sources"),
                    label=f"{where} member {member['organization']}",
                )
            for model_item in item.get("models") or []:
                self.load_model(team, model_item)

    def load_model(self, team: Team, item: dict[str, Any]) -> None:
        where = f"model {item['slug']}"
        model = self.upsert(
            AIModel,
            {"slug": item["slug"]},
            {
                "team": team,
                "name": item["name"],
                "name_ko": item.get("name_ko") or "",
                "aliases": list(item.get("aliases") or []),
                "parameters_total_b": _decimal(item.get("parameters_total_b"), where),
                "parameters_active_b": _decimal(item.get("parameters_active_b"), where),
                "architecture": item.get("architecture") or "",
                "modalities_input": list(item.get("modalities_input") or []),
                "modalities_output": list(item.get("modalities_output") or []),
                "context_length": item.get("context_length"),
                "vocabulary_size": item.get("vocabulary_size"),
                "languages": list(item.get("languages") or []),
                "licence": item.get("licence") or "",
                "licence_certainty": item.get("licence_certainty") or "confirmed",
                "open_weights": item.get("open_weights"),
                "huggingface_id": item.get("huggingface_id") or "",
                "github": item.get("github") or "",
                "release_date": item.get("release_date"),
                "release_date_note": item.get("release_date_note") or "",
                "summary_ko": item.get("summary_ko") or "",
                "summary_en": item.get("summary_en") or "",
            },
            sources=item.get("sources"),
            label=where,
        )
        self.models[item["slug"]] = model
        alias_sources = item.get("alias_sources") or {}
        unknown = sorted(set(alias_sources) - set(item.get("aliases") or []))
        if unknown:
            raise RecordError(
                _("%(row)s: alias_sources names “%(alias)s”, which is not one of its aliases."),
                code="alias_not_listed",
                field="alias_sources",
                params={"row": where, "alias": unknown[0]},
            )
        for alias in item.get("aliases") or []:
            if alias not in (model.aliases or []):
                continue  # staff changed the model's aliases; the report lists it as kept
            self.upsert(
                ModelAlias,
                {"model": model, "name": alias},
                {},
                sources=list(alias_sources.get(alias) or []),
                label=f"{where} alias {alias}",
            )
        for bench in item.get("benchmarks") or []:
            bwhere = f"{where} benchmark {bench['benchmark']}"
            self.upsert(
                BenchmarkResult,
                {
                    "model": model,
                    "benchmark": bench["benchmark"],
                    "setting": bench.get("setting") or "",
                },
                {
                    "score": _decimal(bench["score"], bwhere),
                    "certainty": bench.get("certainty") or "confirmed",
                },
                sources=bench.get("sources"),
                label=bwhere,
            )

    def load_results(self) -> None:
        for block in self.data.get("results", []):
            stage = self.ref(self.stages, block["stage"], "stage", "results")
            assert stage is not None
            where = f"results of {stage.slug}"
            criteria = {c.code: c for c in Criterion.objects.filter(stage=stage)}
            gates = {g.code: g for g in Gate.objects.filter(stage=stage)}
            for stat in block.get("statistics") or []:
                swhere = f"{where} statistic {stat.get('criterion') or 'total'}"
                criterion = self.ref(criteria, stat.get("criterion"), "criterion", swhere)
                self.upsert(
                    StageStatistic,
                    {"stage": stage, "criterion": criterion, "kind": stat.get("kind") or "mean"},
                    {
                        "value": _decimal(stat["value"], swhere),
                        "team_count": stat.get("team_count"),
                    },
                    sources=stat.get("sources"),
                    label=swhere,
                )
            self.load_applicants(stage, block.get("applicants") or [], where)
            for item in block.get("participations") or []:
                pwhere = f"{where} team {item['team']}"
                team = self.ref(self.teams, item["team"], "team", pwhere)
                participation = self.upsert(
                    Participation,
                    {"stage": stage, "team": team},
                    {"ranked": bool(item.get("ranked", True))},
                    label=pwhere,
                )
                wanted_models = {
                    self.ref(self.models, slug, "model", pwhere).pk  # type: ignore[union-attr]
                    for slug in item.get("models") or []
                }
                if not participation.ai_models.exists() or self.force:
                    participation.ai_models.set(wanted_models)
                for score in item.get("scores") or []:
                    cwhere = f"{pwhere} score {score['criterion']}"
                    criterion = self.ref(criteria, score["criterion"], "criterion", cwhere)
                    assert criterion is not None
                    self.upsert(
                        Score,
                        {
                            "participation": participation,
                            "criterion": criterion,
                            "evaluator_code": score.get("evaluator") or "",
                        },
                        {
                            "value": _decimal(score.get("value"), cwhere),
                            "value_max": None
                            if criterion.target is not None
                            else criterion.max_points,
                        },
                        sources=score.get("sources"),
                        label=cwhere,
                        # The public record needs no second person: it was published.
                        create_values={"confirmed_at": stage.announcement_at or timezone.now()},
                    )
                for gate_item in item.get("gates") or []:
                    gwhere = f"{pwhere} gate {gate_item['gate']}"
                    self.upsert(
                        GateResult,
                        {
                            "participation": participation,
                            "gate": self.ref(gates, gate_item["gate"], "gate", gwhere),
                        },
                        {
                            "passed": gate_item.get("passed"),
                            "reason_ko": gate_item.get("reason_ko") or "",
                            "reason_en": gate_item.get("reason_en") or "",
                        },
                        sources=gate_item.get("sources"),
                        label=gwhere,
                        create_values={"confirmed_at": stage.announcement_at or timezone.now()},
                    )
                decision = item.get("decision")
                if decision:
                    self.upsert(
                        Decision,
                        {"participation": participation},
                        {
                            "outcome": decision["outcome"],
                            "reason_code": decision["reason_code"],
                            "reason_ko": decision.get("reason_ko") or "",
                            "reason_en": decision.get("reason_en") or "",
                        },
                        sources=decision.get("sources"),
                        label=f"{pwhere} decision",
                    )

    def load_applicants(self, stage: Stage, items: list[dict[str, Any]], where: str) -> None:
        """Who applied at a call, selected or not; an applicant not selected is no team."""
        for item in items:
            awhere = f"{where} applicant {item['organization']}"
            self.upsert(
                StageApplicant,
                {
                    "stage": stage,
                    "organization": self.ref(
                        self.organizations, item["organization"], "organization", awhere
                    ),
                },
                {
                    "selected": item.get("selected"),
                    "team": self.ref(self.teams, item.get("team"), "team", awhere),
                    "reason_ko": item.get("reason_ko") or "",
                    "reason_en": item.get("reason_en") or "",
                },
                sources=item.get("sources"),
                label=awhere,
            )

    def publish_stages(self) -> None:
        for stage in self.stages.values():
            if stage.participations.exists():
                # force: the loader writes rows directly, without bumping input versions.
                standings_recompute(stage_id=stage.pk, force=True)
        for stage in self.to_publish:
            stage.refresh_from_db()
            if stage.status != Stage.Status.FINALIZED:
                continue  # staff changed it; the report says so
            if not stage.participations.exists():
                # Nothing to freeze (e.g. the showcase): the stage is simply public.
                Stage.objects.filter(pk=stage.pk).update(
                    status=Stage.Status.PUBLISHED, published_at=stage.announcement_at
                )
            else:
                stage_publish(stage_id=stage.pk, now=_published_moment(stage))
            self.report.published.append(stage.name_en)


SEOUL = ZoneInfo("Asia/Seoul")


def _published_moment(stage: Stage) -> dt.datetime:
    """When the record says the stage's result became public: its announcement time; for a
    stage with no announcement of its own (the 2025 call: "closed 2025-07-21, no separate
    result"), the start of its last day in Seoul; never the moment the record was loaded, which
    would show a years-old result as today's news."""
    if stage.announcement_at is not None:
        return stage.announcement_at
    if stage.ends_on is not None:
        return dt.datetime.combine(stage.ends_on, dt.time(), tzinfo=SEOUL)
    return timezone.now()


def program_record_load(*, path: Path | None = None, force: bool = False) -> LoadReport:
    """Load the record file (the shipped one by default). Raises RecordError on a bad file."""
    path = path or RECORD_PATH
    try:
        # The C loader when PyYAML was built with libyaml: ten times faster on this file.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except FileNotFoundError:
        raise RecordError(f"No record file at {path}.") from None
    except yaml.YAMLError as exc:
        raise RecordError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path.name} must hold a mapping at the top level.")
    try:
        return RecordLoader(data, force=force).load()
    except KeyError as exc:
        raise RecordError(f"{path.name}: a required field is missing: {exc}.") from None
