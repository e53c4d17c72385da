"""Load the program's real record (stages, teams, models, published results) from the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluations.record.loader import RECORD_PATH, program_record_load
from programs.errors import DomainError


class Command(BaseCommand):
    help = (
        "Load the program's public record (program, stages, criteria, gates, milestones, teams "
        "with their consortium members, models, published benchmark numbers and published "
        "stage results, each with its sources) from evaluations/record/program_record.yaml. "
        "Running it again changes nothing. Rows that staff have edited since the last load are "
        "kept and listed; pass --force to overwrite them with the record's values. Nothing is "
        "saved if the file has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=RECORD_PATH,
            help="Record file to load (default: the record shipped with the project).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite rows that differ from the record (staff edits are lost).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = program_record_load(path=options["file"], force=options["force"])
        except DomainError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
