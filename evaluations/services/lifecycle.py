"""The life of a stage: planned → scoring → review → finalized → published (+ corrections).

Each transition is a service guarded by the rules of the program; a broken rule raises a
`DomainError` whose message says what to do, and nothing is saved. Status changes are
compare-and-set updates (`filter(pk=…, status=old).update(status=new)`), so two people (or two
beat processes) acting at once never both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise, lazy
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
from programs.errors import ConflictError, DomainError, NotFound, PermissionDenied, localized
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


@dataclass(frozen=True, slots=True)
class PendingInput:
    """One cell a stage still waits for, so a staff screen can mark it and the API list it.

    `code` says what is wanted: ``missing_score`` and ``gate_undecided`` block review;
    ``score_unconfirmed`` and ``gate_result_unconfirmed`` block finalizing and corrections.
    """

    code: str
    participation_id: int
    team: str  # the team's slug
    team_name: str | Promise
    criterion: str | None = None  # criterion code
    gate: str | None = None  # gate code
    evaluator_code: str = ""

    @property
    def message(self) -> str:
        """One line for a person, in the active language."""
        params = {
            "team": self.team_name,
            "criterion": self.criterion,
            "gate": self.gate,
            "evaluator_code": self.evaluator_code,
        }
        if self.code == "missing_score":
            text = _("%(team)s: no score for “%(criterion)s”")
        elif self.code == "gate_undecided":
            text = _("%(team)s: gate “%(gate)s” not decided")
        elif self.code == "score_unconfirmed" and self.evaluator_code:
            text = _("%(team)s: “%(criterion)s” by evaluator %(evaluator_code)s not confirmed")
        elif self.code == "score_unconfirmed":
            text = _("%(team)s: “%(criterion)s” not confirmed")
        else:
            text = _("%(team)s: gate “%(gate)s” not confirmed")
        return str(text) % params

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "participation_id": self.participation_id,
            "team": self.team,
            "criterion": self.criterion,
            "gate": self.gate,
            "evaluator_code": self.evaluator_code,
            "message": self.message,
        }


def _describe(items: Sequence[PendingInput], limit: int) -> str:
    shown = "; ".join(item.message for item in items[:limit])
    if len(items) <= limit:
        return shown
    return str(_("%(shown)s; and %(count)s more")) % {"shown": shown, "count": len(items) - limit}


def describe_items(items: Sequence[PendingInput], limit: int = 5) -> Promise:
    """The first `limit` items as one line, in the language active when it is shown."""
    # A lazy proxy is a Promise; the stubs type lazy()'s result as the result class (str).
    return cast(Promise, lazy(_describe, str)(items, limit))


def pending_error(
    message: Promise, *, code: str, stage: Stage, items: Sequence[PendingInput]
) -> DomainError:
    """An error listing what is missing or unconfirmed; every item rides along in `params`."""
    return DomainError(
        message,
        code=code,
        params={
            "stage": localized(stage),
            "count": len(items),
            "items": list(items),
            "summary": describe_items(items),
        },
    )


def _require_admin(user: User | None) -> None:
    if user is None or not user_has_role(user, Role.ADMIN):
        raise PermissionDenied(
            _("Only an administrator can change a stage's status."), code="admin_required"
        )


def _stage(stage_id: int, *, for_update: bool = False) -> Stage:
    qs = Stage.objects.select_for_update(no_key=True) if for_update else Stage.objects
    stage = qs.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(
            _("Stage %(stage_id)s does not exist."), field="stage", params={"stage_id": stage_id}
        )
    return stage


def status_params(stage: Stage) -> dict[str, object]:
    """Message parameters naming a stage and its current status (code and label)."""
    return {
        "stage": localized(stage),
        "status": stage.status,
        "status_label": Stage.Status(stage.status).label,
    }


def _wrong_status(stage: Stage, message: Promise) -> DomainError:
    return DomainError(message, code="wrong_status", params=status_params(stage))


def _transition(stage: Stage, old: str, new: str, **extra: object) -> None:
    updated = Stage.objects.filter(pk=stage.pk, status=old).update(status=new, **extra)
    if updated == 0:
        current = Stage.objects.filter(pk=stage.pk).values_list("status", flat=True).first()
        raise ConflictError(
            _(
                "Stage “%(stage)s” is no longer “%(expected_label)s”; someone else changed it. "
                "Reload the page."
            ),
            code="status_changed",
            params={
                "stage": localized(stage),
                "status": current,
                "expected": old,
                "expected_label": Stage.Status(old).label,
            },
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
            raise _wrong_status(
                stage,
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; only a planned stage "
                    "can be opened."
                ),
            )
        if not stage.criteria.exists():
            raise DomainError(
                _("Stage “%(stage)s” has no criteria; add them before opening it for scoring."),
                code="no_criteria",
                params={"stage": localized(stage)},
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
                params={"criteria": ", ".join(unweighted), "stage": localized(stage)},
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


def _missing_inputs(stage: Stage) -> list[PendingInput]:
    """What is still missing for review: leaf criteria without marks, undecided gates."""
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
        pending = partial(
            PendingInput,
            participation_id=participation.pk,
            team=participation.team.slug,
            team_name=localized(participation.team),
        )
        own = {c.pk for c in participation.individual_criteria.all()}
        for criterion in leaves:
            if criterion.is_individual and criterion.pk not in own:
                continue
            if (participation.pk, criterion.pk) not in have:
                missing.append(pending("missing_score", criterion=criterion.code))
        for gate in gates:
            if (participation.pk, gate.pk) not in decided:
                missing.append(pending("gate_undecided", gate=gate.code))
    return missing


@records_history()
def stage_submit_for_review(*, stage_id: int, user: User) -> Stage:
    """scoring → review, once every team has a mark on every criterion and every gate is decided."""
    _require_admin(user)
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status != Stage.Status.SCORING:
            raise _wrong_status(
                stage,
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; only a stage in "
                    "scoring can go to review."
                ),
            )
        missing = _missing_inputs(stage)
        if missing:
            raise pending_error(
                _("Scoring is not complete: %(summary)s."),
                code="incomplete",
                stage=stage,
                items=missing,
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


def unconfirmed_entries(*, stage: Stage) -> list[PendingInput]:
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
        .order_by("participation__team__name_en", "gate__code")
    )
    items = [
        PendingInput(
            "score_unconfirmed",
            participation_id=s.participation_id,
            team=s.participation.team.slug,
            team_name=localized(s.participation.team),
            criterion=s.criterion.code,
            evaluator_code=s.evaluator_code,
        )
        for s in scores
    ]
    items += [
        PendingInput(
            "gate_result_unconfirmed",
            participation_id=g.participation_id,
            team=g.participation.team.slug,
            team_name=localized(g.participation.team),
            gate=g.gate.code,
        )
        for g in gates
    ]
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
            raise _wrong_status(
                stage,
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; only a stage in "
                    "review can be finalized."
                ),
            )
        pending = unconfirmed_entries(stage=stage)
        if pending:
            raise pending_error(
                _("Not every entry is confirmed by a second person: %(summary)s."),
                code="unconfirmed",
                stage=stage,
                items=pending,
            )
        standings_recompute(stage_id=stage.pk)
        participations = {
            p.team.slug: p for p in Participation.objects.filter(stage=stage).select_related("team")
        }
        unknown = set(decisions) - {p.pk for p in participations.values()}
        if unknown:
            raise DomainError(
                _("Participation(s) %(participations)s are not in this stage."),
                code="participation_not_in_stage",
                field="decisions",
                params={
                    "participations": ", ".join(str(pid) for pid in sorted(unknown)),
                    "participation_ids": sorted(unknown),
                },
            )
        slug_by_pid = {p.pk: slug for slug, p in participations.items()}
        given_by_team = {slug_by_pid[pid]: decision for pid, decision in decisions.items()}
        recorded: dict[str, core.RecordedDecision] = {}
        for team_slug, decision in given_by_team.items():
            if decision.outcome not in Outcome.values:
                raise unknown_outcome(decision.outcome)
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
            teams = [participations[slug].team for slug in exc.teams if slug in participations]
            raise DomainError(
                _(
                    "A decision is needed for %(teams)s: a team tied at the line or not ranked "
                    "needs a recorded decision, and a decision that differs from the proposal "
                    "needs a reason."
                ),
                code="decision_needed",
                field="decisions",
                params={
                    "teams": lazy(lambda: ", ".join(team.name for team in teams), str)(),
                    "team_slugs": list(exc.teams),
                    # The pure core's own account, in English, for logs and the curious.
                    "detail": str(exc),
                },
            ) from None

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


def unknown_outcome(outcome: str) -> DomainError:
    return DomainError(
        _("“%(outcome)s” is not an outcome."),
        code="unknown_outcome",
        field="outcome",
        params={"outcome": outcome},
    )


@records_history()
def stage_schedule_announcement(
    *, stage_id: int, user: User, announcement_at: dt.datetime
) -> Stage:
    _require_admin(user)
    if timezone.is_naive(announcement_at):
        raise DomainError(
            _("Give the announcement time with its time zone."),
            code="timezone_required",
            field="announcement_at",
        )
    with transaction.atomic():
        stage = _stage(stage_id, for_update=True)
        if stage.status == Stage.Status.PUBLISHED:
            raise _wrong_status(stage, _("Stage “%(stage)s” is already published."))
        stage.announcement_at = announcement_at
        stage.save(update_fields=["announcement_at"])
        return stage
