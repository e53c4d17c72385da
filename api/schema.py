"""OpenAPI additions: the one error shape, documented on every operation."""

from __future__ import annotations

from typing import Any

ERROR_ITEM = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "example": "not_found"},
        "field": {"type": "string", "nullable": True},
        "message": {"type": "string"},
        "params": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "field", "message", "params"],
}
ERROR = {
    "type": "object",
    "description": "Every error: the first problem, and `errors` listing all of them.",
    "properties": {
        **ERROR_ITEM["properties"],
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}},
    },
    "required": [*ERROR_ITEM["required"], "errors"],
}
READ_ERRORS = {
    "400": "Invalid filter or parameter",
    "401": "Invalid token",
    "403": "No staff role that may do this",
    "404": "Not found (or not published yet)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "429": "Too many requests (see Retry-After)",
}
WRITE_ERRORS = {
    "409": "Conflict with someone else's change",
    "412": "If-Match is not the current ETag",
    "415": "Unsupported media type",
    "428": "If-Match is required",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorItem"] = ERROR_ITEM
    schemas["Error"] = ERROR
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(READ_ERRORS)
            if method in ("post", "put", "patch", "delete"):
                errors |= WRITE_ERRORS
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": content}
                )
    return result
