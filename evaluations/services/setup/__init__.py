"""Setting up a stage: its criteria, gates, elimination rule and participations.

What the staff "stage setup" screen and the admin call. The rules:

- Criteria, gates and the elimination rule belong to an administrator. Their structure (adding
  or removing a criterion or gate, a criterion's code, parent, aggregation, or whether it is a
  team's own) is set while the stage is planned and fixed once scoring begins, since marks are
  entered against it.
- Weights (a criterion's maximum points or normalisation target) and the elimination rule are
  also set while the stage is planned. Later, an administrator may still change them, with a
  reason that stays in the history (e.g. the ministry corrected a published weight); scores keep
  their stored ceilings in step and the standings are recomputed.
- Names, descriptions, display order and sources may be corrected at any time.
- Participations (which team takes part, the models it submitted, its own criteria, whether it
  is ranked) are kept by clerks and administrators while the stage is planned or in scoring, by
  an administrator also after publication (to publish a correction). A participation with marks
  or gate results cannot be removed; remove those first.

Every write validates with `full_clean()`, runs in one transaction, leaves history naming the
person (and the reason where one is given) and, where standings inputs change on a stage past
planning, recomputes them once the transaction commits.
"""

from evaluations.services.setup._common import (
    CRITERION_STRUCTURE,
    CRITERION_TEXT,
    CRITERION_WEIGHT,
    GATE_STRUCTURE,
    GATE_TEXT,
    LATE_CHANGE_STATUSES,
    PARTICIPATION_STATUSES,
    SETUP_STATUSES,
    STAGE_RULE,
    UNSET,
)
from evaluations.services.setup.criteria import (
    criteria_max_points_update,
    criterion_create,
    criterion_delete,
    criterion_update,
    gate_create,
    gate_delete,
    gate_update,
    parse_max_points,
)
from evaluations.services.setup.participations import (
    participation_create,
    participation_delete,
    participation_update,
)
from evaluations.services.setup.rules import stage_rules_update

__all__ = [
    "CRITERION_STRUCTURE",
    "CRITERION_TEXT",
    "CRITERION_WEIGHT",
    "GATE_STRUCTURE",
    "GATE_TEXT",
    "LATE_CHANGE_STATUSES",
    "PARTICIPATION_STATUSES",
    "SETUP_STATUSES",
    "STAGE_RULE",
    "UNSET",
    "criteria_max_points_update",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "gate_create",
    "gate_delete",
    "gate_update",
    "parse_max_points",
    "participation_create",
    "participation_delete",
    "participation_update",
    "stage_rules_update",
]
