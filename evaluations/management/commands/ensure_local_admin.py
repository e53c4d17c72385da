"""Give a fresh local checkout an administrator account (used by `make run`)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"


def embedded_database_in_use() -> bool:
    """True for the embedded default: no DATABASE_URL, so settings.py chose SQLite."""
    return not getattr(settings, "DATABASE_URL", "")


class Command(BaseCommand):
    help = (
        "On the embedded SQLite database only (no DATABASE_URL) and only if no superuser exists, "
        f"create the superuser {USERNAME!r} with a generated password and print it once. "
        "Otherwise do nothing and say why. Never prints an existing password."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedded_database_in_use():
            self.stdout.write(
                "ensure_local_admin: DATABASE_URL is set, so this is not the embedded local "
                "database; no account created (use `python manage.py create_staff`)."
            )
            return
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "ensure_local_admin: a superuser already exists; nothing to do "
                "(its password is not shown)."
            )
            return
        if User.objects.filter(**{User.USERNAME_FIELD: USERNAME}).exists():
            self.stdout.write(
                f"ensure_local_admin: a user named {USERNAME!r} exists but is not a superuser; "
                "left unchanged."
            )
            return

        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=USERNAME, email="", password=password)
        line = "=" * 60
        self.stdout.write(
            "\n".join(
                [
                    line,
                    "Local administrator created. The password is shown only this once:",
                    f"  URL:      http://127.0.0.1:{os.environ.get('PORT') or 8000}/admin/",
                    f"  username: {USERNAME}",
                    f"  password: {password}",
                    line,
                ]
            )
        )
