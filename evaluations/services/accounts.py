"""Staff accounts: an administrator creates them and sets their roles.

Roles are the auth groups of `evaluations.roles`; a staff account is also `is_staff` so the
same person can open the Django admin. An administrator cannot take the administrator role
away from themselves, so the office never locks itself out by mistake.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluations.roles import Role, require_role
from programs.errors import DomainError, NotFound, PermissionDenied, validation_text


def _groups(roles: Iterable[Role | str]) -> list[Group]:
    names = sorted({Role(role).value for role in roles})
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) != len(names):
        raise DomainError(
            _("The role groups are missing; run the database migrations first."), code="setup"
        )
    return groups


def staff_account_create(
    *,
    actor: AbstractBaseUser,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    full_name: str = "",
    email: str = "",
) -> AbstractBaseUser:
    """A new active staff account holding `roles` (at least one)."""
    require_role(actor, Role.ADMIN)
    User = get_user_model()
    username = username.strip()
    roles = list(roles)
    if not username:
        raise DomainError(_("Enter a username."), code="required", field="username")
    if not roles:
        raise DomainError(_("Choose at least one role."), code="required", field="roles")
    first, _sep, last = full_name.strip().partition(" ")
    user = User(username=username, email=email.strip(), first_name=first, last_name=last)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        # Django's own password validators, in the language of whoever reads the refusal.
        raise DomainError(validation_text(exc), field="password", code="weak_password") from None
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(
                _("The username %(username)s is already taken."),
                code="duplicate",
                field="username",
                params={"username": username},
            )
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set(_groups(roles))
    return user


def staff_role_set(
    *, actor: AbstractBaseUser, user_id: int, roles: Iterable[Role | str], active: bool = True
) -> AbstractBaseUser:
    """Give the account exactly `roles` (possibly none) and set whether it may sign in."""
    require_role(actor, Role.ADMIN)
    wanted = {Role(role) for role in roles}
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("That staff account does not exist."))
        if user.pk == actor.pk and (Role.ADMIN not in wanted or not active):
            raise PermissionDenied(
                _("You cannot remove your own administrator role or disable your own account."),
                field="roles",
            )
        user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
        user.groups.add(*_groups(wanted))
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
    return user
