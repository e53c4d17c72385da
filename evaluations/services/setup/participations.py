"""Who takes part in a stage: teams, the models they submitted, their own criteria."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluations.models import Participation
from evaluations.roles import Role, require_role, user_has_role
from evaluations.services.setup._common import (
    PARTICIPATION_CORRECTION_STATUSES,
    PARTICIPATION_STATUSES,
    UNSET,
    changed_values,
    given_values,
    recompute_unless_planned,
    stage_locked,
    status_label,
    validate,
)
from programs.errors import DomainError, NotFound
from programs.history import records_history
from programs.models import Criterion, Stage
from teams.models import AIModel, Team

# --- Participations ------------------------------------------------------------------------


def _participation_editable(stage: Stage, user: User) -> None:
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
            params={"stage": stage.name, "status": status_label(stage)},
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
    user: User,
    ai_model_ids: Iterable[int] = (),
    individual_criterion_ids: Iterable[int] = (),
    ranked: bool = True,
    note: str = "",
    reason: str = "",
) -> Participation:
    """Enter a team in a stage, with the models it submitted and its own criteria."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        stage = stage_locked(stage_id)
        _participation_editable(stage, user)
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise NotFound(
                _("Team %(team_id)s does not exist."), field="team", params={"team_id": team_id}
            )
        participation = Participation(stage=stage, team=team, ranked=ranked, note=note.strip())
        validate(participation)
        models_submitted = _ai_models(team, ai_model_ids)
        own_criteria = _individual_criteria(stage, individual_criterion_ids)
        participation.save()
        participation.ai_models.set(models_submitted)
        participation.individual_criteria.set(own_criteria)
        recompute_unless_planned(stage)
        return participation


@records_history("reason")
def participation_update(
    *,
    participation_id: int,
    user: User,
    ai_model_ids: Iterable[int] = UNSET,
    individual_criterion_ids: Iterable[int] = UNSET,
    ranked: bool = UNSET,
    note: str = UNSET,
    reason: str = "",
) -> Participation:
    """Change the given parts of a participation (those not given stay as they are)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        participation = _participation_get(participation_id)
        stage = stage_locked(participation.stage_id)
        participation.stage = stage
        _participation_editable(stage, user)
        if note is not UNSET:
            note = note.strip()  # as when the participation was made
        changed = changed_values(participation, given_values({"ranked": ranked, "note": note}))
        inputs_changed = "ranked" in changed
        if changed:
            for field, value in changed.items():
                setattr(participation, field, value)
            validate(participation, validate_unique=False)
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
            recompute_unless_planned(stage)
        return participation


def _participation_get(participation_id: int) -> Participation:
    participation = Participation.objects.select_related("team").filter(pk=participation_id).first()
    if participation is None:
        raise NotFound(
            _("Participation %(participation_id)s does not exist."),
            params={"participation_id": participation_id},
        )
    return participation


@records_history("reason")
def participation_delete(*, participation_id: int, user: User, reason: str = "") -> None:
    """Take a team out of a stage it was entered in by mistake (no marks or gate results yet)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        participation = _participation_get(participation_id)
        stage = stage_locked(participation.stage_id)
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
        recompute_unless_planned(stage)
