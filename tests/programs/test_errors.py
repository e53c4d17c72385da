"""programs/errors.py: the JSON shape of a refusal and the one code → HTTP status mapping."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from programs.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    http_status,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DomainError("Bad input."), 400),
        (DomainError("Above the maximum.", code="above_max", field="value"), 400),
        (PermissionDenied("Not your role."), 403),
        (NotFound("No such stage."), 404),
        (ConflictError("Changed meanwhile."), 409),
        (PreconditionFailed("Stale ETag."), 412),
    ],
)
def test_each_kind_of_refusal_answers_with_its_http_status(error, status):
    assert http_status(error) == status


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (PermissionDenied("Entered it yourself.", code="own_entry"), 403),
        (NotFound("No such score.", code="score_missing"), 404),
        (ConflictError("Changed meanwhile.", code="score_changed"), 409),
        (PreconditionFailed("Stale.", code="etag_stale"), 412),
    ],
)
def test_a_precise_code_keeps_the_status_of_its_kind(error, status):
    assert http_status(error) == status


def test_a_refusal_becomes_json_with_its_code_field_message_and_params():
    error = DomainError(
        _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
        code="above_max",
        field="value",
        params={"criterion": "nia", "value": "10.1", "max": "10"},
    )

    with translation.override("en"):
        assert error.as_dict() == {
            "code": "above_max",
            "field": "value",
            "message": "10.1 is above the maximum of 10 points for “nia”.",
            "params": {"criterion": "nia", "value": "10.1", "max": "10"},
        }


def test_the_message_follows_the_language_active_when_it_is_shown():
    error = DomainError(
        _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
        code="above_max",
        params={"criterion": "nia", "value": "10.1", "max": "10"},
    )

    with translation.override("ko"):
        korean = error.as_dict()["message"]
    with translation.override("en"):
        english = error.as_dict()["message"]

    assert korean == "10.1점은 “nia” 항목의 배점(10점)을 초과합니다."
    assert english == "10.1 is above the maximum of 10 points for “nia”."


def test_nested_params_become_plain_json_values():
    error = DomainError("x", params={"items": [{"team": "alpha", "at": _("Scoring")}], "n": 1})

    with translation.override("ko"):
        assert error.as_dict()["params"] == {"items": [{"team": "alpha", "at": "채점 중"}], "n": 1}


def test_a_validator_refusal_reads_in_the_language_of_whoever_reads_it():
    from django.core.exceptions import ValidationError

    from programs.errors import validation_text

    error = DomainError(
        validation_text(ValidationError(_("Scoring"), code="x")), code="weak_password"
    )

    with translation.override("ko"):
        assert str(error) == "채점 중"
    with translation.override("en"):
        assert str(error) == "Scoring"
