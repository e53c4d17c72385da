"""The elimination rule of a stage."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluations.services.setup._common import (
    UNSET,
    changed_values,
    given_values,
    recompute_unless_planned,
    require_admin,
    require_late_change_allowed,
    stage_locked,
    validate,
)
from programs.errors import DomainError
from programs.history import records_history
from programs.models import Criterion, Stage

# --- The elimination rule ------------------------------------------------------------------


@records_history("reason")
def stage_rules_update(
    *,
    stage_id: int,
    user: User,
    elimination_rule: str = UNSET,
    rule_count: int | None = UNSET,
    rule_threshold: Decimal | None = UNSET,
    tie_break: list[str] = UNSET,
    reason: str = "",
) -> Stage:
    """Set how the stage eliminates teams: the rule, its count or threshold, the tie-break.

    Free while planned; later only with a reason (see the module docstring).
    """
    require_admin(user)
    values = given_values(
        {
            "elimination_rule": elimination_rule,
            "rule_count": rule_count,
            "rule_threshold": rule_threshold,
            "tie_break": tie_break,
        }
    )
    if "elimination_rule" in values:
        rule = values["elimination_rule"]
        if rule not in Stage.Rule.values:
            raise DomainError(_("Choose one of the elimination rules."), field="elimination_rule")
        # A count or threshold belongs to the rule that uses it; another rule clears it.
        if rule not in (Stage.Rule.ELIMINATE_LOWEST, Stage.Rule.KEEP_TOP):
            values["rule_count"] = None
        if rule != Stage.Rule.THRESHOLD:
            values["rule_threshold"] = None
    with transaction.atomic():
        stage = stage_locked(stage_id)
        changed = changed_values(stage, values)
        if not changed:
            return stage
        require_late_change_allowed(
            stage, reason=reason, field=next(iter(changed)), what=_("elimination rule")
        )
        if "tie_break" in changed:
            codes = set(Criterion.objects.filter(stage=stage).values_list("code", flat=True))
            unknown = [code for code in changed["tie_break"] if code not in codes]
            if unknown:
                raise DomainError(
                    _("The tie-break names criteria this stage does not have: %(codes)s."),
                    field="tie_break",
                    params={"codes": ", ".join(unknown)},
                )
        for field, value in changed.items():
            setattr(stage, field, value)
        validate(stage, exclude=["program"])
        stage.save(update_fields=list(changed))
        recompute_unless_planned(stage)
        return stage
