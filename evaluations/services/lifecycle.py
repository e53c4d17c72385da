"""The life of a stage: planned → scoring → review → finalized → published (+ corrections).

Each transition is a service guarded by the rules of the program; a broken rule raises a
`DomainError` whose message says what to do, and nothing is saved. Status changes are
compare-and-set updates (`filter(pk=…, status=old).update(status=new)`), so two people (or two
beat processes) acting at once never both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import standings as core
from evaluations.models import Decision, GateResult, Outcome, Participation, Score
from evaluations.roles import Role, user_has_role
from evaluations.services.decisions import decision_record
from evaluations.services.recompute import (
    stage_input_build,
    stage_inputs_changed,
    standings_recompute,
    standings_recompute_enqueue,
)
from programs.errors import ConflictError, DomainError, NotFound, PermissionDenied
from programs.history import history_record_update, records_history
from programs.models import Criterion, Gate, Stage
from teams.models import Team

# Stages after which the program moves on with the teams still in.
COMPETITIVE_KINDS = (Stage.Kind.EVALUATION, Stage.Kind.FINAL)

CORE_TO_DECISION_REASON = {
    core.ReasonCode.ABOVE_LINE: Decision.Reason.ABOVE_LINE,
    core.ReasonCode.NO_ELIMINATION: Decision.Reason.NO_ELIMINATION,
    core.ReasonCode.BELOW_LINE: Decision.Reason.BELOW_LINE,
    core.ReasonCode.GATE_FAILED: Decision.Reason.GATE_FAILED,
}


@dataclass(frozen=True, slots=True)
class DecisionInput:
    """An administrator's recorded decision for one team, overriding or settling the proposal."""

    outcome: str  # Decision outcome value: advanced / eliminated / disqualified / withdrawn
    reason_ko: str = ""
    reason_en: str = ""
    reason_code: str = Decision.Reason.COMMITTEE


def _require_admin(user: User | None) -> None:
    if user is None or not user_has_role(user, Role.ADMIN):
        raise PermissionDenied("Only an administrator can change a stage's status.")


def _stage(stage_id: int, *, for_update: bool = False) -> Stage:
    qs = Stage.objects.select_for_update(no_key=True) if for_update else Stage.objects
    stage = qs.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(f"Stage {stage_id} does not exist.")
    return stage


def _transition(stage: Stage, old: str, new: str, **extra: object) -> None:
    updated = Stage.objects.filter(pk=stage.pk, status=old).update(status=new, **extra)
    if updated == 0:
        current = Stage.objects.filter(pk=stage.pk).values_list("status", flat=True).first()
        raise ConflictError(
            f"Stage “{stage.name_en}” is {current}, not {old}; someone else changed it. Reload."
        )
    history_record_update(Stage, [stage.pk])
    stage.status = new
    for key, value in extra.items():
        setattr(stage, key, value)


@records_history()
def stage_open(*, stage_id: int, user: User) -> Stage:
    """planned → scoring. Creates participations for the teams still in the program."""
    _require_admin(user)
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status != Stage.Status.PLANNED:
            raise DomainError(
                f"Stage “{stage.name_en}” is already {stage.status}; only a planned stage can be "
                "opened.",
                code="wrong_status",
            )
        if not stage.criteria.exists():
            raise DomainError(
                f"Stage “{stage.name_en}” has no criteria; add them before opening it for scoring."
            )
        unweighted = list(
            stage.criteria.filter(max_points__isnull=True)
            .order_by("order", "code")
            .values_list("code", flat=True)
        )
        if unweighted:
            # Weights are fixed once scoring begins (criterion_update), so a stage opened
            # without them could never be scored or ranked.
            raise DomainError(
                _(
                    "Set the maximum points of %(criteria)s before opening “%(stage)s”: no "
                    "mark can be entered or totalled without them."
                ),
                code="max_points_missing",
                field="max_points",
                params={"criteria": ", ".join(unweighted), "stage": stage.name},
            )
        stage_participations_prepare(stage=stage)
        _transition(stage, Stage.Status.PLANNED, Stage.Status.SCORING)
        stage_inputs_changed(stage_id=stage.pk)
        return stage


def stage_participations_prepare(*, stage: Stage) -> list[Participation]:
    """Create a participation for every team still in the program that has none in this stage.

    Each team carries over the models it submitted in its latest earlier stage.
    """
    teams = Team.objects.filter(
        program_id=stage.program_id,
        status=Team.Status.ACTIVE,
        joined_stage__order__lte=stage.order,
    ).exclude(participations__stage=stage)
    created = []
    for team in teams:
        participation = Participation.objects.create(stage=stage, team=team)
        previous = (
            Participation.objects.filter(team=team, stage__order__lt=stage.order)
            .order_by("-stage__order")
            .first()
        )
        if previous is not None:
            participation.ai_models.set(previous.ai_models.all())
        created.append(participation)
    return created


def _missing_inputs(stage: Stage) -> list[str]:
    """Name what is still missing for review: leaf criteria without marks, undecided gates."""
    leaves = list(
        Criterion.objects.filter(stage=stage, children__isnull=True).order_by("order", "code")
    )
    gates = list(Gate.objects.filter(stage=stage))
    participations = list(
        Participation.objects.filter(stage=stage, ranked=True)
        .select_related("team")
        .prefetch_related("individual_criteria")
    )
    have = set(
        Score.objects.filter(participation__stage=stage).values_list(
            "participation_id", "criterion_id"
        )
    )
    decided = set(
        GateResult.objects.filter(participation__stage=stage, passed__isnull=False).values_list(
            "participation_id", "gate_id"
        )
    )
    missing = []
    for participation in participations:
        own = {c.pk for c in participation.individual_criteria.all()}
        for criterion in leaves:
            if criterion.is_individual and criterion.pk not in own:
                continue
            if (participation.pk, criterion.pk) not in have:
                missing.append(f"{participation.team.name_en}: no score for “{criterion.code}”")
        for gate in gates:
            if (participation.pk, gate.pk) not in decided:
                missing.append(f"{participation.team.name_en}: gate “{gate.code}” not decided")
    return missing


def describe_items(items: list[str], limit: int = 5) -> str:
    shown = "; ".join(items[:limit])
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more


@records_history()
def stage_submit_for_review(*, stage_id: int, user: User) -> Stage:
    """scoring → review, once every team has a mark on every criterion and every gate is decided."""
    _require_admin(user)
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status != Stage.Status.SCORING:
            raise DomainError(
                f"Stage “{stage.name_en}” is {stage.status}; only a stage in scoring can go to "
                "review.",
                code="wrong_status",
            )
        missing = _missing_inputs(stage)
        if missing:
            raise DomainError(
                f"Scoring is not complete: {describe_items(missing)}.", code="incomplete"
            )
        _transition(stage, Stage.Status.SCORING, Stage.Status.REVIEW)
        # Review shows the sensitivity of the proposed outcome, computed by the recompute.
        transaction.on_commit(lambda: standings_recompute_enqueue(stage.pk))
        return stage


@records_history("reason")
def stage_return_to_scoring(*, stage_id: int, user: User, reason: str = "") -> Stage:
    """review → scoring: send the stage back (e.g. a mark to re-check); the reason is kept."""
    _require_admin(user)
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        _transition(stage, Stage.Status.REVIEW, Stage.Status.SCORING)
        return stage


def unconfirmed_entries(*, stage: Stage) -> list[str]:
    """Scores and gate results of the stage still waiting for a second person (see `CONFIRMED`)."""
    scores = (
        Score.objects.unconfirmed()
        .filter(participation__stage=stage)
        .select_related("participation__team", "criterion")
        .order_by("participation__team__name_en", "criterion__order", "evaluator_code")
    )
    gates = (
        GateResult.objects.unconfirmed()
        .filter(participation__stage=stage)
        .select_related("participation__team", "gate")
    )
    items = [
        f"{s.participation.team.name_en} “{s.criterion.code}”"
        + (f" by {s.evaluator_code}" if s.evaluator_code else "")
        for s in scores[:6]
    ]
    items += [f"{g.participation.team.name_en} gate “{g.gate.code}”" for g in gates[:6]]
    return items


@records_history()
def stage_finalize(
    *,
    stage_id: int,
    user: User,
    decisions: Mapping[int, DecisionInput] | None = None,
) -> list[Decision]:
    """review → finalized: record a decision per participation and the teams' statuses.

    1. Every score and gate result must be confirmed by a second person.
    2. The standings are recomputed in this transaction so decisions follow current inputs.
    3. The proposed outcome stands unless `decisions` (keyed by participation id) overrides it;
       an override needs a reason, and ties at the line or unranked teams need a decision.
    4. Eliminated and disqualified teams leave the program at this stage; the next competitive
       stage gets participations for the teams still in.
    """
    _require_admin(user)
    decisions = dict(decisions or {})
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status != Stage.Status.REVIEW:
            raise DomainError(
                f"Stage “{stage.name_en}” is {stage.status}; only a stage in review can be "
                "finalized.",
                code="wrong_status",
            )
        pending = unconfirmed_entries(stage=stage)
        if pending:
            raise DomainError(
                f"Not every entry is confirmed by a second person: {describe_items(pending)}.",
                code="unconfirmed",
            )
        standings_recompute(stage_id=stage.pk)
        participations = {
            p.team.slug: p for p in Participation.objects.filter(stage=stage).select_related("team")
        }
        unknown = set(decisions) - {p.pk for p in participations.values()}
        if unknown:
            raise DomainError(f"Participation(s) {sorted(unknown)} are not in this stage.")
        slug_by_pid = {p.pk: slug for slug, p in participations.items()}
        given_by_team = {slug_by_pid[pid]: decision for pid, decision in decisions.items()}
        recorded: dict[str, core.RecordedDecision] = {}
        for team_slug, decision in given_by_team.items():
            if decision.outcome not in Outcome.values:
                raise DomainError(f"“{decision.outcome}” is not an outcome.", field="outcome")
            recorded[team_slug] = core.RecordedDecision(
                # The core knows no withdrawal; for the line it is simply out.
                outcome=core.Outcome.ELIMINATED
                if decision.outcome == Outcome.WITHDRAWN
                else core.Outcome(decision.outcome),
                reason=(decision.reason_en or decision.reason_ko).strip(),
            )
        result = core.compute_standings(stage_input_build(stage=stage))
        try:
            finals = core.apply_decisions(result, recorded)
        except core.DecisionError as exc:
            raise DomainError(str(exc), code="decision_needed") from None

        created = []
        for final in finals:
            participation = participations[final.team]
            row = result.row(final.team)
            given = given_by_team.get(final.team)
            if given is not None and (final.overridden or given.reason_ko or given.reason_en):
                outcome = given.outcome
                reason_code = given.reason_code
                reason_ko, reason_en = given.reason_ko.strip(), given.reason_en.strip()
            else:
                outcome = str(final.final)
                reason_code = CORE_TO_DECISION_REASON.get(row.reason, Decision.Reason.COMMITTEE)
                reason_ko, reason_en = row.reason_ko, row.reason_en
            created.append(
                decision_record(
                    participation=participation,
                    user=user,
                    outcome=outcome,
                    reason_code=reason_code,
                    reason_ko=reason_ko,
                    reason_en=reason_en,
                    proposed_outcome=str(final.proposed),
                    overrides_proposal=final.overridden,
                )
            )
            team_decision_apply(team=participation.team, stage=stage, outcome=outcome)
        _transition(stage, Stage.Status.REVIEW, Stage.Status.FINALIZED)
        next_stage = next_competitive_stage(stage=stage)
        if next_stage is not None:
            stage_participations_prepare(stage=next_stage)
        return created


def team_decision_apply(*, team: Team, stage: Stage, outcome: str) -> None:
    """Team status follows the decision: out at this stage, or selected at the final."""
    if outcome == Outcome.ELIMINATED:
        team.status, team.left_stage = Team.Status.ELIMINATED, stage
    elif outcome == Outcome.DISQUALIFIED:
        team.status, team.left_stage = Team.Status.DISQUALIFIED, stage
    elif outcome == Outcome.WITHDRAWN:
        team.status, team.left_stage = Team.Status.WITHDRAWN, stage
    elif stage.kind == Stage.Kind.FINAL:
        team.status, team.left_stage = Team.Status.SELECTED, None
    elif team.left_stage_id == stage.pk:
        # An earlier decision of this stage put the team out (e.g. an appeal was upheld).
        team.status, team.left_stage = Team.Status.ACTIVE, None
    else:
        return
    team.save(update_fields=["status", "left_stage"])
    next_stage = next_competitive_stage(stage=stage)
    if next_stage is None:
        return
    if team.status == Team.Status.ACTIVE:
        stage_participations_prepare(stage=next_stage)
    else:
        # Out now: drop the place prepared for it in the next stage, unless scoring began there.
        Participation.objects.filter(stage=next_stage, team=team, scores__isnull=True).delete()


def next_competitive_stage(*, stage: Stage) -> Stage | None:
    """The next evaluation or final stage of the program that has not started yet."""
    return (
        Stage.objects.filter(
            program_id=stage.program_id,
            order__gt=stage.order,
            kind__in=COMPETITIVE_KINDS,
            status=Stage.Status.PLANNED,
        )
        .order_by("order")
        .first()
    )


@records_history()
def stage_schedule_announcement(
    *, stage_id: int, user: User, announcement_at: dt.datetime
) -> Stage:
    _require_admin(user)
    if timezone.is_naive(announcement_at):
        raise DomainError("Give the announcement time with its time zone.", field="announcement_at")
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status == Stage.Status.PUBLISHED:
            raise DomainError("This stage is already published.", code="wrong_status")
        stage.announcement_at = announcement_at
        stage.save(update_fields=["announcement_at"])
        return stage
