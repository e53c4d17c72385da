"""A stage's setup services (criteria, gates, rules, participations) live in `setup.py`.

Kept so that code written against the first `criterion_update` keeps importing it from here.
"""

from __future__ import annotations

from evaluations.services.setup import criterion_update

__all__ = ["criterion_update"]
