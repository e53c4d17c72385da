"""What every staff page shows in its frame: the roles of the signed-in account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from evaluations.roles import Role, user_roles
from staff.access import role_label


def staff_frame(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "staff":
        return {}
    held = getattr(request, "staff_roles", None)
    if held is None:
        held = user_roles(request.user) if hasattr(request, "user") else frozenset()
    return {
        "staff_roles": held,
        "staff_role_labels": [role_label(role) for role in Role if role in held],
        "staff_is_admin": Role.ADMIN in held,
        "staff_is_clerk": Role.CLERK in held,
        "staff_is_verifier": Role.VERIFIER in held,
    }
