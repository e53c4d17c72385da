from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_database(settings):
    settings.DATABASE_URL = ""


def ensure_local_admin() -> str:
    out = io.StringIO()
    call_command("ensure_local_admin", stdout=out)
    return out.getvalue()


def test_creates_the_local_admin_and_prints_a_working_password_once(embedded_database):
    output = ensure_local_admin()

    assert "http://127.0.0.1:8000/admin/" in output
    assert "username: admin" in output
    password = re.search(r"password: (\S+)", output).group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password(password)


def test_the_port_in_the_printed_address_follows_port(embedded_database, monkeypatch):
    monkeypatch.setenv("PORT", "8765")

    assert "http://127.0.0.1:8765/admin/" in ensure_local_admin()


def test_a_second_run_creates_nothing_and_prints_no_password(embedded_database):
    first = ensure_local_admin()
    password = re.search(r"password: (\S+)", first).group(1)

    second = ensure_local_admin()

    assert "already exists" in second
    assert password not in second
    assert "password:" not in second
    assert get_user_model().objects.count() == 1


def test_an_existing_superuser_is_left_alone(embedded_database):
    get_user_model().objects.create_superuser("chief", password="Chief-office-2026!")

    output = ensure_local_admin()

    assert "already exists" in output
    assert not get_user_model().objects.filter(username="admin").exists()


def test_an_existing_plain_user_named_admin_is_not_promoted(embedded_database):
    get_user_model().objects.create_user("admin", password="Plain-user-2026!")

    output = ensure_local_admin()

    assert "not a superuser" in output
    assert not get_user_model().objects.get(username="admin").is_superuser


def test_with_database_url_set_nothing_is_created(settings):
    settings.DATABASE_URL = "postgres://tracker:secret@db.internal:5432/tracker"

    output = ensure_local_admin()

    assert "DATABASE_URL is set" in output
    assert len(output.strip().splitlines()) == 1
    assert not get_user_model().objects.exists()
