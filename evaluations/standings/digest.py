"""A fingerprint of a stage's inputs, so an unchanged stage is never recomputed.

Concepts
--------
*Input digest*: the SHA-256 (hex) of a canonical text of everything that can change a result:
the engine version, the criteria, the teams, every mark, the gate results, the gates in use and
the rule. Two inputs that mean the same get the same digest:

* order does not matter: criteria, teams, marks, gate results and gate codes are sorted (marks
  as a multiset, so a duplicated mark still changes the digest); only the tie-break chain keeps
  its order, because its order changes the ranking;
* numbers are normalised, so Decimal("9.2") and Decimal("9.20") are the same number;
* each item is written with `repr` of a tuple of strings, which cannot be confused with another
  item whatever characters the codes contain.

The digest does not validate anything; a stage whose inputs are invalid still has a digest.
Including `ENGINE_VERSION` means a new engine forces a recompute of unchanged inputs.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, localcontext

from evaluations.standings.aggregation import ENGINE_CONTEXT
from evaluations.standings.types import ENGINE_VERSION, StageInput


def _number(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal) and value.is_finite():
        if value.is_zero():
            return "0"  # 0, 0.00 and -0 are one number
        return format(value.normalize(), "f")
    return repr(value)


def _text(stage: StageInput) -> str:
    rule = stage.rule
    criteria = sorted(
        repr(
            (
                spec.code,
                _number(spec.max_points),
                str(spec.aggregation),
                spec.parent,
                _number(spec.target),
                None if spec.teams is None else sorted(spec.teams),
                spec.order,
            )
        )
        for spec in stage.criteria
    )
    teams = sorted(repr((entry.code, bool(entry.ranked))) for entry in stage.teams)
    marks = sorted(
        repr((mark.team, mark.criterion, mark.evaluator, _number(mark.value)))
        for mark in stage.marks
    )
    gates = sorted(repr((mark.team, mark.gate, mark.passed)) for mark in stage.gates)
    head = repr(
        (
            "engine",
            ENGINE_VERSION,
            "rule",
            str(rule.kind),
            rule.count,
            _number(rule.threshold),
            list(rule.tie_break),
            "gate_codes",
            sorted(set(stage.gate_codes)),
        )
    )
    sections = [
        head,
        f"criteria {len(criteria)}",
        *criteria,
        f"teams {len(teams)}",
        *teams,
        f"marks {len(marks)}",
        *marks,
        f"gates {len(gates)}",
        *gates,
    ]
    return "\n".join(sections)


def input_digest(stage: StageInput) -> str:
    """SHA-256 hex of the canonical, order-independent text of the stage's inputs."""
    with localcontext(ENGINE_CONTEXT):
        text = _text(stage)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
