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
* everything is written with `repr` of lists and tuples of strings, which cannot be confused
  with other content whatever characters the codes contain.

The digest does not validate values; a stage with invalid numbers still has a digest (the codes
must be strings, as the types say).
Including `ENGINE_VERSION` means a new engine forces a recompute of unchanged inputs.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, localcontext

from evaluations.standings.aggregation import ENGINE_CONTEXT
from evaluations.standings.types import ENGINE_VERSION, StageInput


class _Numbers:
    """Canonical text of numbers, remembered per value: a stage repeats few distinct marks.

    Equal Decimals hash alike, so 9.2 and 9.20 share one entry and one text. Anything that is
    not a finite Decimal is written with its type, so it can never pass for a valid number.
    """

    def __init__(self) -> None:
        self._known: dict[Decimal, str] = {}

    def __call__(self, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, Decimal) and value.is_finite():
            text = self._known.get(value)
            if text is None:
                # 0, 0.00 and -0 are one number; normalize() would keep the sign of -0.
                text = "0" if value.is_zero() else format(value.normalize(), "f")
                self._known[value] = text
            return text
        return f"{type(value).__name__}:{value!r}"


def _text(stage: StageInput) -> str:
    number = _Numbers()
    rule = stage.rule
    criteria = sorted(
        (
            spec.code,
            number(spec.max_points) or "",
            str(spec.aggregation),
            spec.parent or "",
            number(spec.target) or "",
            "" if spec.teams is None else repr(sorted(spec.teams)),
            spec.order,
        )
        for spec in stage.criteria
    )
    teams = sorted((entry.code, bool(entry.ranked)) for entry in stage.teams)
    # Tuples of strings sort in C and the whole list is written by one repr() call, which keeps
    # 200,000 marks fast. None (not disclosed) becomes "-", which no canonical number can be.
    marks = sorted(
        (mark.team, mark.criterion, mark.evaluator, number(mark.value) or "-")
        for mark in stage.marks
    )
    gates = sorted(
        (mark.team, mark.gate, {True: "passed", False: "failed"}.get(mark.passed, "pending"))
        for mark in stage.gates
    )
    head = (
        "engine",
        ENGINE_VERSION,
        "rule",
        str(rule.kind),
        rule.count,
        number(rule.threshold),
        list(rule.tie_break),
        "gate_codes",
        sorted(set(stage.gate_codes)),
    )
    return repr([head, criteria, teams, marks, gates])


def input_digest(stage: StageInput) -> str:
    """SHA-256 hex of the canonical, order-independent text of the stage's inputs."""
    with localcontext(ENGINE_CONTEXT):
        text = _text(stage)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
