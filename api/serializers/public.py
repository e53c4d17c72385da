"""Serializers of the public read API: stable field names, read-only.

Conventions every response keeps (documented in the schema):
- Korean and English side by side: `name_ko`, `name_en`.
- Times in ISO 8601 with the +09:00 offset (Asia/Seoul); dates as YYYY-MM-DD.
- Points and other exact numbers as decimal strings written the ministry's way ("90.2", "28.56").
- A value the ministry did not disclose is `null` and its field name is listed in
  `not_disclosed`; it is never 0.
- `sources` on every fact: citation key, URL, publisher, title, date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import Criterion, Gate, Program, Source, Stage
from programs.numbers import decimal_text
from teams.models import AIModel, BenchmarkResult, Membership, Organization, Team

DECIMAL_SCHEMA = {
    "type": "string",
    "nullable": True,
    "pattern": r"^[0-9]+\.[0-9]+$",
    "example": "90.2",
    "description": "Exact decimal as a string; null when not disclosed.",
}


@extend_schema_field(DECIMAL_SCHEMA)
class DecimalTextField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal | str | None) -> str | None:
        if value is None:
            return None
        return decimal_text(Decimal(str(value)))


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class OptionalURLField(serializers.CharField):
    """A URL, or null where there is none (never an empty string)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: str | None) -> str | None:
        return value or None


def not_disclosed(instance: Any, fields: tuple[str, ...]) -> list[str]:
    return [name for name in fields if getattr(instance, name) in (None, "")]


class SourceSerializer(serializers.ModelSerializer):
    url = OptionalURLField()

    class Meta:
        model = Source
        fields = ["key", "url", "publisher", "title", "published_on", "note"]
        read_only_fields = fields


class StageRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "slug", "name_ko", "name_en"]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    website = OptionalURLField()

    class Meta:
        model = Organization
        fields = ["id", "slug", "name_ko", "name_en", "kind", "website"]
        read_only_fields = fields


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name_ko", "name_en"]
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "slug",
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
            "sources",
        ]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    max_points = DecimalTextField()
    target = DecimalTextField()
    sources = SourceSerializer(many=True, read_only=True)
    not_disclosed = serializers.SerializerMethodField()

    class Meta:
        model = Criterion
        fields = [
            "code",
            "parent",
            "name_ko",
            "name_en",
            "max_points",
            "aggregation",
            "target",
            "is_individual",
            "order",
            "description_ko",
            "description_en",
            "sources",
            "not_disclosed",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_parent(self, criterion: Criterion) -> str | None:
        return criterion.parent.code if criterion.parent_id and criterion.parent else None

    def get_not_disclosed(self, criterion: Criterion) -> list[str]:
        return not_disclosed(criterion, ("max_points",))


class GateSerializer(serializers.ModelSerializer):
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Gate
        fields = ["code", "name_ko", "name_en", "description_ko", "description_en", "sources"]
        read_only_fields = fields


class StageSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField(
        help_text="planned, in_progress (scoring, review and finalized alike) or published."
    )
    announcement_at = serializers.SerializerMethodField(
        help_text="When the results were announced; null until they are published."
    )
    published_at = serializers.SerializerMethodField()
    rule_threshold = DecimalTextField()
    criteria = CriterionSerializer(many=True, read_only=True)
    gates = GateSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    standings_url = serializers.SerializerMethodField()

    class Meta:
        model = Stage
        fields = [
            "id",
            "program",
            "order",
            "slug",
            "kind",
            "name_ko",
            "name_en",
            "status",
            "starts_on",
            "ends_on",
            "schedule_note_ko",
            "schedule_note_en",
            "announcement_at",
            "published_at",
            "elimination_rule",
            "rule_count",
            "rule_threshold",
            "tie_break",
            "teams_in",
            "teams_out",
            "teams_after",
            "summary_ko",
            "summary_en",
            "criteria",
            "gates",
            "sources",
            "standings_url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["planned", "in_progress", "published"]})
    def get_status(self, stage: Stage) -> str:
        return stage.public_status

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_announcement_at(self, stage: Stage) -> str | None:
        # The time is set by staff once results are final: showing it earlier would tell.
        if not stage.is_published or stage.announcement_at is None:
            return None
        return serializers.DateTimeField().to_representation(stage.announcement_at)

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_published_at(self, stage: Stage) -> str | None:
        if not stage.is_published or stage.published_at is None:
            return None
        return serializers.DateTimeField().to_representation(stage.published_at)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_standings_url(self, stage: Stage) -> str | None:
        return f"/api/v1/stages/{stage.pk}/standings/" if stage.is_published else None


class MembershipSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role", "joined_on", "left_on", "certainty", "note", "sources"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    """`status` and `left_stage` come from publications, never from the staff's record."""

    program = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lead = OrganizationRefSerializer(read_only=True)
    status = serializers.SerializerMethodField()
    joined_stage = StageRefSerializer(read_only=True)
    left_stage = serializers.SerializerMethodField()
    members = MembershipSerializer(source="memberships", many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "program",
            "slug",
            "name_ko",
            "name_en",
            "lead",
            "status",
            "joined_stage",
            "left_stage",
            "summary_ko",
            "summary_en",
            "plan_ko",
            "plan_en",
            "members",
            "sources",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in Team.Status.choices]}
    )
    def get_status(self, team: Team) -> str:
        return getattr(team, "public_status", Team.Status.ACTIVE)

    @extend_schema_field(StageRefSerializer(allow_null=True))
    def get_left_stage(self, team: Team) -> dict[str, Any] | None:
        stage = getattr(team, "public_left_stage", None)
        return StageRefSerializer(stage).data if stage is not None else None


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["slug", "name_ko", "name_en"]
        read_only_fields = fields


AI_MODEL_DISCLOSABLE = (
    "parameters_total_b",
    "parameters_active_b",
    "architecture",
    "context_length",
    "vocabulary_size",
    "licence",
    "open_weights",
    "release_date",
)


class AIModelSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True)
    parameters_total_b = DecimalTextField(help_text="Total parameters, in billions.")
    parameters_active_b = DecimalTextField(help_text="Active parameters, in billions.")
    architecture = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()
    sources = SourceSerializer(many=True, read_only=True)
    not_disclosed = serializers.SerializerMethodField()

    class Meta:
        model = AIModel
        fields = [
            "id",
            "slug",
            "team",
            "name",
            "name_ko",
            "aliases",
            "parameters_total_b",
            "parameters_active_b",
            "architecture",
            "modalities_input",
            "modalities_output",
            "context_length",
            "vocabulary_size",
            "languages",
            "licence",
            "licence_certainty",
            "open_weights",
            "huggingface_id",
            "github",
            "release_date",
            "release_date_note",
            "summary_ko",
            "summary_en",
            "sources",
            "not_disclosed",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_architecture(self, model: AIModel) -> str | None:
        return model.architecture or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_licence(self, model: AIModel) -> str | None:
        return model.licence or None

    def get_not_disclosed(self, model: AIModel) -> list[str]:
        return not_disclosed(model, AI_MODEL_DISCLOSABLE)


class AIModelRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AIModel
        fields = ["slug", "name"]
        read_only_fields = fields


class BenchmarkResultSerializer(serializers.ModelSerializer):
    model = AIModelRefSerializer(read_only=True)
    team = serializers.SerializerMethodField()
    score = DecimalTextField()
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = BenchmarkResult
        fields = ["id", "model", "team", "benchmark", "setting", "score", "certainty", "sources"]
        read_only_fields = fields

    def get_team(self, result: BenchmarkResult) -> str:
        return result.model.team.slug


# --- Published standings: read from a publication's frozen payload -------------------------


class PublishedCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    max_points = DecimalTextField()
    is_individual = serializers.BooleanField()
    not_disclosed = serializers.ListField(child=serializers.CharField())


class PublishedRowSerializer(serializers.Serializer):
    team = serializers.CharField(help_text="Team slug.")
    team_name_ko = serializers.CharField()
    team_name_en = serializers.CharField()
    models = serializers.ListField(child=serializers.CharField())
    position = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True)
    tied = serializers.BooleanField()
    total = DecimalTextField()
    points = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="Criterion code → published points as an exact decimal string, or null.",
    )
    proposed_outcome = serializers.CharField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    reason_code = serializers.CharField(allow_blank=True)
    reason_ko = serializers.CharField(allow_blank=True)
    reason_en = serializers.CharField(allow_blank=True)
    overrides_proposal = serializers.BooleanField()
    failed_gates = serializers.ListField(child=serializers.CharField())
    not_disclosed = serializers.ListField(
        child=serializers.CharField(), help_text='e.g. ["total", "points.expert"]'
    )


class PublishedStatisticSerializer(serializers.Serializer):
    criterion = serializers.CharField(allow_null=True, help_text="null = the total score.")
    kind = serializers.CharField()
    value = DecimalTextField()
    team_count = serializers.IntegerField(allow_null=True)


class PublicationSerializer(serializers.Serializer):
    """A publication as frozen, with its place in the hash chain."""

    id = serializers.IntegerField()
    program = serializers.CharField()
    stage = StageRefSerializer()
    sequence = serializers.IntegerField()
    is_correction = serializers.BooleanField()
    corrects = serializers.IntegerField(allow_null=True, help_text="Id of the corrected one.")
    corrects_sequence = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField()
    note_ko = serializers.CharField(allow_blank=True)
    note_en = serializers.CharField(allow_blank=True)
    digest = serializers.CharField(help_text="SHA-256 of this publication's chain record.")
    previous_digest = serializers.CharField(
        allow_blank=True, help_text="Digest of the program's previous publication; '' if first."
    )
    criteria = PublishedCriterionSerializer(many=True)
    rows = PublishedRowSerializer(many=True)
    statistics = PublishedStatisticSerializer(many=True)

    def to_representation(self, publication: Any) -> dict[str, Any]:
        return super().to_representation(publication_view(publication))


class CorrectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    corrects = serializers.IntegerField(allow_null=True)
    note_ko = serializers.CharField(allow_blank=True)
    note_en = serializers.CharField(allow_blank=True)


class StandingsSerializer(PublicationSerializer):
    """The standings of a stage as of one publication, with the stage's publication history."""

    latest = serializers.BooleanField(help_text="True when no later correction exists.")
    history = CorrectionSerializer(many=True, help_text="Every publication of the stage.")
    sources = SourceSerializer(many=True)

    def to_representation(self, publication: Any) -> dict[str, Any]:
        history = self.context["history"]
        view = publication_view(publication)
        view["latest"] = history[-1].pk == publication.pk
        view["history"] = [
            {
                "id": p.pk,
                "sequence": p.sequence,
                "published_at": p.published_at,
                "corrects": p.corrects_id,
                "note_ko": p.note_ko,
                "note_en": p.note_en,
            }
            for p in history
        ]
        view["sources"] = list(publication.stage.sources.all())
        return serializers.Serializer.to_representation(self, view)


class ChainLinkSerializer(serializers.Serializer):
    publication = serializers.IntegerField()
    digest = serializers.CharField()
    record = serializers.DictField(
        help_text="The document hashed: SHA-256 of its canonical JSON (keys sorted, no spaces, "
        "UTF-8) is `digest`."
    )


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    points = dict(row.get("points") or {})
    missing = (["total"] if row.get("total") is None else []) + [
        f"points.{code}" for code, value in points.items() if value is None
    ]
    return {
        "team": row.get("team", ""),
        "team_name_ko": row.get("team_name_ko", ""),
        "team_name_en": row.get("team_name_en", ""),
        "models": list(row.get("models") or []),
        "position": row.get("position", 0),
        "rank": row.get("rank"),
        "tied": bool(row.get("tied", False)),
        "total": row.get("total"),
        "points": points,
        "proposed_outcome": row.get("proposed_outcome"),
        "outcome": row.get("outcome"),
        "reason_code": row.get("reason_code") or "",
        "reason_ko": row.get("reason_ko") or "",
        "reason_en": row.get("reason_en") or "",
        "overrides_proposal": bool(row.get("overrides_proposal", False)),
        "failed_gates": list(row.get("failed_gates") or []),
        "not_disclosed": missing,
    }


def publication_view(publication: Any) -> dict[str, Any]:
    """A publication's frozen payload, completed so every field is always present."""
    payload = publication.payload or {}
    stage = publication.stage
    return {
        "id": publication.pk,
        "program": stage.program.slug,
        "stage": stage,
        "sequence": publication.sequence,
        "is_correction": publication.corrects_id is not None,
        "corrects": publication.corrects_id,
        "corrects_sequence": publication.corrects.sequence if publication.corrects else None,
        "published_at": publication.published_at,
        "note_ko": publication.note_ko,
        "note_en": publication.note_en,
        "digest": publication.digest,
        "previous_digest": publication.previous_digest,
        "criteria": [
            {
                "code": c.get("code", ""),
                "parent": c.get("parent"),
                "name_ko": c.get("name_ko", ""),
                "name_en": c.get("name_en", ""),
                "max_points": c.get("max_points"),
                "is_individual": bool(c.get("is_individual", False)),
                "not_disclosed": ["max_points"] if c.get("max_points") is None else [],
            }
            for c in payload.get("criteria") or []
        ],
        "rows": [_row_view(row) for row in payload.get("rows") or []],
        "statistics": [
            {
                "criterion": s.get("criterion"),
                "kind": s.get("kind", ""),
                "value": s.get("value"),
                "team_count": s.get("team_count"),
            }
            for s in payload.get("statistics") or []
        ],
    }
