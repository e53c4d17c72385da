"""Stage team counts that say what they count: applicants and applicants selected beside the
teams of the program (in, out, after)."""

from django.db import migrations, models

CALL_KINDS = ("call", "additional_call")


def split_applicants_from_teams(apps, schema_editor):
    """Calls stored their applicants in teams_in and the applicants not selected in teams_out
    (the 2026 additional call read "2 → 4"). Move them to the new fields, so that teams_in and
    teams_out count teams of the program: 3 in, 2 applicants, 1 selected, 0 out, 4 after."""
    Stage = apps.get_model("programs", "Stage")
    calls = Stage.objects.filter(
        kind__in=CALL_KINDS, applicants__isnull=True, teams_in__isnull=False
    )
    for stage in calls:
        stage.applicants = stage.teams_in
        stage.applicants_selected = stage.teams_in - (stage.teams_out or 0)
        stage.teams_out = 0
        stage.teams_in = (
            None if stage.teams_after is None else stage.teams_after - stage.applicants_selected
        )
        stage.save(update_fields=["applicants", "applicants_selected", "teams_out", "teams_in"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="stage",
            name="applicants",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams that applied at this stage (calls only).", null=True
            ),
        ),
        migrations.AddField(
            model_name="stage",
            name="applicants_selected",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Applicants who entered the program at this stage.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="stage",
            name="teams_after",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program after the stage.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="stage",
            name="teams_in",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program when the stage began.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="stage",
            name="teams_out",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program that left it at this stage.", null=True
            ),
        ),
        migrations.AddField(
            model_name="historicalstage",
            name="applicants",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams that applied at this stage (calls only).", null=True
            ),
        ),
        migrations.AddField(
            model_name="historicalstage",
            name="applicants_selected",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Applicants who entered the program at this stage.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalstage",
            name="teams_after",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program after the stage.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalstage",
            name="teams_in",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program when the stage began.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalstage",
            name="teams_out",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Teams in the program that left it at this stage.", null=True
            ),
        ),
        migrations.RunPython(split_applicants_from_teams, migrations.RunPython.noop),
    ]
