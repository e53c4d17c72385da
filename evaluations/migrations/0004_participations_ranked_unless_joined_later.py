"""Rank every participation whose team was in the program when scoring of its stage began.

Earlier record loads stored the stage-2 participations (and those of the 2025 selection stages)
as `ranked=False`, so the engine proposed "joined later; not ranked" for teams that had been in
the program all along. `Participation.clean` now refuses that; this fixes rows already stored.
The rule is the one in `Participation._check_unranked`: unranked only when the stage is past
planning and the team joined at a later stage. Published payloads are frozen and stay as they are.
"""

from django.db import migrations
from django.db.models import F, Q


def rank_teams_that_were_there(apps, schema_editor):
    Participation = apps.get_model("evaluations", "Participation")
    Stage = apps.get_model("programs", "Stage")
    wrong = Participation.objects.filter(ranked=False).filter(
        Q(stage__status="planned") | Q(team__joined_stage__order__lte=F("stage__order"))
    )
    stage_ids = set(wrong.values_list("stage_id", flat=True))
    wrong.update(ranked=True)
    # The stored standings of those stages no longer match their inputs: mark them stale so the
    # next recompute (or standings_reconcile) does not take the old snapshot as current.
    Stage.objects.filter(pk__in=stage_ids).update(
        standings_inputs_version=F("standings_inputs_version") + 1
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_statistic_constraints"),
        ("programs", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rank_teams_that_were_there, migrations.RunPython.noop),
    ]
