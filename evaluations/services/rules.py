"""Changes to a stage's rules (criteria, gates) made outside the score services, e.g. the admin."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluations.models import Participation, Score
from evaluations.roles import Role, user_has_role
from evaluations.services.recompute import stage_inputs_changed
from programs.errors import DomainError, NotFound, PermissionDenied, localized, validation_text
from programs.history import records_history
from programs.models import Criterion, Stage
from programs.numbers import decimal_text

# Criterion.max_points is a DecimalField(max_digits=6, decimal_places=2).
MAX_POINTS_PLACES = 2
MAX_POINTS_LIMIT = Decimal("9999.99")


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


def _parse_max_points(raw: Decimal | str | int | None) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value > MAX_POINTS_LIMIT:
        raise DomainError(
            _("Enter the maximum points as a number above 0 and at most %(limit)s."),
            code="invalid_max_points",
            field="max_points",
            params={"value": raw, "limit": decimal_text(MAX_POINTS_LIMIT)},
        )
    if value.as_tuple().exponent < -MAX_POINTS_PLACES:  # type: ignore[operator]
        raise DomainError(
            _("Enter the maximum points with at most %(places)s decimal places."),
            code="invalid_max_points",
            field="max_points",
            params={"value": raw, "places": MAX_POINTS_PLACES},
        )
    return value


@records_history()
def criterion_update(
    *,
    criterion_id: int,
    user: User,
    max_points: Decimal | str | int,
) -> Criterion:
    """An administrator sets a criterion's maximum points (its weight) on a planned stage.

    The ministry may publish a stage's weights late or not at all (stage 2's were never
    published), so staff enter them before opening the stage. Once scoring begins the weights
    are fixed: changing them then would silently re-weigh marks already entered. The scores'
    stored ceilings follow the criterion (`criterion_saved`), as for every criterion change.
    """
    if not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(
            _("Only an administrator can change a criterion's maximum points."),
            field="max_points",
        )
    value = _parse_max_points(max_points)
    with transaction.atomic():
        criterion = Criterion.objects.filter(pk=criterion_id).select_related("stage").first()
        if criterion is None:
            raise NotFound(
                _("Criterion %(criterion_id)s does not exist."),
                field="criterion",
                params={"criterion_id": criterion_id},
            )
        # Lock the stage as stage_open does, so weights cannot change while it is being opened.
        stage = Stage.objects.select_for_update(no_key=True).get(pk=criterion.stage_id)
        if stage.status != Stage.Status.PLANNED:
            raise DomainError(
                _(
                    "The weights of “%(stage)s” are fixed once scoring begins; “%(criterion)s” "
                    "can be changed only while the stage is planned."
                ),
                code="wrong_status",
                field="max_points",
                params={
                    "stage": localized(stage),
                    "criterion": criterion.code,
                    "status": stage.status,
                },
            )
        if criterion.max_points == value:
            return criterion  # the same request twice
        criterion.max_points = value
        try:
            criterion.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {}).get("max_points") or exc
            raise DomainError(
                _("“%(criterion)s”: %(problem)s"),
                code="invalid_max_points",
                field="max_points",
                params={"criterion": criterion.code, "problem": validation_text(errors)},
            ) from None
        criterion.save(update_fields=["max_points"])
        criterion_saved(criterion=criterion)
        return criterion


@records_history()
def stage_rule_update(
    *,
    stage_id: int,
    user: User,
    elimination_rule: str,
    rule_count: int | None = None,
    rule_threshold: Decimal | None = None,
) -> Stage:
    """An administrator sets how a planned stage eliminates teams (rule, count or threshold).

    Like the weights, the rule is fixed once scoring begins.
    """
    if not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(
            _("Only an administrator can change a stage's elimination rule."),
            field="elimination_rule",
        )
    if elimination_rule not in Stage.Rule.values:
        raise DomainError(_("Choose one of the elimination rules."), field="elimination_rule")
    with transaction.atomic():
        stage = Stage.objects.select_for_update(no_key=True).filter(pk=stage_id).first()
        if stage is None:
            raise NotFound(_("That stage does not exist."))
        if stage.status != Stage.Status.PLANNED:
            raise DomainError(
                _("The rules of “%(stage)s” are fixed once scoring begins."),
                code="wrong_status",
                field="elimination_rule",
                params={"stage": stage.name},
            )
        counted = elimination_rule in (Stage.Rule.ELIMINATE_LOWEST, Stage.Rule.KEEP_TOP)
        if counted and (rule_count is None or rule_count < 1):
            raise DomainError(
                _("This rule needs a number of teams of at least 1."), field="rule_count"
            )
        if elimination_rule == Stage.Rule.THRESHOLD and rule_threshold is None:
            raise DomainError(_("A threshold rule needs a threshold."), field="rule_threshold")
        stage.elimination_rule = elimination_rule
        stage.rule_count = rule_count if counted else None
        stage.rule_threshold = rule_threshold if elimination_rule == Stage.Rule.THRESHOLD else None
        stage.save(update_fields=["elimination_rule", "rule_count", "rule_threshold"])
        stage_rules_changed(stage_id=stage.pk)
        return stage
