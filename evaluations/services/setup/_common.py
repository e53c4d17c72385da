"""What the setup services share: the statuses each change is allowed in, and the checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluations.roles import Role, user_has_role
from evaluations.services.recompute import stage_inputs_changed
from programs.errors import DomainError, NotFound, PermissionDenied, domain_error_from_validation
from programs.models import Criterion, Gate, Source, Stage


class _Unset:
    """Marks a keyword argument the caller did not give: "leave this field as it is"."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

# Criterion.max_points is a DecimalField(max_digits=6, decimal_places=2).
MAX_POINTS_PLACES = 2
MAX_POINTS_LIMIT = Decimal("9999.99")

SETUP_STATUSES = (Stage.Status.PLANNED,)
# Weights and rules change after planning only with a reason, and never between finalizing and
# publishing (the decisions recorded would no longer follow from them).
LATE_CHANGE_STATUSES = (Stage.Status.SCORING, Stage.Status.REVIEW, Stage.Status.PUBLISHED)
PARTICIPATION_STATUSES = (Stage.Status.PLANNED, Stage.Status.SCORING)
PARTICIPATION_CORRECTION_STATUSES = (Stage.Status.PUBLISHED,)

CRITERION_STRUCTURE = ("code", "parent_id", "aggregation", "is_individual")
CRITERION_WEIGHT = ("max_points", "target")
CRITERION_TEXT = ("name_ko", "name_en", "description_ko", "description_en", "order")
GATE_STRUCTURE = ("code",)
GATE_TEXT = ("name_ko", "name_en", "description_ko", "description_en")
STAGE_RULE = ("elimination_rule", "rule_count", "rule_threshold", "tie_break")


# --- Shared checks -------------------------------------------------------------------------


def status_label(stage: Stage) -> Promise:
    """The stage's status in words, lazily: shown in the language of whoever reads the error."""
    return Stage.Status(stage.status).label


def require_admin(user: User) -> None:
    if not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(_("Only an administrator can change a stage's setup."))


def stage_locked(stage_id: int) -> Stage:
    # no_key: a recompute committing meanwhile needs a key-share lock on this row.
    stage = Stage.objects.select_for_update(no_key=True).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(
            _("Stage %(stage_id)s does not exist."), field="stage", params={"stage_id": stage_id}
        )
    return stage


def require_planned(stage: Stage, *, field: str | None, what: str | Promise) -> None:
    if stage.status not in SETUP_STATUSES:
        raise DomainError(
            _(
                "The %(what)s of “%(stage)s” is set while the stage is planned; it is "
                "%(status)s now."
            ),
            code="wrong_status",
            field=field,
            params={"what": what, "stage": stage.name, "status": status_label(stage)},
        )


def require_late_change_allowed(
    stage: Stage, *, reason: str, field: str, what: str | Promise
) -> None:
    """Weights and rules: free while planned; later only with a reason, never when finalized."""
    if stage.status in SETUP_STATUSES:
        return
    if stage.status not in LATE_CHANGE_STATUSES:
        raise DomainError(
            _(
                "“%(stage)s” is %(status)s; its %(what)s cannot change until it is published "
                "(then change it and publish a correction)."
            ),
            code="wrong_status",
            field=field,
            params={"what": what, "stage": stage.name, "status": status_label(stage)},
        )
    if not reason.strip():
        raise DomainError(
            _(
                "Once scoring of “%(stage)s” has begun, its %(what)s can be changed only by an "
                "administrator giving a reason, which is kept in the history."
            ),
            code="wrong_status",
            field=field,
            params={"what": what, "stage": stage.name, "status": status_label(stage)},
        )


def require_unused_code(obj: Criterion | Gate) -> None:
    """A code is unique in its stage: say so beside the code field, in words staff understand.

    Callers hold the stage's row lock, so two adds of one code wait for each other; the database
    constraint stays the last line. `full_clean()` alone would say "Gate with this Stage and Code
    already exists", above the form rather than beside the code.
    """
    taken = type(obj)._default_manager.filter(stage_id=obj.stage_id, code=obj.code)
    if not obj.code or not taken.exclude(pk=obj.pk).exists():
        return
    if isinstance(obj, Criterion):
        message = _("This stage already has a criterion with the code “%(code)s”.")
    else:
        message = _("This stage already has a gate with the code “%(code)s”.")
    raise DomainError(message, code="duplicate_code", field="code", params={"code": obj.code})


def validate(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise domain_error_from_validation(error) from None


def recompute_unless_planned(stage: Stage) -> None:
    """Recompute once the transaction commits; a planned stage has no standings yet."""
    if stage.status != Stage.Status.PLANNED:
        stage_inputs_changed(stage_id=stage.pk)


def sources_by_id(ids: Iterable[int] | None) -> list[Source]:
    wanted = set(ids or ())
    found = list(Source.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(_("Some of the sources given do not exist."), field="sources")
    return found


def given_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not UNSET}


def changed_values(obj: models.Model, values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if getattr(obj, key) != value}
