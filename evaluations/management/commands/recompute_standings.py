"""Recompute standings for operators: one stage, or every stale stage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluations.services.recompute import stages_stale, standings_recompute
from programs.models import Stage


class Command(BaseCommand):
    help = (
        "Recompute standings with the same service the background jobs use. Without --stage, "
        "recomputes every stage whose standings are missing or older than its inputs; with "
        "--all, every stage that has participants. Safe to run at any time: unchanged inputs "
        "leave the current snapshot as it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--stage", type=int, help="Id of the stage to recompute.")
        target.add_argument(
            "--all",
            action="store_true",
            help="Check every stage with participants against its inputs themselves.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        explicit = options["stage"] is not None or options["all"]
        if options["stage"] is not None:
            if not Stage.objects.filter(pk=options["stage"]).exists():
                raise CommandError(f"There is no stage with id {options['stage']}.")
            stage_ids = [options["stage"]]
        elif options["all"]:
            stage_ids = list(
                Stage.objects.filter(participations__isnull=False)
                .distinct()
                .order_by("order")
                .values_list("pk", flat=True)
            )
        else:
            stage_ids = list(stages_stale().values_list("pk", flat=True))
        if not stage_ids:
            self.stdout.write("Every stage's standings are up to date.")
            return
        for stage_id in stage_ids:
            stage = Stage.objects.get(pk=stage_id)
            # An operator asking for a stage wants its inputs compared, not the version trusted.
            result = standings_recompute(stage_id=stage_id, force=explicit)
            if result.snapshot_id is None:
                state = "no participants, nothing to compute"
            elif result.changed:
                state = f"new current snapshot {result.snapshot_id}"
            else:
                state = f"unchanged (snapshot {result.snapshot_id})"
            self.stdout.write(f"Stage {stage_id} “{stage.name_en}”: {state}.")
