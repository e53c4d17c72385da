"""Criteria and gates of a stage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluations.models import GateResult, Score
from evaluations.roles import Role, user_has_role
from evaluations.services.setup._common import (
    CRITERION_STRUCTURE,
    CRITERION_WEIGHT,
    GATE_STRUCTURE,
    MAX_POINTS_LIMIT,
    MAX_POINTS_PLACES,
    UNSET,
    changed_values,
    given_values,
    recompute_unless_planned,
    require_admin,
    require_late_change_allowed,
    require_planned,
    require_unused_code,
    sources_by_id,
    stage_locked,
    validate,
)
from programs.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    domain_error_from_validation,
    validation_text,
)
from programs.history import history_record_update, records_history
from programs.models import Criterion, Gate
from programs.numbers import decimal_text

# --- Criteria ------------------------------------------------------------------------------


def parse_max_points(raw: Decimal | str | int | None, *, field: str = "max_points") -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value > MAX_POINTS_LIMIT:
        raise DomainError(
            _("Enter the maximum points as a number above 0 and at most %(limit)s."),
            code="invalid_max_points",
            field=field,
            params={"value": raw, "limit": decimal_text(MAX_POINTS_LIMIT)},
        )
    if value.as_tuple().exponent < -MAX_POINTS_PLACES:  # type: ignore[operator]
        raise DomainError(
            _("Enter the maximum points with at most %(places)s decimal places."),
            code="invalid_max_points",
            field=field,
            params={"value": raw, "places": MAX_POINTS_PLACES},
        )
    return value


def _parse_optional_points(raw: Any, *, field: str) -> Decimal | None:
    # None: "not disclosed" (no weight, or no normalisation target).
    if raw is None:
        return None
    return parse_max_points(raw, field=field)


def _criterion_clean(criterion: Criterion) -> None:
    require_unused_code(criterion)
    try:
        criterion.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        above = getattr(error, "error_dict", {}).get("max_points")
        if above:
            # The criterion's own check: marks already entered above the new maximum.
            raise DomainError(
                _("“%(criterion)s”: %(problem)s"),
                code="invalid_max_points",
                field="max_points",
                params={"criterion": criterion.code, "problem": validation_text(above)},
            ) from None
        raise domain_error_from_validation(error) from None


def _score_ceilings_follow(criterion: Criterion) -> None:
    """Keep each score's stored ceiling equal to its criterion's (the database checks it).

    Normalised criteria (a target) and undisclosed maxima have none. Each score whose ceiling
    moves gets a history record.
    """
    ceiling = None if criterion.target is not None else criterion.max_points
    stale = Score.objects.filter(criterion=criterion)
    stale = (
        stale.filter(value_max__isnull=False)
        if ceiling is None
        else stale.exclude(value_max=ceiling)
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        Score.objects.filter(pk__in=ids).update(value_max=ceiling)
        history_record_update(Score, ids)


@records_history("reason")
def criterion_create(
    *,
    stage_id: int,
    user: User,
    code: str,
    name_ko: str,
    name_en: str,
    max_points: Decimal | str | int | None = None,
    aggregation: str = Criterion.Aggregation.DIRECT,
    parent_id: int | None = None,
    target: Decimal | str | int | None = None,
    is_individual: bool = False,
    order: int = 0,
    description_ko: str = "",
    description_en: str = "",
    source_ids: Iterable[int] = (),
    reason: str = "",
) -> Criterion:
    """Add a criterion to a planned stage."""
    require_admin(user)
    with transaction.atomic():
        stage = stage_locked(stage_id)
        require_planned(stage, field=None, what=_("list of criteria"))
        criterion = Criterion(
            stage=stage,
            code=(code or "").strip(),
            name_ko=(name_ko or "").strip(),
            name_en=(name_en or "").strip(),
            max_points=_parse_optional_points(max_points, field="max_points"),
            aggregation=aggregation,
            parent_id=parent_id,
            target=_parse_optional_points(target, field="target"),
            is_individual=is_individual,
            order=order,
            description_ko=description_ko,
            description_en=description_en,
        )
        _criterion_clean(criterion)
        criterion.save()
        if source_ids:
            criterion.sources.set(sources_by_id(source_ids))
        return criterion


@records_history("reason")
def criterion_update(
    *,
    criterion_id: int,
    user: User,
    max_points: Decimal | str | int | None = UNSET,
    target: Decimal | str | int | None = UNSET,
    code: str = UNSET,
    parent_id: int | None = UNSET,
    aggregation: str = UNSET,
    is_individual: bool = UNSET,
    name_ko: str = UNSET,
    name_en: str = UNSET,
    description_ko: str = UNSET,
    description_en: str = UNSET,
    order: int = UNSET,
    source_ids: Iterable[int] = UNSET,
    reason: str = "",
) -> Criterion:
    """Change the given fields of a criterion (those not given stay as they are).

    The stage-2 weights were never published, so staff enter them on the planned stage before
    opening it. Later changes of a weight need a reason; scores keep their ceilings in step and
    the standings are recomputed.
    """
    if not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(
            _("Only an administrator can change a criterion's maximum points."),
            field="max_points",
        )
    values = given_values(
        {
            "max_points": max_points,
            "target": target,
            "code": code,
            "parent_id": parent_id,
            "aggregation": aggregation,
            "is_individual": is_individual,
            "name_ko": name_ko,
            "name_en": name_en,
            "description_ko": description_ko,
            "description_en": description_en,
            "order": order,
        }
    )
    for field in CRITERION_WEIGHT:
        if field in values:
            values[field] = _parse_optional_points(values[field], field=field)
    with transaction.atomic():
        criterion = Criterion.objects.filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound(
                _("Criterion %(criterion_id)s does not exist."),
                field="criterion",
                params={"criterion_id": criterion_id},
            )
        # Lock the stage as stage_open does, so the setup cannot change while it is opened.
        stage = stage_locked(criterion.stage_id)
        changed = changed_values(criterion, values)
        structure = [field for field in CRITERION_STRUCTURE if field in changed]
        weights = [field for field in CRITERION_WEIGHT if field in changed]
        if structure:
            require_planned(
                stage, field=structure[0].removesuffix("_id"), what=_("criteria structure")
            )
        if weights:
            require_late_change_allowed(stage, reason=reason, field=weights[0], what=_("weights"))
        sources = sources_by_id(source_ids) if source_ids is not UNSET else None
        same_sources = sources is None or {s.pk for s in sources} == set(
            criterion.sources.values_list("pk", flat=True)
        )
        if not changed and same_sources:
            return criterion  # the same request twice
        for field, value in changed.items():
            setattr(criterion, field, value)
        if changed:
            _criterion_clean(criterion)
            criterion.save()
        if not same_sources:
            criterion.sources.set(sources)  # type: ignore[arg-type]
        if weights:
            _score_ceilings_follow(criterion)
        if weights or structure:
            recompute_unless_planned(stage)
        return criterion


def criteria_max_points_update(
    *, stage_id: int, user: User, max_points: Mapping[int, Decimal | str | int | None]
) -> int:
    """Set several criteria's maximum points of one stage at once (the setup screen's weights),
    all or nothing: the first refusal undoes the ones before it. Returns how many were set."""
    with transaction.atomic():
        for criterion_id, raw in max_points.items():
            if not Criterion.objects.filter(pk=criterion_id, stage_id=stage_id).exists():
                raise NotFound(
                    _("Criterion %(id)s is not part of this stage."), params={"id": criterion_id}
                )
            criterion_update(criterion_id=criterion_id, user=user, max_points=raw)
    return len(max_points)


@records_history("reason")
def criterion_delete(*, criterion_id: int, user: User, reason: str = "") -> None:
    """Remove a criterion (and its sub-criteria) from a planned stage."""
    require_admin(user)
    with transaction.atomic():
        criterion = Criterion.objects.filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound(
                _("Criterion %(criterion_id)s does not exist."),
                field="criterion",
                params={"criterion_id": criterion_id},
            )
        stage = stage_locked(criterion.stage_id)
        require_planned(stage, field=None, what=_("list of criteria"))
        if Score.objects.filter(criterion__in=_subtree(criterion)).exists():
            raise DomainError(
                _("“%(criterion)s” has marks entered; remove them first."),
                code="has_scores",
                params={"criterion": criterion.code},
            )
        criterion.delete()


def _subtree(criterion: Criterion) -> list[int]:
    ids, frontier = [criterion.pk], [criterion.pk]
    while frontier:
        frontier = list(
            Criterion.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return ids


# --- Gates ---------------------------------------------------------------------------------


@records_history("reason")
def gate_create(
    *,
    stage_id: int,
    user: User,
    code: str,
    name_ko: str,
    name_en: str,
    description_ko: str = "",
    description_en: str = "",
    source_ids: Iterable[int] = (),
    reason: str = "",
) -> Gate:
    """Add a pass/fail gate to a planned stage."""
    require_admin(user)
    with transaction.atomic():
        stage = stage_locked(stage_id)
        require_planned(stage, field=None, what=_("list of gates"))
        gate = Gate(
            stage=stage,
            code=(code or "").strip(),
            name_ko=(name_ko or "").strip(),
            name_en=(name_en or "").strip(),
            description_ko=description_ko,
            description_en=description_en,
        )
        require_unused_code(gate)
        validate(gate)
        gate.save()
        if source_ids:
            gate.sources.set(sources_by_id(source_ids))
        return gate


@records_history("reason")
def gate_update(
    *,
    gate_id: int,
    user: User,
    code: str = UNSET,
    name_ko: str = UNSET,
    name_en: str = UNSET,
    description_ko: str = UNSET,
    description_en: str = UNSET,
    source_ids: Iterable[int] = UNSET,
    reason: str = "",
) -> Gate:
    """Change a gate's names and description (any time) or its code (while planned)."""
    require_admin(user)
    values = given_values(
        {
            "code": code,
            "name_ko": name_ko,
            "name_en": name_en,
            "description_ko": description_ko,
            "description_en": description_en,
        }
    )
    with transaction.atomic():
        gate = Gate.objects.filter(pk=gate_id).first()
        if gate is None:
            raise NotFound(
                _("Gate %(gate_id)s does not exist."), field="gate", params={"gate_id": gate_id}
            )
        stage = stage_locked(gate.stage_id)
        changed = changed_values(gate, values)
        if any(field in changed for field in GATE_STRUCTURE):
            require_planned(stage, field="code", what=_("list of gates"))
        if changed:
            for field, value in changed.items():
                setattr(gate, field, value)
            require_unused_code(gate)
            validate(gate)
            gate.save()
        if source_ids is not UNSET:
            gate.sources.set(sources_by_id(source_ids))
        return gate


@records_history("reason")
def gate_delete(*, gate_id: int, user: User, reason: str = "") -> None:
    """Remove a gate from a planned stage."""
    require_admin(user)
    with transaction.atomic():
        gate = Gate.objects.filter(pk=gate_id).first()
        if gate is None:
            raise NotFound(
                _("Gate %(gate_id)s does not exist."), field="gate", params={"gate_id": gate_id}
            )
        stage = stage_locked(gate.stage_id)
        require_planned(stage, field=None, what=_("list of gates"))
        if GateResult.objects.filter(gate=gate).exists():
            raise DomainError(
                _("Gate “%(gate)s” has results recorded; remove them first."),
                code="has_results",
                params={"gate": gate.code},
            )
        gate.delete()
