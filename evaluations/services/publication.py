"""Publishing: freezing a stage's standings and decisions into what the public may see.

A `Publication` copies the current snapshot's rows, the decisions and the published statistics
into a JSON payload at the moment of publication. Later changes to inputs or decisions never
alter it; a correction is a new publication that points to the one it corrects, with a note.
Per-evaluator marks never enter a payload: only the published points per criterion.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.chain import publication_record, record_digest
from evaluations.models import Decision, Outcome, Publication, StageStatistic
from evaluations.roles import Role, require_role
from evaluations.selectors_staff import participation_get
from evaluations.services.decisions import decision_record
from evaluations.services.lifecycle import (
    pending_error,
    status_params,
    team_decision_apply,
    unconfirmed_entries,
    unknown_outcome,
)
from evaluations.services.recompute import current_snapshot, standings_recompute
from evaluations.signals import publication_made
from programs.errors import ConflictError, DomainError, NotFound, localized
from programs.history import history_record_update, records_history
from programs.models import Criterion, Program, Stage
from programs.numbers import decimal_text

logger = logging.getLogger(__name__)

PAYLOAD_VERSION = 1


def publication_payload_build(*, stage: Stage) -> dict[str, Any]:
    """The public record of a stage as of now, from its current snapshot and decisions."""
    snapshot = current_snapshot(stage=stage)
    if snapshot is None:
        raise DomainError(
            _("Stage “%(stage)s” has no computed standings to publish."),
            code="no_standings",
            params={"stage": localized(stage)},
        )
    criteria = [
        {
            "code": c.code,
            "parent": c.parent.code if c.parent is not None else None,
            "name_ko": c.name_ko,
            "name_en": c.name_en,
            "max_points": decimal_text(c.max_points),
            "is_individual": c.is_individual,
        }
        for c in Criterion.objects.filter(stage=stage).select_related("parent")
    ]
    decisions = {d.participation_id: d for d in Decision.objects.filter(participation__stage=stage)}
    rows = []
    for row in snapshot.rows.select_related("participation__team").prefetch_related(
        "participation__ai_models"
    ):
        team = row.participation.team
        decision = decisions.get(row.participation_id)
        rows.append(
            {
                "team": team.slug,
                "team_name_ko": team.name_ko,
                "team_name_en": team.name_en,
                "models": [m.name for m in row.participation.ai_models.all()],
                "position": row.position,
                "rank": row.rank,
                "tied": row.tied,
                "total": decimal_text(row.total),
                "points": row.points,
                "proposed_outcome": row.proposed_outcome,
                "outcome": decision.outcome if decision else None,
                "reason_code": decision.reason_code if decision else row.reason_code,
                "reason_ko": decision.reason_ko if decision else row.reason_ko,
                "reason_en": decision.reason_en if decision else row.reason_en,
                "overrides_proposal": decision.overrides_proposal if decision else False,
                "failed_gates": row.failed_gates,
            }
        )
    statistics = [
        {
            "criterion": s.criterion.code if s.criterion is not None else None,
            "kind": s.kind,
            "value": decimal_text(s.value),
            "team_count": s.team_count,
        }
        for s in StageStatistic.objects.filter(stage=stage).select_related("criterion")
    ]
    return {
        "version": PAYLOAD_VERSION,
        "stage": {"slug": stage.slug, "name_ko": stage.name_ko, "name_en": stage.name_en},
        "criteria": criteria,
        "rows": rows,
        "statistics": statistics,
        "snapshot": {
            "id": snapshot.pk,
            "input_digest": snapshot.input_digest,
            "engine_version": snapshot.engine_version,
        },
    }


def _public_part(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != "snapshot"}


def _publication_create(*, stage: Stage, **fields: Any) -> Publication:
    """Create a publication linked into its program's hash chain (evaluations/chain.py).

    The program row is locked first so that two stages published at once chain one after the
    other instead of both following the same publication (the database refuses a fork too).
    """
    Program.objects.select_for_update().filter(pk=stage.program_id).exists()
    previous = (
        Publication.objects.filter(stage__program_id=stage.program_id)
        .order_by("-pk")
        .values_list("digest", flat=True)
        .first()
    ) or ""
    corrects: Publication | None = fields.get("corrects")
    record = publication_record(
        program=Program.objects.values_list("slug", flat=True).get(pk=stage.program_id),
        stage=stage.slug,
        sequence=fields["sequence"],
        published_at=fields["published_at"],
        corrects_sequence=corrects.sequence if corrects is not None else None,
        note_ko=fields.get("note_ko", ""),
        note_en=fields.get("note_en", ""),
        payload=fields["payload"],
        previous_digest=previous,
    )
    publication = Publication.objects.create(
        stage=stage, digest=record_digest(record), previous_digest=previous, **fields
    )
    publication_id, stage_id = publication.pk, stage.pk
    is_correction = corrects is not None
    transaction.on_commit(
        lambda: publication_made.send(
            sender=Publication,
            publication_id=publication_id,
            stage_id=stage_id,
            is_correction=is_correction,
        )
    )
    return publication


@records_history()
def stage_publish(
    *,
    stage_id: int,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Publication:
    """finalized → published, exactly once (compare-and-set), freezing the public record.

    `user=None` is the `stage_publish_due` beat task acting at the announcement time; a person
    publishing at once must be an administrator.
    """
    if user is not None:
        require_role(user, Role.ADMIN)
    now = now or timezone.now()
    with transaction.atomic():
        stage = Stage.objects.filter(pk=stage_id).first()
        if stage is None:
            raise _stage_not_found(stage_id)
        # The status update takes the row lock: a second publisher waits here, then finds the
        # stage no longer finalized and updates nothing.
        claimed = Stage.objects.filter(pk=stage_id, status=Stage.Status.FINALIZED).update(
            status=Stage.Status.PUBLISHED, published_at=now
        )
        if claimed == 0:
            stage.refresh_from_db(fields=["status"])
            if stage.status == Stage.Status.PUBLISHED:
                raise ConflictError(
                    _("Stage “%(stage)s” is already published."),
                    code="already_published",
                    params=status_params(stage),
                )
            raise DomainError(
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; only a finalized "
                    "stage can be published."
                ),
                code="wrong_status",
                params=status_params(stage),
            )
        history_record_update(Stage, [stage_id])
        stage.status, stage.published_at = Stage.Status.PUBLISHED, now
        payload = publication_payload_build(stage=stage)
        publication = _publication_create(
            stage=stage,
            sequence=1,
            snapshot_id=payload["snapshot"]["id"],
            published_at=now,
            published_by=user,
            payload=payload,
        )
        transaction.on_commit(lambda: logger.info("Stage %s published.", stage_id))
        return publication


def _stage_not_found(stage_id: int) -> NotFound:
    return NotFound(
        _("Stage %(stage_id)s does not exist."), field="stage", params={"stage_id": stage_id}
    )


def stage_publish_due(*, now: dt.datetime | None = None) -> list[int]:
    """Publish every finalized stage whose announcement time has passed; return their ids."""
    now = now or timezone.now()
    published = []
    due = Stage.objects.filter(
        status=Stage.Status.FINALIZED, announcement_at__isnull=False, announcement_at__lte=now
    ).values_list("pk", flat=True)
    for stage_id in list(due):
        try:
            stage_publish(stage_id=stage_id, now=now)
        except ConflictError:
            continue  # another beat got there first
        published.append(stage_id)
    return published


@records_history("reason_ko", "reason_en")
def decision_change(
    *,
    participation_id: int,
    user: User,
    outcome: str,
    reason_ko: str,
    reason_en: str,
) -> Decision:
    """Change a published stage's decision ahead of a correction; a reason is required."""
    require_role(user, Role.ADMIN)
    if outcome not in Outcome.values:
        raise unknown_outcome(outcome)
    if not (reason_ko.strip() or reason_en.strip()):
        raise DomainError(
            _("Changing a decision needs a reason."), code="reason_required", field="reason_ko"
        )
    with transaction.atomic():
        participation = participation_get(participation_id=participation_id)
        if participation.stage.status not in (Stage.Status.FINALIZED, Stage.Status.PUBLISHED):
            raise DomainError(
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; decisions are "
                    "recorded when the stage is finalized."
                ),
                code="wrong_status",
                params=status_params(participation.stage),
            )
        decision = Decision.objects.filter(participation=participation).first()
        proposed = decision.proposed_outcome if decision else ""
        decision = decision_record(
            participation=participation,
            user=user,
            outcome=outcome,
            reason_code=Decision.Reason.COMMITTEE,
            reason_ko=reason_ko.strip(),
            reason_en=reason_en.strip(),
            proposed_outcome=proposed,
            overrides_proposal=bool(proposed) and proposed != outcome,
        )
        team_decision_apply(team=participation.team, stage=participation.stage, outcome=outcome)
        return decision


@records_history("note_ko", "note_en")
def publication_correct(
    *, stage_id: int, user: User, note_ko: str = "", note_en: str = ""
) -> Publication:
    """Publish a correction: a new frozen record pointing to the latest one, with a note."""
    require_role(user, Role.ADMIN)
    if not (note_ko.strip() or note_en.strip()):
        raise DomainError(
            _("A correction needs a note saying what changed."),
            code="note_required",
            field="note_ko",
        )
    with transaction.atomic():
        # no_key: a recompute committing meanwhile needs a key-share lock on this row.
        stage = Stage.objects.select_for_update(no_key=True).filter(pk=stage_id).first()
        if stage is None:
            raise _stage_not_found(stage_id)
        if stage.status != Stage.Status.PUBLISHED:
            raise DomainError(
                _(
                    "Stage “%(stage)s” is in the status “%(status_label)s”; only a published "
                    "stage can be corrected."
                ),
                code="wrong_status",
                params=status_params(stage),
            )
        pending = unconfirmed_entries(stage=stage)
        if pending:
            raise pending_error(
                _("Not every changed entry is confirmed by a second person: %(summary)s."),
                code="unconfirmed",
                stage=stage,
                items=pending,
            )
        latest = Publication.objects.filter(stage=stage).order_by("-sequence").first()
        if latest is None:
            raise DomainError(
                _("Stage “%(stage)s” has no publication to correct."),
                code="no_publication",
                params={"stage": localized(stage)},
            )
        standings_recompute(stage_id=stage.pk)
        payload = publication_payload_build(stage=stage)
        if _public_part(payload) == _public_part(latest.payload):
            raise DomainError(
                _(
                    "Nothing public has changed since the last publication; there is nothing to "
                    "correct."
                ),
                code="unchanged",
            )
        return _publication_create(
            stage=stage,
            sequence=latest.sequence + 1,
            snapshot_id=payload["snapshot"]["id"],
            published_at=timezone.now(),
            published_by=user,
            corrects=latest,
            note_ko=note_ko.strip(),
            note_en=note_en.strip(),
            payload=payload,
        )
