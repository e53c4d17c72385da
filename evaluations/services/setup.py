"""Setting up a stage: its criteria, gates, elimination rule and participations.

What the staff "stage setup" screen and the admin call. The rules:

- Criteria, gates and the elimination rule belong to an administrator. Their structure (adding
  or removing a criterion or gate, a criterion's code, parent, aggregation, or whether it is a
  team's own) is set while the stage is planned and fixed once scoring begins, since marks are
  entered against it.
- Weights (a criterion's maximum points or normalisation target) and the elimination rule are
  also set while the stage is planned. Later, an administrator may still change them, with a
  reason that stays in the history (e.g. the ministry corrected a published weight); scores keep
  their stored ceilings in step and the standings are recomputed.
- Names, descriptions, display order and sources may be corrected at any time.
- Participations (which team takes part, the models it submitted, its own criteria, whether it
  is ranked) are kept by clerks and administrators while the stage is planned or in scoring, by
  an administrator also after publication (to publish a correction). A participation with marks
  or gate results cannot be removed; remove those first.

Every write validates with `full_clean()`, runs in one transaction, leaves history naming the
person (and the reason where one is given) and, where standings inputs change on a stage past
planning, recomputes them once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from evaluations.models import GateResult, Participation, Score
from evaluations.roles import Role, require_role, user_has_role
from evaluations.services.recompute import stage_inputs_changed
from programs.errors import DomainError, NotFound, PermissionDenied, domain_error_from_validation
from programs.history import history_record_update, records_history
from programs.models import Criterion, Gate, Source, Stage
from programs.numbers import decimal_text
from teams.models import AIModel, Team


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


def _require_admin(user: AbstractBaseUser) -> None:
    if not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(_("Only an administrator can change a stage's setup."))


def _stage_locked(stage_id: int) -> Stage:
    # no_key: a recompute committing meanwhile needs a key-share lock on this row.
    stage = Stage.objects.select_for_update(no_key=True).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(
            _("Stage %(stage_id)s does not exist."), field="stage", params={"stage_id": stage_id}
        )
    return stage


def _require_planned(stage: Stage, *, field: str | None, what: str) -> None:
    if stage.status not in SETUP_STATUSES:
        raise DomainError(
            _(
                "The %(what)s of “%(stage)s” is set while the stage is planned; it is "
                "%(status)s now."
            ),
            code="wrong_status",
            field=field,
            params={"what": what, "stage": stage.name, "status": stage.get_status_display()},
        )


def _require_late_change_allowed(stage: Stage, *, reason: str, field: str, what: str) -> None:
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
            params={"what": what, "stage": stage.name, "status": stage.get_status_display()},
        )
    if not reason.strip():
        raise DomainError(
            _(
                "The %(what)s of “%(stage)s” is fixed once scoring begins; an administrator may "
                "change it later only with a reason, which is kept in the history."
            ),
            code="wrong_status",
            field=field,
            params={"what": what, "stage": stage.name, "status": stage.get_status_display()},
        )


def _full_clean(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise domain_error_from_validation(error) from None


def _inputs_changed(stage: Stage) -> None:
    """Recompute once the transaction commits; a planned stage has no standings yet."""
    if stage.status != Stage.Status.PLANNED:
        stage_inputs_changed(stage_id=stage.pk)


def _sources(ids: Iterable[int] | None) -> list[Source]:
    wanted = set(ids or ())
    found = list(Source.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(_("Some of the sources given do not exist."), field="sources")
    return found


def _given(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not UNSET}


def _changed(obj: models.Model, values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if getattr(obj, key) != value}


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
    try:
        criterion.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        domain = domain_error_from_validation(error)
        if domain.field == "max_points":
            # The criterion's own check: marks already entered above the new maximum.
            raise DomainError(
                _("“%(criterion)s”: %(problem)s"),
                code="invalid_max_points",
                field="max_points",
                params={"criterion": criterion.code, "problem": domain.message},
            ) from None
        raise domain from None


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
    user: AbstractBaseUser,
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
    _require_admin(user)
    with transaction.atomic():
        stage = _stage_locked(stage_id)
        _require_planned(stage, field=None, what=str(_("list of criteria")))
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
            criterion.sources.set(_sources(source_ids))
        return criterion


@records_history("reason")
def criterion_update(
    *,
    criterion_id: int,
    user: AbstractBaseUser,
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
    values = _given(
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
        stage = _stage_locked(criterion.stage_id)
        changed = _changed(criterion, values)
        structure = [field for field in CRITERION_STRUCTURE if field in changed]
        weights = [field for field in CRITERION_WEIGHT if field in changed]
        if structure:
            _require_planned(
                stage, field=structure[0].removesuffix("_id"), what=str(_("criteria structure"))
            )
        if weights:
            _require_late_change_allowed(
                stage, reason=reason, field=weights[0], what=str(_("weights"))
            )
        sources = _sources(source_ids) if source_ids is not UNSET else None
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
            _inputs_changed(stage)
        return criterion


@records_history("reason")
def criterion_delete(*, criterion_id: int, user: AbstractBaseUser, reason: str = "") -> None:
    """Remove a criterion (and its sub-criteria) from a planned stage."""
    _require_admin(user)
    with transaction.atomic():
        criterion = Criterion.objects.filter(pk=criterion_id).first()
        if criterion is None:
            raise NotFound(
                _("Criterion %(criterion_id)s does not exist."),
                field="criterion",
                params={"criterion_id": criterion_id},
            )
        stage = _stage_locked(criterion.stage_id)
        _require_planned(stage, field=None, what=str(_("list of criteria")))
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
    user: AbstractBaseUser,
    code: str,
    name_ko: str,
    name_en: str,
    description_ko: str = "",
    description_en: str = "",
    source_ids: Iterable[int] = (),
    reason: str = "",
) -> Gate:
    """Add a pass/fail gate to a planned stage."""
    _require_admin(user)
    with transaction.atomic():
        stage = _stage_locked(stage_id)
        _require_planned(stage, field=None, what=str(_("list of gates")))
        gate = Gate(
            stage=stage,
            code=(code or "").strip(),
            name_ko=(name_ko or "").strip(),
            name_en=(name_en or "").strip(),
            description_ko=description_ko,
            description_en=description_en,
        )
        _full_clean(gate)
        gate.save()
        if source_ids:
            gate.sources.set(_sources(source_ids))
        return gate


@records_history("reason")
def gate_update(
    *,
    gate_id: int,
    user: AbstractBaseUser,
    code: str = UNSET,
    name_ko: str = UNSET,
    name_en: str = UNSET,
    description_ko: str = UNSET,
    description_en: str = UNSET,
    source_ids: Iterable[int] = UNSET,
    reason: str = "",
) -> Gate:
    """Change a gate's names and description (any time) or its code (while planned)."""
    _require_admin(user)
    values = _given(
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
        stage = _stage_locked(gate.stage_id)
        changed = _changed(gate, values)
        if any(field in changed for field in GATE_STRUCTURE):
            _require_planned(stage, field="code", what=str(_("list of gates")))
        if changed:
            for field, value in changed.items():
                setattr(gate, field, value)
            _full_clean(gate)
            gate.save()
        if source_ids is not UNSET:
            gate.sources.set(_sources(source_ids))
        return gate


@records_history("reason")
def gate_delete(*, gate_id: int, user: AbstractBaseUser, reason: str = "") -> None:
    """Remove a gate from a planned stage."""
    _require_admin(user)
    with transaction.atomic():
        gate = Gate.objects.filter(pk=gate_id).first()
        if gate is None:
            raise NotFound(
                _("Gate %(gate_id)s does not exist."), field="gate", params={"gate_id": gate_id}
            )
        stage = _stage_locked(gate.stage_id)
        _require_planned(stage, field=None, what=str(_("list of gates")))
        if GateResult.objects.filter(gate=gate).exists():
            raise DomainError(
                _("Gate “%(gate)s” has results recorded; remove them first."),
                code="has_results",
                params={"gate": gate.code},
            )
        gate.delete()


# --- The elimination rule ------------------------------------------------------------------


@records_history("reason")
def stage_rules_update(
    *,
    stage_id: int,
    user: AbstractBaseUser,
    elimination_rule: str = UNSET,
    rule_count: int | None = UNSET,
    rule_threshold: Decimal | None = UNSET,
    tie_break: list[str] = UNSET,
    reason: str = "",
) -> Stage:
    """Set how the stage eliminates teams: the rule, its count or threshold, the tie-break.

    Free while planned; later only with a reason (see the module docstring).
    """
    _require_admin(user)
    values = _given(
        {
            "elimination_rule": elimination_rule,
            "rule_count": rule_count,
            "rule_threshold": rule_threshold,
            "tie_break": tie_break,
        }
    )
    with transaction.atomic():
        stage = _stage_locked(stage_id)
        changed = _changed(stage, values)
        if not changed:
            return stage
        _require_late_change_allowed(
            stage, reason=reason, field=next(iter(changed)), what=str(_("elimination rule"))
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
        _full_clean(stage, exclude=["program"])
        stage.save(update_fields=list(changed))
        _inputs_changed(stage)
        return stage


# --- Participations ------------------------------------------------------------------------


def _participation_editable(stage: Stage, user: AbstractBaseUser) -> None:
    allowed: tuple[str, ...] = PARTICIPATION_STATUSES
    if user_has_role(user, Role.ADMIN):
        allowed = (*allowed, *PARTICIPATION_CORRECTION_STATUSES)
    if stage.status not in allowed:
        raise DomainError(
            _(
                "“%(stage)s” is %(status)s; who takes part in it is kept while it is planned or "
                "in scoring (after publication, by an administrator, for a correction)."
            ),
            code="wrong_status",
            params={"stage": stage.name, "status": stage.get_status_display()},
        )


def _ai_models(team: Team, ids: Iterable[int]) -> list[AIModel]:
    wanted = set(ids)
    found = list(AIModel.objects.filter(pk__in=wanted, team=team))
    if len(found) != len(wanted):
        raise DomainError(
            _("Only models of %(team)s can be listed as its submission."),
            field="ai_models",
            params={"team": team.name},
        )
    return found


def _individual_criteria(stage: Stage, ids: Iterable[int]) -> list[Criterion]:
    wanted = set(ids)
    found = list(Criterion.objects.filter(pk__in=wanted, stage=stage, is_individual=True))
    if len(found) != len(wanted):
        raise DomainError(
            _("A team's own criteria must be criteria of this stage marked individual."),
            field="individual_criteria",
        )
    return found


@records_history("reason")
def participation_create(
    *,
    stage_id: int,
    team_id: int,
    user: AbstractBaseUser,
    ai_model_ids: Iterable[int] = (),
    individual_criterion_ids: Iterable[int] = (),
    ranked: bool = True,
    note: str = "",
    reason: str = "",
) -> Participation:
    """Enter a team in a stage, with the models it submitted and its own criteria."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        stage = _stage_locked(stage_id)
        _participation_editable(stage, user)
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise NotFound(
                _("Team %(team_id)s does not exist."), field="team", params={"team_id": team_id}
            )
        participation = Participation(stage=stage, team=team, ranked=ranked, note=note.strip())
        _full_clean(participation)
        models_submitted = _ai_models(team, ai_model_ids)
        own_criteria = _individual_criteria(stage, individual_criterion_ids)
        participation.save()
        participation.ai_models.set(models_submitted)
        participation.individual_criteria.set(own_criteria)
        _inputs_changed(stage)
        return participation


@records_history("reason")
def participation_update(
    *,
    participation_id: int,
    user: AbstractBaseUser,
    ai_model_ids: Iterable[int] = UNSET,
    individual_criterion_ids: Iterable[int] = UNSET,
    ranked: bool = UNSET,
    note: str = UNSET,
    reason: str = "",
) -> Participation:
    """Change the given parts of a participation (those not given stay as they are)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        participation = (
            Participation.objects.select_related("team").filter(pk=participation_id).first()
        )
        if participation is None:
            raise NotFound(
                _("Participation %(participation_id)s does not exist."),
                params={"participation_id": participation_id},
            )
        stage = _stage_locked(participation.stage_id)
        participation.stage = stage
        _participation_editable(stage, user)
        changed = _changed(participation, _given({"ranked": ranked, "note": note}))
        inputs_changed = "ranked" in changed
        if changed:
            for field, value in changed.items():
                setattr(participation, field, value)
            _full_clean(participation, validate_unique=False)
            participation.save()
        if ai_model_ids is not UNSET:
            wanted = _ai_models(participation.team, ai_model_ids)
            if {m.pk for m in wanted} != set(participation.ai_models.values_list("pk", flat=True)):
                participation.ai_models.set(wanted)
        if individual_criterion_ids is not UNSET:
            wanted_criteria = _individual_criteria(stage, individual_criterion_ids)
            current = set(participation.individual_criteria.values_list("pk", flat=True))
            if {c.pk for c in wanted_criteria} != current:
                participation.individual_criteria.set(wanted_criteria)
                inputs_changed = True
        if inputs_changed:
            _inputs_changed(stage)
        return participation


@records_history("reason")
def participation_delete(
    *, participation_id: int, user: AbstractBaseUser, reason: str = ""
) -> None:
    """Take a team out of a stage it was entered in by mistake (no marks or gate results yet)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        participation = (
            Participation.objects.select_related("team").filter(pk=participation_id).first()
        )
        if participation is None:
            raise NotFound(
                _("Participation %(participation_id)s does not exist."),
                params={"participation_id": participation_id},
            )
        stage = _stage_locked(participation.stage_id)
        _participation_editable(stage, user)
        if participation.scores.exists() or participation.gate_results.exists():
            raise DomainError(
                _("%(team)s has marks or gate results in this stage; remove them first."),
                code="has_scores",
                params={"team": participation.team.name},
            )
        if hasattr(participation, "decision"):
            raise DomainError(
                _("%(team)s has a recorded decision in this stage."),
                code="has_decision",
                params={"team": participation.team.name},
            )
        participation.delete()
        _inputs_changed(stage)
