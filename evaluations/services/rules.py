"""A stage's setup services (criteria, gates, rules, participations) live in `setup/`.

Kept so that callers written against the first versions (the staff setup screen) keep importing
them from here; there is one service for each, in `evaluations.services.setup`.
"""

from __future__ import annotations

from evaluations.services.setup import criterion_update, stage_rules_update

# The staff setup screen's name for the same service.
stage_rule_update = stage_rules_update

__all__ = ["criterion_update", "stage_rule_update", "stage_rules_update"]
