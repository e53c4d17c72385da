"""Compile every translation catalogue without GNU gettext (see programs/catalogues.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.catalogues import catalogues, compile_catalogue, is_current


class Command(BaseCommand):
    help = (
        "Compile each locale/*/LC_MESSAGES/django.po of the project into its .mo, in pure "
        "Python; only catalogues whose messages changed are rewritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if any .mo is missing or differs from its .po.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        stale = [c for c in catalogues(settings.BASE_DIR) if not is_current(c)]
        names = [str(c.po.relative_to(settings.BASE_DIR)) for c in stale]
        if check:
            if stale:
                raise CommandError(
                    "These catalogues are not compiled or their .mo is stale; run "
                    "`manage.py compile_catalogues`: " + ", ".join(names)
                )
            return
        for catalogue, name in zip(stale, names, strict=True):
            compile_catalogue(catalogue)
            self.stdout.write(f"Compiled {name}")
