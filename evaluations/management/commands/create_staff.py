"""Create (or update) a staff account in one of the three roles."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from evaluations.roles import Role

PASSWORD_ENV = "STAFF_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account in one role: admin (runs stages, decisions and publications), "
        "clerk (enters scores and gate results) or verifier (confirms what a clerk entered). "
        f"The password comes from the {PASSWORD_ENV} environment variable or, at a terminal, "
        "is asked twice. It must pass the project's password validators. An existing username "
        "is refused unless --update is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Login name of the staff member.")
        parser.add_argument(
            "--role",
            required=True,
            choices=[role.value for role in Role],
            help="The staff role; the account is put in the group of the same name.",
        )
        parser.add_argument("--email", default=None, help="Email address (optional).")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Update an existing account: set its role, email and password.",
        )
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="With --update: leave the current password as it is.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        role = Role(options["role"])
        update: bool = options["update"]
        keep_password: bool = options["keep_password"]
        if not username:
            raise CommandError("The username cannot be empty.")
        if keep_password and not update:
            raise CommandError("--keep-password only makes sense with --update.")

        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is not None and not update:
            raise CommandError(
                f"A user named {username!r} already exists. Use --update to change it."
            )
        if user is None and update:
            raise CommandError(f"There is no user named {username!r} to update.")
        group = Group.objects.filter(name=role.value).first()
        if group is None:
            raise CommandError(
                f"The {role.value!r} group does not exist. Run `python manage.py migrate` first."
            )

        creating = user is None
        if user is None:
            user = User(**{User.USERNAME_FIELD: username})
        if options["email"] is not None:
            user.email = options["email"]
        user.is_staff = True
        user.is_active = True
        # Roles are groups; nobody made here bypasses them as a superuser.
        user.is_superuser = False
        if not keep_password:
            password = self._read_password()
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)

        with transaction.atomic():
            user.save()
            user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
            user.groups.add(group)

        verb = "Created" if creating else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff user {username!r} with role {role}."))

    def _read_password(self) -> str:
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password given: set the {PASSWORD_ENV} environment variable, or run the "
                "command at a terminal to type it."
            )
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("The two passwords do not match; nothing was changed.")
        if not first:
            raise CommandError("The password cannot be empty; nothing was changed.")
        return first
