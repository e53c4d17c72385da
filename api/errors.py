"""One error shape for every API error (400/401/403/404/405/409/412/428/429…).

Every failure becomes a `programs.errors.DomainError` and is answered with its `as_dict()`
(`code`, `field`, `message`, `params`) plus `errors`, the list of every problem found (several
fields can be wrong at once), and the status `http_status()` gives for its code:

    {"code": "above_max", "field": "value", "message": "…", "params": {…}, "errors": [{…}]}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from programs.errors import DomainError, NotFound, PermissionDenied, http_status


def error_body(error: DomainError, *, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body = error.as_dict()
    body["errors"] = errors if errors else [error.as_dict()]
    return body


def _validation_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten DRF's nested validation detail into one entry per message."""
    found: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            name = f"{prefix}.{field}" if prefix and field else (field or prefix)
            found.extend(_validation_errors(value, name))
    elif isinstance(detail, list):
        for item in detail:
            found.extend(_validation_errors(item, prefix))
    else:
        code = getattr(detail, "code", None) or "invalid"
        found.append(DomainError(str(detail), code=str(code), field=prefix or None).as_dict())
    return found


def domain_error_for(
    exc: Exception, *, method: str = ""
) -> tuple[DomainError | None, list[dict[str, Any]]]:
    """The domain error an exception stands for, and its list of problems (None: a bug → 500)."""
    if isinstance(exc, DomainError):
        return exc, []
    if isinstance(exc, drf.ValidationError):
        errors = _validation_errors(exc.detail)
        first = errors[0] if errors else {"code": "invalid", "field": None, "message": ""}
        error = DomainError(
            first["message"] or _("The request is not valid."),
            code="invalid" if first["code"] in ("invalid", "required", "null") else first["code"],
            field=first["field"],
        )
        return error, errors
    if isinstance(exc, drf.ParseError):
        return DomainError(_("The request body is not valid JSON."), code="parse_error"), []
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        message = (
            _("Invalid or revoked token.")
            if isinstance(exc, drf.AuthenticationFailed)
            else _("Authentication is needed: send “Authorization: Token <your token>”.")
        )
        return DomainError(message, code="not_authenticated"), []
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return PermissionDenied(_("You do not have a staff role that may do this.")), []
    if isinstance(exc, drf.NotFound | Http404):
        return NotFound(_("Not found.")), []
    if isinstance(exc, drf.MethodNotAllowed):
        return (
            DomainError(
                _("Method %(method)s is not allowed here."),
                code="method_not_allowed",
                params={"method": method},
            ),
            [],
        )
    if isinstance(exc, drf.NotAcceptable):
        return DomainError(
            _("No representation matches the Accept header."), code="not_acceptable"
        ), []
    if isinstance(exc, drf.UnsupportedMediaType):
        return (
            DomainError(
                _("Send the request body as application/json."), code="unsupported_media_type"
            ),
            [],
        )
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 1) if exc.wait is not None else 1
        return (
            DomainError(
                _("Too many requests; try again in %(wait)s seconds."),
                code="throttled",
                params={"wait": max(wait, 1)},
            ),
            [],
        )
    if isinstance(exc, drf.APIException):
        return DomainError(str(exc.detail), code=str(exc.default_code)), []
    return None, []


def _request_language(request: Any) -> str:
    """The API is not under the language prefixes of the public pages: it follows the client's
    language cookie or Accept-Language, Korean by default."""
    if request is None:
        return translation.get_language() or "ko"
    return translation.get_language_from_request(getattr(request, "_request", request))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error in the one shape; anything else is a bug."""
    request = context.get("request")
    error, errors = domain_error_for(exc, method=getattr(request, "method", "") or "")
    if error is None:
        return None
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if error.code == "throttled":
        headers["Retry-After"] = str(error.params["wait"])
    response = Response(
        error_body(error, errors=errors), status=http_status(error), headers=headers
    )
    # Errors are never stored by shared caches: a 404 today may be a result tomorrow.
    response["Cache-Control"] = "no-store"
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any URL under /api/ that matches no endpoint: the same JSON shape, not an HTML page."""
    with translation.override(_request_language(request)):
        body = error_body(NotFound(_("Not found.")))
    response = JsonResponse(
        body,
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response
