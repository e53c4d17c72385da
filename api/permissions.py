"""Who may call the API: anyone may read; a write needs a staff user with a staff role.

The roles themselves live in `evaluations.roles` (no DRF there); this module only translates
them into a DRF permission. A view narrows the roles allowed to write with `write_roles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from evaluations.roles import ALL_ROLES, Role, user_has_role


class ReadOnlyOrStaffRole(BasePermission):
    """GET, HEAD and OPTIONS for everyone; other methods for active staff holding a role.

    The default permission of the project (`REST_FRAMEWORK` in settings). A view may set
    `write_roles = (Role.ADMIN,)` to let only administrators write.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        roles: Iterable[Role | str] = getattr(view, "write_roles", ALL_ROLES)
        return user_has_role(user, *roles)
