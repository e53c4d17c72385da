"""An administrator creates staff accounts and changes roles in the browser."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from evaluations.roles import Role, user_roles


def test_administrator_creates_a_clerk(as_person):
    client = as_person("admin")
    response = client.post(
        "/staff/accounts/new/",
        {
            "username": "choi",
            "full_name": "Choi Min",
            "email": "",
            "password": "a-long-first-passphrase-1",
            "roles": ["clerk"],
        },
    )
    assert response["Location"] == "/staff/accounts/"
    user = get_user_model().objects.get(username="choi")
    assert user_roles(user) == {Role.CLERK}
    assert user.check_password("a-long-first-passphrase-1")
    assert "choi" in client.get("/staff/accounts/").content.decode()


def test_weak_password_is_refused_with_the_reason(as_person):
    response = as_person("admin").post(
        "/staff/accounts/new/",
        {"username": "choi", "password": "1234", "roles": ["clerk"]},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="choi").exists()
    assert "너무 짧" in response.content.decode()


def test_taken_username_is_refused(as_person):
    response = as_person("admin", language="en").post(
        "/staff/accounts/new/",
        {"username": "ADMIN-user", "password": "a-long-first-passphrase-1", "roles": ["clerk"]},
    )
    assert "already taken" in response.content.decode()


def test_administrator_changes_roles(as_person, staff_user):
    clerk = staff_user("clerk", username="han")
    client = as_person("admin")
    response = client.post(f"/staff/accounts/{clerk.pk}/", {"roles": ["verifier"], "active": "on"})
    assert response["Location"] == "/staff/accounts/"
    assert user_roles(clerk) == {Role.VERIFIER}


def test_administrator_cannot_drop_their_own_admin_role(as_person):
    client = as_person("admin", language="en")
    me = client.user
    response = client.post(f"/staff/accounts/{me.pk}/", {"roles": ["clerk"], "active": "on"})
    assert response.status_code == 200
    assert "your own administrator role" in response.content.decode()
    assert Role.ADMIN in user_roles(me)


def test_disabled_account_cannot_open_staff_screens(as_person, staff_user):
    clerk = staff_user("clerk", username="han")
    as_person("admin").post(f"/staff/accounts/{clerk.pk}/", {"roles": ["clerk"]})
    clerk.refresh_from_db()
    assert not clerk.is_active


def test_clerk_cannot_create_accounts(as_person):
    response = as_person("clerk").post(
        "/staff/accounts/new/",
        {"username": "x", "password": "a-long-first-passphrase-1", "roles": ["admin"]},
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()


def test_account_screens_need_the_csrf_token(as_person):
    client = as_person("admin")
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/staff/accounts/new/",
        {"username": "x", "password": "a-long-first-passphrase-1", "roles": ["clerk"]},
    )
    assert response.status_code == 403
