from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations.roles import Role, user_roles

pytestmark = pytest.mark.django_db

STRONG = "Evaluation-office-2026!"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", STRONG)


def create_staff(*args: str) -> str:
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("role", list(Role))
def test_creates_a_staff_user_in_the_group_of_each_role(password_env, role):
    output = create_staff("kim", "--role", role.value, "--email", "kim@msit.example")

    user = get_user_model().objects.get(username="kim")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    assert user_roles(user) == {role}
    assert user.email == "kim@msit.example"
    assert "kim" in output


def test_the_password_comes_from_staff_password(password_env):
    create_staff("lee", "--role", "clerk")

    assert get_user_model().objects.get(username="lee").check_password(STRONG)


def test_an_existing_username_is_refused_by_name(password_env):
    create_staff("park", "--role", "clerk")

    with pytest.raises(CommandError, match=r"'park' already exists\. Use --update"):
        create_staff("park", "--role", "admin")

    assert user_roles(get_user_model().objects.get(username="park")) == {Role.CLERK}


def test_update_moves_an_existing_user_to_another_role(password_env, monkeypatch):
    create_staff("choi", "--role", "clerk")
    monkeypatch.setenv("STAFF_PASSWORD", "Another-strong-passphrase-7")

    create_staff("choi", "--role", "verifier", "--update")

    user = get_user_model().objects.get(username="choi")
    assert user_roles(user) == {Role.VERIFIER}
    assert user.check_password("Another-strong-passphrase-7")


def test_update_can_keep_the_password(password_env, no_terminal):
    get_user_model().objects.create_user("jung", password=STRONG)

    create_staff("jung", "--role", "admin", "--update", "--keep-password")

    user = get_user_model().objects.get(username="jung")
    assert user.check_password(STRONG)
    assert user.is_staff
    assert user_roles(user) == {Role.ADMIN}


def test_update_of_a_missing_user_is_refused(password_env):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        create_staff("ghost", "--role", "clerk", "--update")


@pytest.mark.parametrize("weak", ["12345678", "password", "kim"])
def test_a_weak_password_is_refused_and_nobody_is_created(monkeypatch, weak):
    monkeypatch.setenv("STAFF_PASSWORD", weak)

    with pytest.raises(CommandError, match="Password refused"):
        create_staff("kim", "--role", "clerk")

    assert not get_user_model().objects.filter(username="kim").exists()


def test_without_a_terminal_or_staff_password_the_error_says_what_to_do(no_terminal):
    with pytest.raises(CommandError, match="set the STAFF_PASSWORD environment variable"):
        create_staff("han", "--role", "verifier")

    assert not get_user_model().objects.filter(username="han").exists()


def test_at_a_terminal_the_password_is_asked_twice(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    create_staff("yoon", "--role", "clerk")

    assert get_user_model().objects.get(username="yoon").check_password(STRONG)


def test_at_a_terminal_two_different_passwords_are_refused(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="do not match"):
        create_staff("yoon", "--role", "clerk")

    assert not get_user_model().objects.filter(username="yoon").exists()


def test_an_unknown_role_is_refused(password_env):
    with pytest.raises(CommandError, match="invalid choice"):
        create_staff("kang", "--role", "minister")


def test_help_explains_the_roles_and_the_password(capsys):
    with pytest.raises(SystemExit):
        call_command("create_staff", "--help")

    help_text = capsys.readouterr().out
    assert "STAFF_PASSWORD" in help_text
    assert "verifier" in help_text
    assert "--update" in help_text
