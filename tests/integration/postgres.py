"""Looking at PostgreSQL from the outside: who waits for a lock, and which backends are alive."""

from __future__ import annotations

from django.db import connection

SNAPSHOT_TABLE = "evaluations_standingssnapshot"


def backends_waiting_for_lock(*, blocked_by: int | None = None) -> list[int]:
    """Backend pids of the test database waiting for a lock (held by `blocked_by`, if given)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND (%s::int IS NULL OR %s::int = ANY(pg_blocking_pids(pid)))"
            " ORDER BY pid",
            [blocked_by, blocked_by],
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None
