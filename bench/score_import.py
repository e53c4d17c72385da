"""`make bench` (part): data entry. Saving a whole grid row, and importing 10,000 marks.

Builds a synthetic stage of 500 teams × 20 criteria with points entered directly (no marks
yet) in a throw-away test database (PostgreSQL when DATABASE_URL points at one), then gives the
time, the queries and the peak memory of:

1. saving one team's whole row of 20 marks in the grid's service (new marks, then all changed);
2. the check of a 10,000-row XLSX workbook (parse, every rule, the plan);
3. applying it (one transaction: 10,000 new scores);
4. the same file uploaded again (nothing changes);
5. a CP949 CSV changing every value (10,000 updates, versions checked and bumped).

Peak memory is the growth of the process's resident high-water mark during the step (memory
Python freed earlier and reuses does not show). Queries are counted with an execute wrapper:
Django's own query log keeps only the last 9,000 queries, and the synthetic build fills it
before anything is measured.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import django
import openpyxl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TEAMS = int(os.environ.get("BENCH_IMPORT_TEAMS", "500"))
CRITERIA = int(os.environ.get("BENCH_IMPORT_CRITERIA", "20"))
T = TypeVar("T")


class QueryCounter:
    """Counts the statements sent to the database while installed (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def timed(label: str, action: Callable[[], T]) -> T:
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        result = profile.runcall(action)
        print(label)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return result
    counter = QueryCounter()
    before = peak_rss_reset()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    growth = max(0, memory_kib("VmHWM") - before) / 1024
    print(f"| {label} | {seconds:.2f} s | {counter.count} | +{growth:.0f} MiB |", flush=True)
    return result


def memory_kib(field: str) -> int:
    """A figure of /proc/self/status in KiB (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_reset() -> int:
    """Reset the process's peak resident memory to its current size; return that size (KiB).

    tracemalloc would give Python's own peak but makes allocation-heavy code several times
    slower, which would distort the times printed beside it; the kernel's high-water mark
    costs nothing (writing 5 to clear_refs resets it, Linux 4.0 and later).
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return memory_kib("VmRSS")


def main() -> int:
    from django.contrib.auth.models import Group, User

    from bench.synthetic import synthetic_program_build
    from evaluations.models import Participation, Score, ScoreImport
    from evaluations.services import imports
    from evaluations.services.score_entry import MarkEntry, scores_save_row
    from programs.models import Criterion, Stage

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        program = synthetic_program_build(teams=TEAMS, criteria=CRITERIA, evaluators=0, seed=7)
        stage = Stage.objects.get(pk=program.stage_ids[0])
        Score.objects.filter(participation__stage=stage).delete()
        clerk = User.objects.create(username="bench-clerk")
        clerk.groups.add(Group.objects.get(name="clerk"))
        teams = list(
            Participation.objects.filter(stage=stage).values_list("team__name_ko", flat=True)
        )
        criteria = list(Criterion.objects.filter(stage=stage).values_list("name_ko", "max_points"))
        leaves = list(
            Criterion.objects.filter(stage=stage, children__isnull=True).values_list(
                "pk", "max_points"
            )
        )
        row_team = Participation.objects.filter(stage=stage).order_by("pk").last()
        assert row_team is not None

        def save_row(shift: int) -> list[Score]:
            current = {
                s.criterion_id: s.version
                for s in Score.objects.filter(participation=row_team, evaluator_code="")
            }
            entries = [
                MarkEntry(
                    criterion_id=pk,
                    value=Decimal((shift + 1) % int(maximum)),
                    expected_version=current.get(pk),
                )
                for pk, maximum in leaves
            ]
            return scores_save_row(participation_id=row_team.pk, entries=entries, user=clerk)

        # The standings recompute a save queues runs in the worker, after the request: here,
        # with no broker, it would run eagerly inside the timing, so the commit is held back
        # until the timing is done (the outer atomic block).
        print(
            f"Database: {connection.vendor}. A stage of {len(teams):,} teams × "
            f"{len(criteria)} criteria. The import: {len(teams) * len(criteria):,} rows, first as "
            "an XLSX workbook, then as a CP949 CSV changing every value.\n"
        )
        print("| step | time | queries | peak memory |")
        print("|---|---:|---:|---:|")
        for label, shift in (
            (f"save a grid row of {len(leaves)} new marks", 0),
            (f"save the same grid row, all {len(leaves)} marks changed", 1),
        ):
            with transaction.atomic():
                timed(label, lambda shift=shift: save_row(shift))
        Score.objects.filter(participation=row_team).delete()

        def marks(shift: int) -> list[tuple[str, str, str, int]]:
            return [
                (team, name, "", (number + shift) % int(maximum))
                for number, team in enumerate(teams)
                for name, maximum in criteria
            ]

        def csv_bytes(shift: int) -> bytes:
            lines = ["팀,평가항목,평가위원,점수"]
            lines += [f"{t},{c},{e},{v}" for t, c, e, v in marks(shift)]
            return ("\r\n".join(lines) + "\r\n").encode("cp949")

        def xlsx_bytes(shift: int) -> bytes:
            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet("점수")
            sheet.append(["팀", "평가항목", "평가위원", "점수"])
            for row in marks(shift):
                sheet.append(list(row))
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()

        first = xlsx_bytes(0)
        rows = len(teams) * len(criteria)
        label_size = f"{len(first) / 1024:.0f} KiB"

        def receive(content: bytes) -> ScoreImport:
            score_import = imports.score_import_receive(
                stage_id=stage.pk,
                user=clerk,
                filename="bench.xlsx" if content[:2] == b"PK" else "bench.csv",
                content=content,
            )
            # Large files are checked by the job; run its body here, as the worker would.
            return imports.score_import_run(import_id=score_import.pk)

        def apply(score_import: ScoreImport) -> ScoreImport:
            queued = imports.score_import_apply(import_id=score_import.pk, user=clerk)
            return imports.score_import_run(import_id=queued.pk)

        checked = timed(f"check {rows:,} new rows (XLSX, {label_size})", lambda: receive(first))
        assert checked.status == ScoreImport.Status.READY, checked.problems[:3]
        applied = timed(f"apply {rows:,} new rows", lambda: apply(checked))
        assert applied.status == ScoreImport.Status.APPLIED
        again = timed("the same file again", lambda: receive(first))
        assert again.pk == applied.pk and Score.objects.filter(version=1).count() == rows
        changed = timed(f"check {rows:,} changed rows (CSV)", lambda: receive(csv_bytes(1)))
        assert changed.rows_updated == rows
        timed(f"apply {rows:,} changed rows", lambda: apply(changed))
        assert Score.objects.filter(version=2).count() == rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        "\n*peak memory*: growth of the process's resident high-water mark during the step. "
        "The grid-row saves leave the recompute they queue to the worker, as in production."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
