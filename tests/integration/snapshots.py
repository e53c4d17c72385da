"""Reading back what the worker wrote: the current snapshot of a stage and its totals."""

from __future__ import annotations

from decimal import Decimal

from evaluations.models import StandingsRow, StandingsSnapshot
from programs.models import Stage


def current_snapshot(stage: Stage) -> StandingsSnapshot | None:
    return StandingsSnapshot.objects.filter(stage=stage, is_current=True).first()


def totals(snapshot: StandingsSnapshot) -> dict[str, Decimal | None]:
    """Team slug → total in the snapshot."""
    return dict(
        StandingsRow.objects.filter(snapshot=snapshot).values_list(
            "participation__team__slug", "total"
        )
    )


def snapshot_reflects(stage: Stage, expected: dict[str, Decimal]) -> StandingsSnapshot | None:
    """The current snapshot, once it is up to date with the stage's inputs and shows `expected`."""
    stage.refresh_from_db(fields=["standings_inputs_version"])
    snapshot = current_snapshot(stage)
    if snapshot is None or snapshot.inputs_version != stage.standings_inputs_version:
        return None
    shown = totals(snapshot)
    return snapshot if all(shown.get(team) == total for team, total in expected.items()) else None
