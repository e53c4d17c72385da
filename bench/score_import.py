"""`make bench` (part): importing 10,000 marks from a CSV, checked and applied as one job.

Builds a synthetic stage of 500 teams × 20 criteria with points entered directly (no marks
yet) in a throw-away test database (PostgreSQL when DATABASE_URL points at one), then times
and counts the queries of:

1. the check of a 10,000-row CP949 CSV (parse, every rule, the plan);
2. applying it (one transaction: 10,000 new scores);
3. the same file uploaded again (nothing changes);
4. a second file changing every value (10,000 updates, versions checked and bumped).
"""

from __future__ import annotations

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

TEAMS = int(os.environ.get("BENCH_IMPORT_TEAMS", "500"))
CRITERIA = int(os.environ.get("BENCH_IMPORT_CRITERIA", "20"))


def timed(label: str, action):  # type: ignore[no-untyped-def]
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        result = profile.runcall(action)
        print(label)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return result
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s, {len(queries)} queries")
    return result


def main() -> int:
    from django.contrib.auth.models import Group, User

    from bench.synthetic import synthetic_program_build
    from evaluations.models import Participation, Score, ScoreImport
    from evaluations.services import imports
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

        def csv_bytes(shift: int) -> bytes:
            lines = ["팀,평가항목,평가위원,점수"]
            for number, team in enumerate(teams):
                for name, maximum in criteria:
                    lines.append(f"{team},{name},,{(number + shift) % int(maximum)}")
            return ("\r\n".join(lines) + "\r\n").encode("cp949")

        first = csv_bytes(0)
        rows = len(teams) * len(criteria)
        print(f"Database: {connection.vendor}. {rows:,} rows, {len(first) / 1024:.0f} KiB (CP949).")

        def receive(content: bytes) -> ScoreImport:
            score_import = imports.score_import_receive(
                stage_id=stage.pk, user=clerk, filename="bench.csv", content=content
            )
            # Large files are checked by the job; run its body here, as the worker would.
            return imports.score_import_run(import_id=score_import.pk)

        def apply(score_import: ScoreImport) -> ScoreImport:
            queued = imports.score_import_apply(import_id=score_import.pk, user=clerk)
            return imports.score_import_run(import_id=queued.pk)

        checked = timed("check 10,000 new rows", lambda: receive(first))
        assert checked.status == ScoreImport.Status.READY, checked.problems[:3]
        applied = timed("apply 10,000 new rows", lambda: apply(checked))
        assert applied.status == ScoreImport.Status.APPLIED
        again = timed("the same file again", lambda: receive(first))
        assert again.pk == applied.pk and Score.objects.filter(version=1).count() == rows
        changed = timed("check 10,000 changed rows", lambda: receive(csv_bytes(1)))
        assert changed.rows_updated == rows
        timed("apply 10,000 changed rows", lambda: apply(changed))
        assert Score.objects.filter(version=2).count() == rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
