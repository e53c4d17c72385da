"""The team counts of a stage must add up (after = in − out + applicants selected); added after
0002 has moved the calls' applicant counts, in a transaction of their own."""

import django.db.models.expressions
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_stage_applicant_counts"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="stage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("applicants_selected__isnull", True),
                    ("applicants__isnull", True),
                    ("applicants_selected__lte", models.F("applicants")),
                    _connector="OR",
                ),
                name="stage_selected_within_applicants",
                violation_error_message="More applicants selected than applied.",
            ),
        ),
        migrations.AddConstraint(
            model_name="stage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("teams_in__isnull", True),
                    ("teams_out__isnull", True),
                    ("teams_after__isnull", True),
                    (
                        "teams_after",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                models.F("teams_in"), "-", models.F("teams_out")
                            ),
                            "+",
                            django.db.models.functions.comparison.Coalesce(
                                "applicants_selected", models.Value(0)
                            ),
                        ),
                    ),
                    _connector="OR",
                ),
                name="stage_team_counts_add_up",
                violation_error_message="The team counts do not add up: teams after must be teams in, minus teams out, plus applicants selected.",
            ),
        ),
    ]
