"""Create, show or revoke a staff member's API token (administrators only run this)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from evaluations.roles import user_roles


class Command(BaseCommand):
    help = "Create (or rotate with --rotate) or revoke (--revoke) a staff member's API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--revoke", action="store_true", help="Delete the token.")
        group.add_argument("--rotate", action="store_true", help="Replace it with a new one.")

    def handle(self, *args: Any, username: str, revoke: bool, rotate: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if revoke:
            deleted, _ = Token.objects.filter(user=user).delete()
            self.stdout.write(f"Token of {username} revoked." if deleted else "No token to revoke.")
            return
        if not user_roles(user):
            raise CommandError(f"{username} has no staff role; give one first (create_staff).")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
