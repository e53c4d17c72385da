"""`make bench`: recompute time for a synthetic stage against the time to merely read its marks.

The quality bar (DESIGN.md): a stage of 1,000 teams × 20 criteria × 10 evaluators (200,000
marks) recomputes in at most 3× the time of reading those rows from the database, in bounded
memory. The bench builds that stage with the shared synthetic generator (`bench/synthetic.py`) in a
throw-away test database (PostgreSQL when DATABASE_URL points at one, else SQLite), then
times, best of a few runs:

1. reading the 200,000 marks with a raw SQL cursor (`fetchall`), the floor nothing can beat;
2. `standings_recompute` end to end (read, compute, write 1,000 rows, swap the current flag);
3. the same recompute again with unchanged inputs (the idempotent path), trusting the stage's
   input version, and forced to read and digest the inputs.

The ORM's read (`values_list(...).iterator()`) is printed too, for reference: its per-row work
costs about twice the raw read, which is why the recompute reads marks with a server-side cursor
of its own on PostgreSQL.

It prints the numbers and the ratio, and exits non-zero when the bar is missed.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TEAMS = int(os.environ.get("BENCH_TEAMS", "1000"))
CRITERIA = int(os.environ.get("BENCH_CRITERIA", "20"))
EVALUATORS = int(os.environ.get("BENCH_EVALUATORS", "10"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SEED = 20260115
MAX_RATIO = Decimal("3")


def best_of(runs: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    from bench.synthetic import synthetic_program_build
    from evaluations.models import Score, StandingsSnapshot
    from evaluations.services.recompute import standings_recompute

    setup_test_environment()
    vendor = connection.vendor
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        program = synthetic_program_build(
            teams=TEAMS, criteria=CRITERIA, evaluators=EVALUATORS, seed=SEED
        )
        stage_id = program.stage_ids[0]
        marks = program.marks
        print(
            f"Database: {vendor}. Built {TEAMS} teams × {CRITERIA} criteria × {EVALUATORS} "
            f"evaluators = {marks:,} marks in {time.perf_counter() - started:.1f} s."
        )

        def read_marks() -> None:
            for _row in (
                Score.objects.filter(participation__stage_id=stage_id)
                .values_list("participation_id", "criterion_id", "evaluator_code", "value")
                .iterator(chunk_size=10_000)
            ):
                pass

        def recompute_fresh() -> None:
            StandingsSnapshot.objects.filter(stage_id=stage_id).delete()
            standings_recompute(stage_id=stage_id)

        def read_marks_raw() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT s.participation_id, s.criterion_id, s.evaluator_code, s.value "
                    "FROM evaluations_score s JOIN evaluations_participation p "
                    "ON p.id = s.participation_id WHERE p.stage_id = %s",
                    [stage_id],
                )
                cursor.fetchall()

        read = best_of(RUNS, read_marks)
        read_raw = best_of(RUNS, read_marks_raw)
        recompute = best_of(RUNS, recompute_fresh)
        unchanged = best_of(RUNS, lambda: standings_recompute(stage_id=stage_id))
        compared = best_of(RUNS, lambda: standings_recompute(stage_id=stage_id, force=True))

        tracemalloc.start()
        recompute_fresh()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        ratio = Decimal(str(recompute / read_raw)).quantize(Decimal("0.01"))
        print(f"Read {marks:,} marks (raw SQL): {read_raw * 1000:8.0f} ms  (the floor)")
        print(f"Read {marks:,} marks (ORM):     {read * 1000:8.0f} ms  (for reference)")
        print(f"Recompute (new snapshot):     {recompute * 1000:8.0f} ms  ({ratio}× the raw read)")
        print(f"Recompute (inputs unchanged): {unchanged * 1000:8.0f} ms  (version check)")
        print(
            f"Recompute (unchanged, forced): {compared * 1000:7.0f} ms  (inputs read and digested)"
        )
        print(
            f"Peak Python memory of one recompute: {peak / 2**20:.0f} MiB "
            f"({peak / marks:.0f} bytes per mark)"
        )
        if ratio > MAX_RATIO:
            print(f"FAIL: recompute takes {ratio}× the raw read; the bar is {MAX_RATIO}×.")
            return 1
        print(f"OK: within {MAX_RATIO}× of the raw read.")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
