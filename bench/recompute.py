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

Then one more recompute under tracemalloc gives the peak Python memory (tracemalloc slows the
code it watches, so that run is not timed).

Targets, checked at the largest two sizes: the recompute at most 3× the raw read at the largest;
time per mark and memory per mark at the largest at most 1.5× those at the next size (linear
growth; the smallest size is printed but is all fixed costs). It prints a table and exits
non-zero when a target is missed.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_TEAMS", "5,100,1000").split(",")]
CRITERIA = int(os.environ.get("BENCH_CRITERIA", "20"))
EVALUATORS = int(os.environ.get("BENCH_EVALUATORS", "10"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SEED = 20260115
MAX_RATIO = Decimal("3")
MAX_GROWTH = Decimal("1.5")  # per-mark time and memory, largest size against the next one


@dataclass(frozen=True)
class Measured:
    teams: int
    marks: int
    read_raw: float
    read_orm: float
    recompute: float
    unchanged: float
    forced: float
    peak_bytes: int

    @property
    def ratio(self) -> Decimal:
        return Decimal(str(self.recompute / self.read_raw)).quantize(Decimal("0.01"))

    @property
    def microseconds_per_mark(self) -> float:
        return self.recompute / self.marks * 1e6

    @property
    def bytes_per_mark(self) -> float:
        return self.peak_bytes / self.marks


def best_of(runs: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def measure(teams: int) -> Measured:
    """Build a stage of `teams` teams in a fresh test database and time its recompute."""
    from bench.synthetic import synthetic_program_build
    from evaluations.models import Score, StandingsSnapshot
    from evaluations.services.recompute import standings_recompute

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        program = synthetic_program_build(
            teams=teams, criteria=CRITERIA, evaluators=EVALUATORS, seed=SEED
        )
        stage_id = program.stage_ids[0]

        def read_marks() -> None:
            for _row in (
                Score.objects.filter(participation__stage_id=stage_id)
                .values_list("participation_id", "criterion_id", "evaluator_code", "value")
                .iterator(chunk_size=10_000)
            ):
                pass

        def recompute_fresh() -> float:
            """Seconds of one recompute with no snapshot to reuse. Deleting the earlier ones is
            not part of a recompute, so it is left out of the time."""
            StandingsSnapshot.objects.filter(stage_id=stage_id).delete()
            started = time.perf_counter()
            standings_recompute(stage_id=stage_id)
            return time.perf_counter() - started

        def read_marks_raw() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT s.participation_id, s.criterion_id, s.evaluator_code, s.value "
                    "FROM evaluations_score s JOIN evaluations_participation p "
                    "ON p.id = s.participation_id WHERE p.stage_id = %s",
                    [stage_id],
                )
                cursor.fetchall()

        # Interleaved, so a burst of load elsewhere on the machine hits floor and figure alike.
        read_raw = read_orm = recompute = float("inf")
        for _ in range(RUNS):
            read_raw = min(read_raw, best_of(1, read_marks_raw))
            recompute = min(recompute, recompute_fresh())
            read_orm = min(read_orm, best_of(1, read_marks))
        unchanged = best_of(RUNS, lambda: standings_recompute(stage_id=stage_id))
        forced = best_of(RUNS, lambda: standings_recompute(stage_id=stage_id, force=True))
        tracemalloc.start()
        recompute_fresh()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return Measured(
            teams, program.marks, read_raw, read_orm, recompute, unchanged, forced, peak
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> int:
    setup_test_environment()
    print(
        f"Database: {connection.vendor}. Each stage: {CRITERIA} criteria × {EVALUATORS} "
        f"evaluators per team; best of {RUNS} runs."
    )
    print()
    print(
        "| teams | marks | raw read (floor) | ORM read | recompute | ratio | µs per mark "
        "| unchanged | forced | peak memory | bytes per mark |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for teams in SIZES:
        m = measure(teams)
        results.append(m)
        print(
            f"| {m.teams:,} | {m.marks:,} | {m.read_raw * 1000:.0f} ms "
            f"| {m.read_orm * 1000:.0f} ms "
            f"| {m.recompute * 1000:.0f} ms | **{m.ratio}×** | {m.microseconds_per_mark:.2f} "
            f"| {m.unchanged * 1000:.0f} ms | {m.forced * 1000:.0f} ms "
            f"| {m.peak_bytes / 2**20:.1f} MiB | {m.bytes_per_mark:.0f} |",
            flush=True,
        )
    print()
    print(
        "*unchanged*: inputs unchanged, the stage's input version says so; *forced*: inputs "
        "unchanged, read and digested anyway; *peak memory*: Python's, during one recompute."
    )
    print()
    failures = []
    largest = results[-1]
    if largest.ratio > MAX_RATIO:
        failures.append(
            f"at {largest.teams:,} teams the recompute takes {largest.ratio}× the raw read; "
            f"the target is {MAX_RATIO}×"
        )
    if len(results) >= 2:
        previous = results[-2]
        time_growth = Decimal(
            str(largest.microseconds_per_mark / previous.microseconds_per_mark)
        ).quantize(Decimal("0.01"))
        memory_growth = Decimal(str(largest.bytes_per_mark / previous.bytes_per_mark)).quantize(
            Decimal("0.01")
        )
        print(
            f"Growth from {previous.teams:,} to {largest.teams:,} teams: time per mark "
            f"{time_growth}×, memory per mark {memory_growth}× (target: at most {MAX_GROWTH}×)."
        )
        if time_growth > MAX_GROWTH:
            failures.append(f"time per mark grows {time_growth}× (more than linear)")
        if memory_growth > MAX_GROWTH:
            failures.append(f"memory per mark grows {memory_growth}× (more than linear)")
    for failure in failures:
        print(f"FAIL: {failure}.")
    if not failures:
        print(f"OK: within {MAX_RATIO}× of the raw read at {largest.teams:,} teams, linear growth.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
