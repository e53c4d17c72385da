"""Changes to a stage's rules (criteria, gates) made outside the score services, e.g. the admin."""

from __future__ import annotations

from django.db import transaction

from evaluations.models import Participation, Score
from evaluations.services.recompute import stage_inputs_changed
from programs.models import Criterion


def stage_rules_changed(*, stage_id: int | None) -> None:
    """Recompute the stage's standings after its rules changed (if anyone takes part in it)."""
    if stage_id is not None and Participation.objects.filter(stage_id=stage_id).exists():
        stage_inputs_changed(stage_id=stage_id)


@transaction.atomic
def criterion_saved(*, criterion: Criterion) -> None:
    """Keep each score's stored ceiling equal to its criterion's, then recompute.

    The database refuses a score above `value_max`, so the ceiling must follow the criterion:
    normalised criteria (a target) and undisclosed maxima have none.
    """
    ceiling = None if criterion.target is not None else criterion.max_points
    Score.objects.filter(criterion=criterion).exclude(value_max=ceiling).update(value_max=ceiling)
    if ceiling is None:
        Score.objects.filter(criterion=criterion, value_max__isnull=False).update(value_max=None)
    stage_rules_changed(stage_id=criterion.stage_id)
