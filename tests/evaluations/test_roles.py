from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from evaluations.roles import Role, grant_role_permissions, user_has_role, user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codenames(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return set(group.permissions.values_list("codename", flat=True))


def test_the_three_role_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {"admin", "clerk", "verifier"}


def test_admin_holds_every_permission_of_the_tracker_apps():
    tracker = Permission.objects.filter(
        content_type__app_label__in=["programs", "teams", "evaluations"]
    )

    assert codenames(Role.ADMIN) == set(tracker.values_list("codename", flat=True))
    assert "delete_stage" in codenames(Role.ADMIN)
    assert "add_user" not in codenames(Role.ADMIN)


def test_a_clerk_views_everything_and_enters_scores_gates_and_participations():
    granted = codenames(Role.CLERK)

    assert {"view_program", "view_team", "view_publication", "view_standingssnapshot"} <= granted
    assert {"add_score", "change_score", "add_gateresult", "change_gateresult"} <= granted
    assert {"add_participation", "change_participation"} <= granted
    assert not {"delete_score", "add_publication", "change_stage", "add_decision"} & granted


def test_a_verifier_views_everything_and_changes_only_scores_and_gate_results():
    granted = codenames(Role.VERIFIER)

    assert {"view_program", "view_score", "change_score", "change_gateresult"} <= granted
    assert not {"add_score", "add_gateresult", "change_participation"} & granted
    assert {name for name in granted if not name.startswith("view_")} == {
        "change_score",
        "change_gateresult",
    }


def test_granting_twice_changes_nothing():
    before = {role: codenames(role) for role in Role}

    grant_role_permissions()
    grant_role_permissions()

    assert {role: codenames(role) for role in Role} == before


def test_granting_restores_a_permission_removed_by_hand():
    clerk = Group.objects.get(name="clerk")
    clerk.permissions.remove(Permission.objects.get(codename="add_score"))

    grant_role_permissions()

    assert "add_score" in codenames(Role.CLERK)


def test_a_superuser_holds_every_role():
    user = UserFactory(is_superuser=True)

    assert user_roles(user) == frozenset(Role)


def test_a_user_holds_the_roles_of_their_groups(staff_user):
    user = staff_user("verifier")

    assert user_roles(user) == {Role.VERIFIER}
    assert user_has_role(user, Role.CLERK, Role.VERIFIER)
    assert not user_has_role(user, "admin")


def test_an_inactive_or_anonymous_user_holds_no_role(staff_user):
    inactive = staff_user("admin", is_active=False)

    assert user_roles(inactive) == frozenset()
    assert user_roles(AnonymousUser()) == frozenset()
    assert not user_has_role(AnonymousUser(), Role.ADMIN)
