"""Entering and confirming scores and gate results: the two-person rule and conflict detection.

Every write carries the version the person saw. Saving over a version someone else has changed
since is refused with a `ConflictError` naming who changed it; nothing is overwritten silently.
A changed score loses its confirmation, and nobody confirms their own entry.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluations.models import GateResult, Score
from evaluations.roles import Role, require_role, user_has_role
from evaluations.selectors_staff import participation_get
from evaluations.services.lifecycle import status_params
from evaluations.services.recompute import stage_inputs_changed
from programs.errors import ConflictError, DomainError, NotFound, PermissionDenied, localized
from programs.history import history_record_update, records_history
from programs.models import Criterion, Gate, Stage
from programs.numbers import MARK_DECIMALS, MARK_LIMIT, decimal_text

EVALUATOR_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
SCORE_EDITABLE = (Stage.Status.SCORING,)
# After publication only an administrator may change inputs, and only to publish a correction.
CORRECTABLE = (Stage.Status.PUBLISHED,)


def _check_editable(stage: Stage, user: User) -> None:
    if stage.status in _editable_statuses(user):
        return
    if stage.status == Stage.Status.PUBLISHED:
        raise PermissionDenied(
            _(
                "Stage “%(stage)s” is published; only an administrator can change its inputs, "
                "to publish a correction."
            ),
            code="stage_published",
            params={"stage": localized(stage)},
        )
    raise DomainError(
        _(
            "Stage “%(stage)s” is in the status “%(status_label)s”; scores can be entered only "
            "while it is in scoring."
        ),
        code="wrong_status",
        params=status_params(stage),
    )


def _editable_statuses(user: User) -> tuple[str, ...]:
    if user_has_role(user, Role.ADMIN):
        return (*SCORE_EDITABLE, *CORRECTABLE)
    return SCORE_EDITABLE


def _parse_value(raw: Decimal | str | int | None, *, field: str = "value") -> Decimal | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise _not_a_number(raw, field) from None
    if not value.is_finite():
        raise _not_a_number(raw, field)
    if value > MARK_LIMIT:
        # Also keeps the quantize below within Decimal's precision.
        raise DomainError(
            _("%(value)s is too large for a mark; a mark is at most %(limit)s."),
            code="too_large",
            field=field,
            params={"value": str(raw)[:40], "limit": decimal_text(MARK_LIMIT)},
        )
    if value.as_tuple().exponent < -MARK_DECIMALS:  # type: ignore[operator]
        # Trailing zeros past three places change nothing ("12.5000" is 12.5), as in the grid
        # and the import (programs.numbers.mark_parse).
        rounded = value.quantize(Decimal(1).scaleb(-MARK_DECIMALS))
        if rounded != value:
            raise DomainError(
                _("Enter at most %(places)s decimal places."),
                code="too_many_decimals",
                field=field,
                params={"value": str(raw), "places": MARK_DECIMALS},
            )
        value = rounded
    if value < 0:
        raise DomainError(
            _("A score cannot be negative."),
            code="negative",
            field=field,
            params={"value": str(raw)},
        )
    return value


def _not_a_number(raw: object, field: str) -> DomainError:
    return DomainError(
        _("“%(value)s” is not a number."),
        code="not_a_number",
        field=field,
        params={"value": str(raw)},
    )


def _value_ceiling(criterion: Criterion) -> Decimal | None:
    # Normalised criteria take achieved benchmark scores, which may exceed the criterion's points.
    return None if criterion.target is not None else criterion.max_points


def _who(user_id: int | None) -> str | Promise:
    if user_id is None:
        return _("the loaded public record")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).only("username").first()
    return user.get_username() if user else _("another user")


@records_history("reason")
def score_save(
    *,
    participation_id: int,
    criterion_id: int,
    value: Decimal | str | int | None,
    user: User,
    evaluator_code: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> Score:
    """Enter or change one mark. `expected_version` is the version the person saw (None: new).

    Saving the same value again with the same version changes nothing. `reason` (e.g. why a
    published score is corrected) is kept in the score's history.
    """
    require_role(user, Role.CLERK, Role.ADMIN)
    parsed = _parse_value(value)
    evaluator_code = (evaluator_code or "").strip()
    with transaction.atomic():
        participation = participation_get(participation_id=participation_id)
        stage = participation.stage
        _check_editable(stage, user)
        criterion = Criterion.objects.filter(pk=criterion_id, stage=stage).first()
        if criterion is None:
            raise DomainError(
                _("Criterion %(criterion_id)s is not a criterion of stage “%(stage)s”."),
                code="criterion_not_in_stage",
                field="criterion",
                params={"criterion_id": criterion_id, "stage": localized(stage)},
            )
        about = {"criterion": criterion.code, "team": localized(participation.team)}
        if criterion.children.exists():
            raise DomainError(
                _("“%(criterion)s” is computed from its sub-criteria; enter those instead."),
                code="criterion_computed",
                field="criterion",
                params=about,
            )
        if (
            criterion.is_individual
            and not participation.individual_criteria.filter(pk=criterion.pk).exists()
        ):
            raise DomainError(
                _("“%(criterion)s” is not one of %(team)s's own criteria."),
                code="criterion_not_for_team",
                field="criterion",
                params=about,
            )
        if criterion.aggregation == Criterion.Aggregation.DIRECT:
            if evaluator_code:
                raise DomainError(
                    _("“%(criterion)s” takes points entered directly, without an evaluator code."),
                    code="evaluator_code_not_allowed",
                    field="evaluator_code",
                    params={**about, "evaluator_code": evaluator_code},
                )
        elif not EVALUATOR_CODE.match(evaluator_code):
            raise DomainError(
                _(
                    "“%(criterion)s” aggregates evaluator marks: give an evaluator code of 1–20 "
                    "letters, digits, - or _."
                ),
                code="evaluator_code_invalid",
                field="evaluator_code",
                params={**about, "evaluator_code": evaluator_code},
            )
        if criterion.max_points is None and criterion.target is None:
            raise DomainError(
                _(
                    "The maximum points of “%(criterion)s” are not set; an administrator must "
                    "set them before scores can be entered."
                ),
                code="max_points_not_set",
                field="criterion",
                params=about,
            )
        ceiling = _value_ceiling(criterion)
        if parsed is not None and ceiling is not None and parsed > ceiling:
            raise DomainError(
                _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
                code="above_max",
                field="value",
                params={**about, "value": str(parsed), "max": decimal_text(ceiling)},
            )

        existing = Score.objects.filter(
            participation=participation, criterion=criterion, evaluator_code=evaluator_code
        ).first()
        if existing is None:
            if expected_version not in (None, 0):
                raise _score_deleted(expected_version)
            try:
                with transaction.atomic():
                    score = Score.objects.create(
                        participation=participation,
                        criterion=criterion,
                        evaluator_code=evaluator_code,
                        value=parsed,
                        value_max=ceiling,
                        entered_by=user,
                    )
            except IntegrityError:
                raise ConflictError(
                    _(
                        "Someone else entered this score at the same moment; reload the page to "
                        "see their value."
                    ),
                    code="score_entered_meanwhile",
                ) from None
        else:
            if expected_version is None:
                raise ConflictError(
                    _(
                        "This score was already entered by %(user)s (version %(version)s); "
                        "reload the page before changing it."
                    ),
                    code="score_exists",
                    params={"user": _who(existing.entered_by_id), "version": existing.version},
                )
            if existing.version == expected_version and existing.value == parsed:
                return existing  # the same request twice
            updated = Score.objects.filter(pk=existing.pk, version=expected_version).update(
                value=parsed,
                value_max=ceiling,
                version=F("version") + 1,
                entered_by=user,
                entered_at=timezone.now(),
                confirmed_by=None,
                confirmed_at=None,
            )
            if updated == 0:
                # `existing` may be older than the write that beat this one: when both read the
                # row before either wrote, this update waited for the other's commit and then
                # matched nothing. Read the row again (a new statement sees that commit) so the
                # person is told the value that won, not the one they both started from.
                current = Score.objects.filter(pk=existing.pk).first()
                if current is None:
                    raise _score_deleted(expected_version)
                raise ConflictError(
                    _(
                        "%(user)s changed this score since you loaded it (now version "
                        "%(version)s, value %(value)s); nothing was saved."
                    ),
                    code="score_changed",
                    params={
                        "user": _who(current.entered_by_id),
                        "version": current.version,
                        "value": decimal_text(current.value),
                        "expected_version": expected_version,
                    },
                )
            history_record_update(Score, [existing.pk])
            score = Score.objects.get(pk=existing.pk)
        stage_inputs_changed(stage_id=stage.pk)
        return score


@records_history("reason")
def score_delete(*, score_id: int, user: User, expected_version: int, reason: str = "") -> None:
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        score = Score.objects.select_related("participation__stage").filter(pk=score_id).first()
        if score is None:
            raise _score_not_found(score_id)
        _check_editable(score.participation.stage, user)
        deleted, _by_model = Score.objects.filter(pk=score_id, version=expected_version).delete()
        if deleted == 0:
            raise ConflictError(
                _("This score was changed since you loaded it; nothing was deleted."),
                code="score_changed",
                params={"expected_version": expected_version},
            )
        stage_inputs_changed(stage_id=score.participation.stage_id)


@records_history()
def score_confirm(*, score_id: int, user: User, expected_version: int) -> Score:
    """A second person confirms a score exactly as they saw it."""
    require_role(user, Role.VERIFIER, Role.ADMIN)
    with transaction.atomic():
        score = Score.objects.select_related("participation__stage").filter(pk=score_id).first()
        if score is None:
            raise _score_not_found(score_id)
        stage = score.participation.stage
        if stage.status not in (Stage.Status.SCORING, Stage.Status.REVIEW, Stage.Status.PUBLISHED):
            raise DomainError(
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; scores can no longer "
                    "be confirmed."
                ),
                code="wrong_status",
                params=status_params(stage),
            )
        if score.entered_by_id == user.pk:
            raise PermissionDenied(
                _("You entered this score; another person must confirm it."), code="own_entry"
            )
        if score.confirmed_by_id == user.pk and score.version == expected_version:
            return score  # the same request twice
        updated = Score.objects.filter(
            pk=score_id, version=expected_version, confirmed_by__isnull=True
        ).update(confirmed_by=user, confirmed_at=timezone.now())
        if updated == 0:
            raise ConflictError(
                _(
                    "This score was changed or confirmed since you loaded it; reload and check "
                    "it again."
                ),
                code="score_changed",
                params={"expected_version": expected_version},
            )
        history_record_update(Score, [score_id])
        return Score.objects.get(pk=score_id)


def _score_deleted(expected_version: int | None) -> ConflictError:
    return ConflictError(
        _("This score was deleted by someone else since you loaded it; reload the page."),
        code="score_deleted",
        params={"expected_version": expected_version},
    )


def _score_not_found(score_id: int) -> NotFound:
    return NotFound(
        _("Score %(score_id)s does not exist."), field="score", params={"score_id": score_id}
    )


@records_history("reason")
def gate_result_save(
    *,
    participation_id: int,
    gate_id: int,
    passed: bool | None,
    user: User,
    reason_ko: str = "",
    reason_en: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> GateResult:
    """Record pass/fail on a gate. A failure needs a reason, since it removes a team."""
    require_role(user, Role.CLERK, Role.ADMIN)
    if passed is False and not (reason_ko.strip() or reason_en.strip()):
        raise DomainError(
            _("A failed gate needs a reason."), code="reason_required", field="reason_ko"
        )
    with transaction.atomic():
        participation = participation_get(participation_id=participation_id)
        _check_editable(participation.stage, user)
        gate = Gate.objects.filter(pk=gate_id, stage=participation.stage).first()
        if gate is None:
            raise DomainError(
                _("That gate does not belong to this stage."),
                code="gate_not_in_stage",
                field="gate",
                params={"gate_id": gate_id, "stage": localized(participation.stage)},
            )
        existing = GateResult.objects.filter(participation=participation, gate=gate).first()
        fields = {"passed": passed, "reason_ko": reason_ko.strip(), "reason_en": reason_en.strip()}
        if existing is None:
            if expected_version not in (None, 0):
                raise ConflictError(
                    _("This gate result was deleted since you loaded it."),
                    code="gate_result_deleted",
                    params={"expected_version": expected_version},
                )
            try:
                with transaction.atomic():
                    result = GateResult.objects.create(
                        participation=participation, gate=gate, entered_by=user, **fields
                    )
            except IntegrityError:
                raise ConflictError(
                    _("Someone else recorded this gate at the same moment."),
                    code="gate_result_entered_meanwhile",
                ) from None
        else:
            if expected_version is None:
                raise ConflictError(
                    _(
                        "This gate result was already recorded by %(user)s; reload before "
                        "changing it."
                    ),
                    code="gate_result_exists",
                    params={"user": _who(existing.entered_by_id), "version": existing.version},
                )
            unchanged = all(getattr(existing, key) == val for key, val in fields.items())
            if existing.version == expected_version and unchanged:
                return existing
            updated = GateResult.objects.filter(pk=existing.pk, version=expected_version).update(
                version=F("version") + 1,
                entered_by=user,
                confirmed_by=None,
                confirmed_at=None,
                **fields,
            )
            if updated == 0:
                raise ConflictError(
                    _("This gate result was changed since you loaded it; nothing was saved."),
                    code="gate_result_changed",
                    params={"expected_version": expected_version},
                )
            history_record_update(GateResult, [existing.pk])
            result = GateResult.objects.get(pk=existing.pk)
        stage_inputs_changed(stage_id=participation.stage_id)
        return result


@records_history()
def gate_result_confirm(*, gate_result_id: int, user: User, expected_version: int) -> GateResult:
    require_role(user, Role.VERIFIER, Role.ADMIN)
    with transaction.atomic():
        result = GateResult.objects.filter(pk=gate_result_id).first()
        if result is None:
            raise _gate_result_not_found(gate_result_id)
        if result.entered_by_id == user.pk:
            raise PermissionDenied(
                _("You recorded this gate result; another person must confirm it."),
                code="own_entry",
            )
        if result.confirmed_by_id == user.pk and result.version == expected_version:
            return result
        updated = GateResult.objects.filter(
            pk=gate_result_id, version=expected_version, confirmed_by__isnull=True
        ).update(confirmed_by=user, confirmed_at=timezone.now())
        if updated == 0:
            raise ConflictError(
                _("This gate result was changed or confirmed since you loaded it."),
                code="gate_result_changed",
                params={"expected_version": expected_version},
            )
        history_record_update(GateResult, [gate_result_id])
        return GateResult.objects.get(pk=gate_result_id)


@records_history("reason")
def gate_result_delete(
    *, gate_result_id: int, user: User, expected_version: int, reason: str = ""
) -> None:
    """Remove a gate result (e.g. recorded on the wrong team), exactly as the person saw it."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        result = (
            GateResult.objects.select_related("participation__stage")
            .filter(pk=gate_result_id)
            .first()
        )
        if result is None:
            raise _gate_result_not_found(gate_result_id)
        _check_editable(result.participation.stage, user)
        deleted, _deleted = GateResult.objects.filter(
            pk=gate_result_id, version=expected_version
        ).delete()
        if deleted == 0:
            raise ConflictError(
                _("This gate result was changed since you loaded it; nothing was deleted."),
                code="gate_result_changed",
                field="version",
                params={"expected_version": expected_version},
            )
        stage_inputs_changed(stage_id=result.participation.stage_id)


def _gate_result_not_found(gate_result_id: int) -> NotFound:
    return NotFound(
        _("Gate result %(gate_result_id)s does not exist."),
        field="gate_result",
        params={"gate_result_id": gate_result_id},
    )
