"""Writes for staff tools (/api/v1/staff/): token authentication, the browser's roles, the same
services. Clerks enter scores and gate results, verifiers confirm them, administrators finalize
and publish; each service checks the role again, so the API cannot do what a person could not.

Changing an existing score or gate result needs `If-Match` with its current ETag (from a GET or
the previous write): a stale one answers 412 and nothing changes, a missing one 428. Confirming
needs it too, so a verifier confirms exactly the value they saw.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import staff as s
from evaluations.roles import user_roles
from evaluations.selectors_staff import gate_results_for_staff, scores_for_staff, stage_get
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import stage_publish
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_save,
    score_confirm,
    score_save,
)
from programs.errors import ConflictError, DomainError, NotFound, PreconditionFailed
from programs.models import Stage

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The current ETag of the entry (428 when missing, 412 when stale).",
)
ETAG_PATTERN = re.compile(r'^(?:W/)?"(?P<kind>[a-z-]+)-(?P<pk>\d+)-v(?P<version>\d+)"$')


class HasStaffRole(BasePermission):
    """Signed in (401 otherwise) and holding at least one staff role (403 otherwise); which
    role may do what is the services' business."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        return bool(user_roles(request.user))


def expected_version(request: Request, *, kind: str, pk: int) -> int:
    """The version the client saw, from If-Match; 428 without it, 412 when it names another."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise DomainError(
            _("Send If-Match with the entry's current ETag; fetch the entry to get it."),
            code="precondition_required",
        )
    match = ETAG_PATTERN.match(header)
    if match is None or match["kind"] != kind or int(match["pk"]) != pk:
        raise PreconditionFailed(_("If-Match does not name this entry's current version."))
    return int(match["version"])


def require_current(request: Request, *, kind: str, pk: int, version: int) -> int:
    expected = expected_version(request, kind=kind, pk=pk)
    if expected != version:
        raise PreconditionFailed(
            _(
                "This entry changed since you loaded it (now version %(version)s); "
                "nothing was saved."
            ),
            params={"version": version},
        )
    return expected


def _with_etag(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    return response


class StaffViewSet(viewsets.GenericViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasStaffRole]
    throttle_classes: list[Any] = []
    pagination_class = None
    lookup_value_regex = "[0-9]+"


class ScoreViewSet(mixins.ListModelMixin, StaffViewSet):
    """Marks as entered (drafts included): staff only."""

    serializer_class = s.ScoreSerializer

    def get_queryset(self) -> Any:
        def number(name: str) -> int | None:
            raw = self.request.query_params.get(name, "")
            return int(raw) if raw.isdigit() else None

        return scores_for_staff(stage_id=number("stage"), participation_id=number("participation"))

    def _get(self, pk: str | None) -> Any:
        score = scores_for_staff().filter(pk=int(pk)).first() if pk and pk.isdigit() else None
        if score is None:
            raise NotFound(_("Not found."))
        return score

    @extend_schema(
        parameters=[
            OpenApiParameter("stage", int, description="Only this stage's marks."),
            OpenApiParameter("participation", int, description="Only this team's marks."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        score = self._get(pk)
        return _with_etag(
            Response(s.ScoreSerializer(score).data), s.etag_for("score", score.pk, score.version)
        )

    @extend_schema(request=s.ScoreCreateSerializer, responses={201: s.ScoreSerializer})
    def create(self, request: Request) -> Response:
        data = s.ScoreCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        score = score_save(
            participation_id=data.validated_data["participation"],
            criterion_id=data.validated_data["criterion"],
            evaluator_code=data.validated_data["evaluator_code"],
            value=data.validated_data["value"],
            user=request.user,
        )
        score = self._get(str(score.pk))
        body = s.ScoreSerializer(score).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), body["etag"])

    @extend_schema(parameters=[IF_MATCH], request=s.ScoreUpdateSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        score = self._get(pk)
        version = expected_version(request, kind="score", pk=score.pk)
        data = s.ScoreUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            saved = score_save(
                participation_id=score.participation_id,
                criterion_id=score.criterion_id,
                evaluator_code=score.evaluator_code,
                value=data.validated_data["value"],
                user=request.user,
                expected_version=version,
            )
        except ConflictError as conflict:
            if conflict.code != "score_changed":
                raise
            # The service compares the version in the same statement that writes, so a write
            # that lands between this request's read and its own is caught too; either way the
            # If-Match no longer holds: 412, naming who saved which value.
            raise PreconditionFailed(conflict._message, params=conflict.params) from None
        saved = self._get(str(saved.pk))
        body = s.ScoreSerializer(saved).data
        return _with_etag(Response(body), body["etag"])

    @extend_schema(parameters=[IF_MATCH], request=None, responses=s.ScoreSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        score = self._get(pk)
        version = require_current(request, kind="score", pk=score.pk, version=score.version)
        score_confirm(score_id=score.pk, user=request.user, expected_version=version)
        body = s.ScoreSerializer(self._get(pk)).data
        return _with_etag(Response(body), body["etag"])


class GateResultViewSet(mixins.ListModelMixin, StaffViewSet):
    """Gate results as entered: staff only."""

    serializer_class = s.GateResultSerializer

    def get_queryset(self) -> Any:
        raw = self.request.query_params.get("stage", "")
        return gate_results_for_staff(stage_id=int(raw) if raw.isdigit() else None)

    def _get(self, pk: str | None) -> Any:
        result = (
            gate_results_for_staff().filter(pk=int(pk)).first() if pk and pk.isdigit() else None
        )
        if result is None:
            raise NotFound(_("Not found."))
        return result

    @extend_schema(parameters=[OpenApiParameter("stage", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        result = self._get(pk)
        body = s.GateResultSerializer(result).data
        return _with_etag(Response(body), body["etag"])

    @extend_schema(request=s.GateResultCreateSerializer, responses={201: s.GateResultSerializer})
    def create(self, request: Request) -> Response:
        data = s.GateResultCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = gate_result_save(
            participation_id=data.validated_data["participation"],
            gate_id=data.validated_data["gate"],
            passed=data.validated_data["passed"],
            reason_ko=data.validated_data["reason_ko"],
            reason_en=data.validated_data["reason_en"],
            user=request.user,
        )
        body = s.GateResultSerializer(self._get(str(result.pk))).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), body["etag"])

    @extend_schema(parameters=[IF_MATCH], request=s.GateResultUpdateSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        result = self._get(pk)
        version = require_current(request, kind="gate-result", pk=result.pk, version=result.version)
        data = s.GateResultUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gate_result_save(
            participation_id=result.participation_id,
            gate_id=result.gate_id,
            passed=data.validated_data["passed"],
            reason_ko=data.validated_data["reason_ko"],
            reason_en=data.validated_data["reason_en"],
            user=request.user,
            expected_version=version,
        )
        body = s.GateResultSerializer(self._get(pk)).data
        return _with_etag(Response(body), body["etag"])

    @extend_schema(parameters=[IF_MATCH], request=None, responses=s.GateResultSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        result = self._get(pk)
        version = require_current(request, kind="gate-result", pk=result.pk, version=result.version)
        gate_result_confirm(gate_result_id=result.pk, user=request.user, expected_version=version)
        body = s.GateResultSerializer(self._get(pk)).data
        return _with_etag(Response(body), body["etag"])


class StageActionViewSet(StaffViewSet):
    """Stage workflow for administrators: submit for review, finalize, publish at once."""

    serializer_class = s.StageActionSerializer
    queryset = Stage.objects.none()  # only gives the schema the type of the id

    def _stage_id(self, pk: str | None) -> int:
        if not (pk and pk.isdigit()):
            raise NotFound(_("Not found."))
        return int(pk)

    def _answer(self, stage_id: int, publication: int | None = None) -> Response:
        stage = stage_get(stage_id=stage_id)
        return Response({"id": stage.pk, "status": stage.status, "publication": publication})

    @extend_schema(request=None, responses=s.StageActionSerializer)
    @action(detail=True, methods=["post"], url_path="submit-for-review")
    def submit_for_review(self, request: Request, pk: str | None = None) -> Response:
        stage_id = self._stage_id(pk)
        stage_submit_for_review(stage_id=stage_id, user=request.user)
        return self._answer(stage_id)

    @extend_schema(request=None, responses=s.StageActionSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request: Request, pk: str | None = None) -> Response:
        """Record the proposed outcome as the decisions (overrides: use the staff screens)."""
        stage_id = self._stage_id(pk)
        stage_finalize(stage_id=stage_id, user=request.user)
        return self._answer(stage_id)

    @extend_schema(request=None, responses=s.StageActionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        stage_id = self._stage_id(pk)
        publication = stage_publish(stage_id=stage_id, user=request.user)
        return self._answer(stage_id, publication.pk)
