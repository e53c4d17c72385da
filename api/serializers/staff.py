"""Serializers of the staff write API: what staff tools send and get back."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.public import DecimalTextField
from evaluations.models import GateResult, Score


def etag_for(kind: str, pk: int, version: int) -> str:
    return f'"{kind}-{pk}-v{version}"'


class ScoreSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="participation.team.slug", read_only=True)
    stage = serializers.IntegerField(source="participation.stage_id", read_only=True)
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    value = DecimalTextField()
    entered_by = serializers.CharField(
        source="entered_by.username", read_only=True, default=None, allow_null=True
    )
    confirmed_by = serializers.CharField(
        source="confirmed_by.username", read_only=True, default=None, allow_null=True
    )
    etag = serializers.SerializerMethodField(help_text="Send it back as If-Match to change it.")

    class Meta:
        model = Score
        fields = [
            "id",
            "stage",
            "participation",
            "team",
            "criterion",
            "criterion_code",
            "evaluator_code",
            "value",
            "version",
            "etag",
            "entered_by",
            "entered_at",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields

    def get_etag(self, score: Score) -> str:
        return etag_for("score", score.pk, score.version)


class ScoreCreateSerializer(serializers.Serializer):
    participation = serializers.IntegerField(min_value=1)
    criterion = serializers.IntegerField(min_value=1)
    evaluator_code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20
    )
    value = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        max_length=30,
        help_text='Points, e.g. "31.6"; null = not disclosed.',
    )


class ScoreUpdateSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, allow_blank=True, max_length=30)


class GateResultSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="participation.team.slug", read_only=True)
    stage = serializers.IntegerField(source="participation.stage_id", read_only=True)
    gate_code = serializers.CharField(source="gate.code", read_only=True)
    entered_by = serializers.CharField(
        source="entered_by.username", read_only=True, default=None, allow_null=True
    )
    confirmed_by = serializers.CharField(
        source="confirmed_by.username", read_only=True, default=None, allow_null=True
    )
    etag = serializers.SerializerMethodField()

    class Meta:
        model = GateResult
        fields = [
            "id",
            "stage",
            "participation",
            "team",
            "gate",
            "gate_code",
            "passed",
            "reason_ko",
            "reason_en",
            "version",
            "etag",
            "entered_by",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields

    def get_etag(self, result: GateResult) -> str:
        return etag_for("gate-result", result.pk, result.version)


class GateResultCreateSerializer(serializers.Serializer):
    participation = serializers.IntegerField(min_value=1)
    gate = serializers.IntegerField(min_value=1)
    passed = serializers.BooleanField(allow_null=True)
    reason_ko = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reason_en = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GateResultUpdateSerializer(serializers.Serializer):
    passed = serializers.BooleanField(allow_null=True)
    reason_ko = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reason_en = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class StageActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="The stage's workflow status after the action.")
    publication = serializers.IntegerField(allow_null=True)
