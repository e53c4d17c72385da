"""The one domain error of the project, and the one mapping from error code to HTTP status.

Services raise `DomainError` (or a subclass) carrying:
- `code`: a stable machine-readable code (``"above_max"``, ``"conflict"``, …) that staff screens,
  the API and tests match on, never on the sentence;
- `field`: the input it is about (``"value"``, ``"criterion"``, …) or None for the whole request,
  so a staff screen can show the message beside the right cell and the API can return it as JSON;
- `params`: the values the message was built from (criterion code, maximum, who changed it…);
- `message`: a sentence a person can act on, marked for translation (Korean for staff by default,
  English too). Build it with `gettext_lazy` and `%(name)s` placeholders filled from `params`, so
  the language is chosen when the message is shown, not when it is raised.

Views, API handlers and commands turn it into a form error, a JSON error body or a command
error; `http_status()` is the single place that says which status each code answers with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils.functional import Promise, lazy


class DomainError(Exception):
    """A rule of the program was broken; nothing was saved."""

    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self._message = message
        if code is not None:
            self.code = code
        self.field = field
        self.params: dict[str, Any] = dict(params or {})

    @property
    def message(self) -> str:
        """The sentence in the active language, with its parameters filled in."""
        text = str(self._message)
        if self.params:
            try:
                return text % self.params
            except (KeyError, TypeError, ValueError):
                return text
        return text

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the API and htmx responses."""
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "params": {key: _plain(value) for key, value in self.params.items()},
        }


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "as_dict"):
        return _plain(value.as_dict())
    return str(value)


def localized(instance: Any, field: str = "name") -> Promise:
    """`instance`'s Korean or English `field`, chosen when the message is shown, not raised.

    For message parameters naming a stage or a team: a Korean screen shows “1차 평가”, an English
    one “Stage 1 evaluation”, from the same error.
    """
    return lazy(instance.localized, str)(field)


class PermissionDenied(DomainError):
    code = "forbidden"


class ConflictError(DomainError):
    """Someone else changed the same thing first; reload and try again."""

    code = "conflict"


class NotFound(DomainError):
    code = "not_found"


class PreconditionFailed(DomainError):
    """The version the client sent (e.g. an `If-Match` ETag) is no longer current."""

    code = "precondition_failed"


# The one mapping from error code to HTTP status, for staff views and the API alike. Codes not
# listed are input errors (400). A subclass's specific code (e.g. `ConflictError(...,
# code="score_changed")`) answers with its class's status, so a precise code for staff screens
# and tests never changes what the client is told.
HTTP_STATUS_BY_CODE: dict[str, int] = {
    "not_authenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "conflict": 409,
    "precondition_failed": 412,
    "unsupported_media_type": 415,
    "precondition_required": 428,
    "throttled": 429,
}


def http_status(error: DomainError) -> int:
    if error.code in HTTP_STATUS_BY_CODE:
        return HTTP_STATUS_BY_CODE[error.code]
    for cls in type(error).__mro__:
        class_code = cls.__dict__.get("code")
        if class_code in HTTP_STATUS_BY_CODE:
            return HTTP_STATUS_BY_CODE[class_code]
    return 400


def domain_error_from_validation(error: Any) -> DomainError:
    """A model's `full_clean()` refusal as a `DomainError` on its first field.

    Services validate with `full_clean()`; callers expect one error type, with the field the
    message is about (None for a rule about the whole row).
    """
    field: str | None = None
    first: Any = error
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        if field == "__all__":
            field = None
        first = errors[0]
    elif getattr(error, "error_list", None):
        first = error.error_list[0]
    # Keep the model's own message (still lazy, so shown in the reader's language), code and
    # parameters: they fill `%(name)s` placeholders exactly as a DomainError's do.
    message = getattr(first, "message", None) or str(first)
    return DomainError(
        message,
        code=getattr(first, "code", None) or "invalid",
        field=field,
        params=getattr(first, "params", None),
    )


def validation_text(error: Any) -> Promise:
    """The sentences of a Django `ValidationError` (or a list of them), joined when shown.

    Its messages stay lazy until then, so a refusal built from a validator reads in the language
    of whoever reads it, like every other message parameter.
    """
    from django.core.exceptions import ValidationError

    def text() -> str:
        return " ".join(str(message) for message in ValidationError(error).messages)

    # A lazy proxy is a Promise; the stubs type lazy()'s result as the result class (str).
    return cast(Promise, lazy(text, str)())
