"""Recording a participation's decision: one row per participation, changed in place.

A decision is never deleted and recreated: a changed outcome is an update of the same row, so
its history reads "advanced → eliminated, by whom, when, why". Finalizing a stage
(`stage_finalize`) and changing a decision afterwards (`decision_change`, in publication.py)
both write through `decision_record`.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations.models import Decision, Participation
from programs.errors import domain_error_from_validation


def decision_record(
    *,
    participation: Participation,
    user: User | None,
    outcome: str,
    reason_code: str,
    reason_ko: str,
    reason_en: str,
    proposed_outcome: str,
    overrides_proposal: bool,
) -> Decision:
    """Create the participation's decision, or change the one it has; validated, with history.

    Call it inside the caller's transaction (and `records_history` service), which names the
    acting person and the reason in the history.
    """
    decision = Decision.objects.select_for_update().filter(
        participation=participation
    ).first() or Decision(participation=participation)
    values = {
        "outcome": outcome,
        "reason_code": reason_code,
        "reason_ko": reason_ko,
        "reason_en": reason_en,
        "proposed_outcome": proposed_outcome,
        "overrides_proposal": overrides_proposal,
    }
    if decision.pk is not None and all(
        getattr(decision, key) == value for key, value in values.items()
    ):
        return decision  # the same decision again: nothing changes, no history row
    for key, value in values.items():
        setattr(decision, key, value)
    decision.decided_by = user if user is not None and user.pk is not None else None
    if decision.pk is not None:
        # `decided_at` is set on creation only; a changed decision was decided now.
        decision.decided_at = timezone.now()
    try:
        decision.full_clean(exclude=["participation"])
    except ValidationError as error:
        raise domain_error_from_validation(error) from None
    decision.save()
    return decision
