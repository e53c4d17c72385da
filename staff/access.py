"""Who may open a staff screen: `role_required` for function views, `RoleRequiredMixin` for
class-based ones.

Every staff screen needs a signed-in account holding one of the roles the screen names
(`evaluations.roles`). The three answers:

1. not signed in → the staff sign-in page, coming back to the same address afterwards;
2. signed in without any of the roles → 403 with a page naming the role(s) needed;
3. otherwise the view runs, with `request.staff_roles` set for the templates.

A view that every staff member may open still names all three roles, so an account with no
role at all (e.g. a new account not yet given one) is refused rather than let through.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from evaluations.roles import ALL_ROLES, Role, user_roles

ROLE_LABELS: dict[Role, Any] = {
    Role.ADMIN: _("administrator"),
    Role.CLERK: _("clerk"),
    Role.VERIFIER: _("verifier"),
}

# Every staff role, for screens any staff member may open.
ANY_STAFF = tuple(Role)


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])


def forbidden(request: HttpRequest, roles: tuple[Role, ...]) -> HttpResponse:
    """The 403 page: which role the screen needs and which roles the account has."""
    held = user_roles(request.user)
    context = {
        "needed_roles": [role_label(role) for role in roles],
        "held_roles": [role_label(role) for role in Role if role in held],
    }
    return render(request, "staff/forbidden.html", context, status=403)


def check_roles(request: HttpRequest, roles: tuple[Role, ...]) -> HttpResponse | None:
    """None when the request may go on; otherwise the redirect or 403 response to send."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    held = user_roles(request.user)
    request.staff_roles = held  # type: ignore[attr-defined]
    if not held & set(roles):
        return forbidden(request, roles)
    return None


def role_required(
    *roles: Role | str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """`@role_required(Role.CLERK, Role.ADMIN)`: the view runs for holders of any listed role."""
    wanted = tuple(Role(role) for role in roles) or tuple(ALL_ROLES)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = check_roles(request, wanted)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        wrapper.staff_roles = wanted  # type: ignore[attr-defined]
        return wrapper

    return decorator


class RoleRequiredMixin:
    """For class-based views: set `roles = (Role.ADMIN,)`."""

    roles: tuple[Role, ...] = ANY_STAFF

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = check_roles(request, tuple(self.roles))
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
