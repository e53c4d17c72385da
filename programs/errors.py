"""The one domain error of the project.

Services raise `DomainError` (or a subclass) with a message a person can act on; views, API
handlers and commands turn it into a form error, a JSON error body or a command error.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the program was broken; nothing was saved."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DomainError):
    code = "forbidden"


class ConflictError(DomainError):
    """Someone else changed the same thing first; reload and try again."""

    code = "conflict"


class NotFound(DomainError):
    code = "not_found"
