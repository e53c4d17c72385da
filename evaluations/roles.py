"""Staff roles: who may do what in the evaluation office.

Three roles, each an auth `Group` of the same name (created by migration 0002):

- **admin**: runs the program record: stages, rules, decisions, publications.
- **clerk**: enters results: participations, scores and gate results.
- **verifier**: confirms what a clerk entered (never their own entries: the database refuses it).

A superuser holds every role. The model permissions of each group are defined here, in
`ROLE_PERMISSIONS`, and re-applied after every `migrate` (`grant_role_permissions`), so the
groups always match this file; change a role here, not in the admin.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps as global_apps
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from programs.errors import PermissionDenied

# The migration that creates the role groups.
STAFF_GROUPS_MIGRATION = ("evaluations", "0002_staff_groups")

# The apps whose models the staff roles cover.
TRACKER_APPS = ("programs", "teams", "evaluations")


class Role(StrEnum):
    ADMIN = "admin"
    CLERK = "clerk"
    VERIFIER = "verifier"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


# What staff call each role on screen; the group names stay the stable codes above.
ROLE_LABELS = {
    Role.ADMIN: _("administrator"),
    Role.CLERK: _("clerk"),
    Role.VERIFIER: _("verifier"),
}


ALL_ROLES = frozenset(Role)

# Role → permission codenames beyond "view" (every role may view every model of TRACKER_APPS).
# `None` means every permission of TRACKER_APPS.
ROLE_PERMISSIONS: dict[Role, frozenset[str] | None] = {
    Role.ADMIN: None,
    Role.CLERK: frozenset(
        {
            "add_score",
            "change_score",
            "add_gateresult",
            "change_gateresult",
            "add_participation",
            "change_participation",
        }
    ),
    Role.VERIFIER: frozenset({"change_score", "change_gateresult"}),
}


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of `user`: all of them for an active superuser, none for anyone inactive."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_ROLES
    names = user.groups.filter(name__in=[role.value for role in Role]).values_list(
        "name", flat=True
    )
    return frozenset(Role(name) for name in names)


def user_has_role(user: Any, *roles: Role | str) -> bool:
    """True when `user` holds at least one of `roles`."""
    wanted = {Role(role) for role in roles}
    return bool(wanted & user_roles(user))


def require_role(user: Any, *roles: Role | str) -> None:
    """Raise `PermissionDenied` unless `user` holds at least one of `roles`."""
    if not user_has_role(user, *roles):
        wanted = [Role(role) for role in roles]
        raise PermissionDenied(
            _("Only %(roles)s staff can do this."),
            code="role_required",
            params={
                "roles": lazy(lambda: str(_(" or ")).join(r.label for r in wanted), str)(),
                "role_codes": [role.value for role in wanted],
            },
        )


def grant_role_permissions(*, apps: Any = global_apps, using: str = "default") -> None:
    """Set each role group's permissions to exactly those `ROLE_PERMISSIONS` describes.

    Safe to run any number of times. The groups belong to migration 0002: while it is applied
    they are re-created if missing (a test database flush empties every table); once it is
    reversed they are left alone.
    """
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    if STAFF_GROUPS_MIGRATION in MigrationRecorder(connections[using]).applied_migrations():
        for role in Role:
            Group.objects.using(using).get_or_create(name=role.value)

    tracker_permissions = Permission.objects.using(using).filter(
        content_type__app_label__in=TRACKER_APPS
    )
    groups = Group.objects.using(using).filter(name__in=[role.value for role in Role])
    for group in groups:
        extra = ROLE_PERMISSIONS[Role(group.name)]
        if extra is None:
            wanted = tracker_permissions
        else:
            wanted = tracker_permissions.filter(
                Q(codename__startswith="view_") | Q(codename__in=extra)
            )
        group.permissions.set(list(wanted))


def grant_role_permissions_after_migrate(sender: Any, **kwargs: Any) -> None:
    """`post_migrate` receiver (connected in `EvaluationsConfig.ready`)."""
    grant_role_permissions(
        apps=kwargs.get("apps") or global_apps, using=kwargs.get("using", "default")
    )
