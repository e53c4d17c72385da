"""api/permissions.py: the default permission of every API view. Anyone reads; a write needs an
authenticated staff user with the right role."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from evaluations.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Echo(APIView):
    """A view with no permission of its own, so the project default applies."""

    def get(self, request):
        return Response({"read": True})

    def post(self, request):
        return Response({"written": True})


class AdminOnly(Echo):
    write_roles = (Role.ADMIN,)


def call(view, method, user=None):
    request = getattr(APIRequestFactory(), method)("/api/anything")
    if user is not None:
        force_authenticate(request, user=user)
    return view.as_view()(request)


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_anyone_may_read(method):
    assert call(Echo, method).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_anonymous_write_is_refused(method):
    assert call(Echo, method).status_code in (401, 403)


def test_a_signed_in_user_who_is_not_staff_cannot_write():
    assert call(Echo, "post", UserFactory(username="reader")).status_code == 403


def test_a_staff_account_without_a_role_cannot_write():
    assert call(Echo, "post", UserFactory(username="nobody", is_staff=True)).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_staff_with_any_role_may_write_by_default(staff_user, role):
    assert call(Echo, "post", staff_user(role)).status_code == 200


def test_a_view_can_keep_writes_to_administrators(staff_user):
    assert call(AdminOnly, "post", staff_user("clerk")).status_code == 403
    assert call(AdminOnly, "post", staff_user("admin")).status_code == 200
    assert call(AdminOnly, "get").status_code == 200


def test_an_inactive_administrator_cannot_write(staff_user):
    assert call(Echo, "post", staff_user("admin", is_active=False)).status_code == 403
