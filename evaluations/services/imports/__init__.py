"""Importing marks from a spreadsheet: XLSX, or CSV as Excel writes it on Korean Windows.

One row per mark, as in the downloadable template of a stage:

    팀 | 평가항목 | 평가위원 | 점수      (English headers Team / Criterion / Evaluator / Score too)

Teams and criteria are named as staff know them (Korean or English name, or the code); the
evaluator is empty for points entered directly; "비공개" / "not disclosed" records a value the
ministry did not disclose. Other columns (the template's maximum points) are ignored.

The life of an import (`ScoreImport.Status`):

1. `score_import_receive`: the file is stored with its SHA-256. The same file uploaded again
   for the same stage finds the earlier import: once applied, nothing happens a second time.
2. `score_import_check`: every row is checked by the rules of `score_save` (leaf criterion of
   the stage, the team's own criteria, evaluator code or none) plus the file's own rules
   (known team and criterion, a value and not a formula, no duplicate row); the value is read
   as the score grid reads a typed mark (`programs.numbers.mark_parse`: at most three decimals,
   not negative, not above the maximum nor the size of a mark), so the grid and a file accept
   and refuse the same marks. Problems are stored as codes with parameters and shown by row
   and column in the reader's language; a file that cannot be read at all (wrong encoding,
   damaged workbook) is one problem about the whole file. No problem → `ready`, with the plan
   of what applying will write and the version of every score it will change.
3. `score_import_apply` queues the apply; `score_import_run` performs it in ONE transaction:
   every planned score is written or none is. A score changed by someone else since the
   preview stops the whole apply (nothing is overwritten silently); the import is then
   `failed` with the reason and can be checked again and retried.

Files above `SYNC_MAX_ROWS` rows are checked and applied by the `scores_import` Celery task;
the task is safe to run twice (the import row is locked, and an applied import is left alone).
Queries are bounded: a fixed number to read the stage, then batched writes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from celery import current_app
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Participation, Score, ScoreImport
from evaluations.roles import Role, require_role
from evaluations.services.imports.checking import CheckResult, check_rows, stage_lookup
from evaluations.services.imports.files import MAX_BYTES, MAX_ROWS, FileProblem, read_sheet
from evaluations.services.imports.messages import (
    ERROR_MESSAGES,
    PROBLEM_MESSAGES,
    error_message,
    problem_column,
    problem_message,
)
from evaluations.services.imports.template import template_csv, template_xlsx
from evaluations.services.recompute import BROKER_ERRORS, stage_inputs_changed
from evaluations.services.scores import _editable_statuses
from programs.errors import ConflictError, DomainError, NotFound
from programs.history import history_actor, history_record_update
from programs.models import Criterion, Stage
from programs.numbers import decimal_text

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "error_message",
    "import_progress",
    "plan_preview",
    "problem_column",
    "problem_message",
    "score_import_apply",
    "score_import_receive",
    "score_import_recheck",
    "score_import_run",
    "template_csv",
    "template_xlsx",
]

logger = logging.getLogger(__name__)

# Above this many rows the check and the apply run as a Celery job with a progress bar.
SYNC_MAX_ROWS = 300
# Before a file is parsed its row count is unknown; about 300 rows of CSV or XLSX stay below this.
SYNC_MAX_BYTES = 20_000
BATCH_SIZE = 1_000


# --- Services --------------------------------------------------------------------------------


def _progress_key(import_id: int) -> str:
    return f"score-import-progress:{import_id}"


def import_progress(score_import: ScoreImport) -> tuple[int, int]:
    """(rows done, rows total) for the progress bar; the cache holds it while a job runs."""
    total = score_import.rows_total
    if score_import.status in (ScoreImport.Status.APPLIED,):
        return total, total
    if score_import.status in (ScoreImport.Status.INVALID, ScoreImport.Status.READY):
        return total, total
    done = cache.get(_progress_key(score_import.pk))
    return min(int(done or 0), total), total


def _set_progress(import_id: int, done: int) -> None:
    cache.set(_progress_key(import_id), done, timeout=3_600)


def score_import_receive(
    *, stage_id: int, user: User, filename: str, content: bytes
) -> ScoreImport:
    """Store an uploaded file and check it (now, or in a job for a large file).

    The same bytes uploaded again for the same stage return the earlier import; an applied one
    stays as it is, any other is checked again against the current scores.
    """
    require_role(user, Role.CLERK, Role.ADMIN)
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage %(id)s does not exist."), params={"id": stage_id})
    if len(content) > MAX_BYTES:
        # Not stored: a file this size is refused before it takes room in the database.
        raise DomainError(
            PROBLEM_MESSAGES["too_large"],
            code="too_large",
            field="file",
            params={"size": len(content), "limit": MAX_BYTES},
        )
    digest = hashlib.sha256(content).hexdigest()
    # The database cannot store the NUL character, which a client may put in a file's name.
    filename = filename.replace("\x00", "")[:255]
    with transaction.atomic():
        score_import, made = ScoreImport.objects.select_for_update().get_or_create(
            stage=stage,
            digest=digest,
            defaults={
                "filename": filename,
                "content": content,
                "size": len(content),
                "uploaded_by": user,
            },
        )
        if not made:
            if score_import.status in (ScoreImport.Status.APPLIED, ScoreImport.Status.QUEUED):
                return score_import
            score_import.status = ScoreImport.Status.RECEIVED
            score_import.filename = filename
            score_import.uploaded_by = user
            score_import.save(update_fields=["status", "filename", "uploaded_by", "updated_at"])
    if score_import.size > SYNC_MAX_BYTES:
        _enqueue(score_import.pk)
        return score_import
    return score_import_check(import_id=score_import.pk)


SCORES_IMPORT_TASK = "evaluations.scores_import"


def _enqueue(import_id: int) -> None:
    """Queue the job once the transaction commits. The task is looked up by name (tasks import
    services, not the reverse). A broker outage is logged: the import stays waiting, and the
    person can retry it from the screen."""

    def send() -> None:
        try:
            current_app.tasks[SCORES_IMPORT_TASK].delay(import_id)
        except BROKER_ERRORS as exc:
            logger.warning("Could not queue scores_import(%s): %s", import_id, exc)

    transaction.on_commit(send)


def score_import_check(*, import_id: int) -> ScoreImport:
    """received → ready (with a plan) or invalid (with problems). Safe to call twice."""
    claimed = ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.RECEIVED)
    score_import = claimed.first()
    if score_import is None:
        return ScoreImport.objects.get(pk=import_id)
    stage = score_import.stage
    _set_progress(import_id, 0)
    problems: list[dict[str, Any]] = []
    result: CheckResult | None = None
    try:
        sheet = read_sheet(bytes(score_import.content))
    except FileProblem as exc:
        problems = [
            {"row": None, "column": "", "column_key": None, "code": exc.code, "params": exc.params}
        ]
    else:
        uploader = score_import.uploaded_by
        if uploader is None or stage.status not in _editable_statuses(uploader):
            problems = [_status_problem(stage)]
        else:
            ScoreImport.objects.filter(pk=import_id).update(rows_total=len(sheet.rows))
            lookup = stage_lookup(stage=stage)
            result = check_rows(
                sheet=sheet, lookup=lookup, progress=lambda n: _set_progress(import_id, n)
            )
            problems = result.problems
    fields: dict[str, Any] = {
        "problems": problems,
        "plan": result.plan if result else [],
        "rows_total": result.rows_total if result else 0,
        "rows_checked": result.rows_total if result else 0,
        "rows_created": result.created if result else 0,
        "rows_updated": result.updated if result else 0,
        "rows_unchanged": result.unchanged if result else 0,
        "error": {},
        "status": ScoreImport.Status.INVALID if problems else ScoreImport.Status.READY,
        "updated_at": timezone.now(),
    }
    # Compare-and-set: a second check running meanwhile finds the status already moved on.
    ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.RECEIVED).update(**fields)
    return ScoreImport.objects.get(pk=import_id)


def _status_problem(stage: Stage) -> dict[str, Any]:
    return {
        "row": None,
        "column": "",
        "column_key": None,
        "code": "wrong_status",
        "params": {"stage": stage.name_ko, "status": str(stage.get_status_display())},
    }


def score_import_recheck(*, import_id: int, user: User) -> ScoreImport:
    """Check a failed or previewed import again against the current scores (e.g. after a
    conflict, or after an administrator set a missing maximum)."""
    require_role(user, Role.CLERK, Role.ADMIN)
    updated = ScoreImport.objects.filter(
        pk=import_id,
        status__in=[
            ScoreImport.Status.FAILED,
            ScoreImport.Status.INVALID,
            ScoreImport.Status.READY,
        ],
    ).update(status=ScoreImport.Status.RECEIVED, updated_at=timezone.now())
    score_import = ScoreImport.objects.filter(pk=import_id).first()
    if score_import is None:
        raise NotFound(_("Import %(id)s does not exist."), params={"id": import_id})
    if not updated and score_import.status != ScoreImport.Status.RECEIVED:
        return score_import
    if score_import.size > SYNC_MAX_BYTES:
        _enqueue(import_id)
        return score_import
    return score_import_check(import_id=import_id)


def score_import_apply(*, import_id: int, user: User) -> ScoreImport:
    """ready (or failed: a retry) → queued, then apply now or in a job for a large file."""
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        score_import = ScoreImport.objects.select_for_update().filter(pk=import_id).first()
        if score_import is None:
            raise NotFound(_("Import %(id)s does not exist."), params={"id": import_id})
        if score_import.status == ScoreImport.Status.APPLIED:
            return score_import  # the same request twice
        if score_import.status == ScoreImport.Status.QUEUED:
            # Asked again while waiting (e.g. the broker was down): queue the job again; it
            # locks the import and applies it once.
            if score_import.rows_total > SYNC_MAX_ROWS:
                _enqueue(import_id)
                return score_import
        elif score_import.status not in (ScoreImport.Status.READY, ScoreImport.Status.FAILED):
            raise DomainError(
                _("This import has problems to fix first; nothing was applied."),
                code="import_not_ready",
            )
        else:
            score_import.status = ScoreImport.Status.QUEUED
            score_import.applied_by = user
            score_import.error = {}
            score_import.save(update_fields=["status", "applied_by", "error", "updated_at"])
        if score_import.rows_total > SYNC_MAX_ROWS:
            _set_progress(import_id, 0)
            _enqueue(import_id)
            return score_import
    return score_import_run(import_id=import_id)


def score_import_run(*, import_id: int) -> ScoreImport:
    """Do what the import is waiting for: check a received file, apply a queued one.

    The Celery task's body. Safe to run twice: the import row is locked for the apply and an
    applied import is left alone. On a rule broken since the preview (a score changed by
    someone else, the stage left scoring) the import is `failed`, nothing is saved, and it can
    be retried.
    """
    score_import = ScoreImport.objects.filter(pk=import_id).first()
    if score_import is None:
        return None  # type: ignore[return-value]  # deleted meanwhile: nothing to do
    if score_import.status == ScoreImport.Status.RECEIVED:
        return score_import_check(import_id=import_id)
    if score_import.status != ScoreImport.Status.QUEUED:
        return score_import
    try:
        return _apply(import_id)
    except DomainError as exc:
        error = {"code": exc.code, "params": {k: str(v) for k, v in exc.params.items()}}
        if exc.code not in ERROR_MESSAGES:
            error["message"] = exc.message
        ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.QUEUED).update(
            status=ScoreImport.Status.FAILED,
            error=error,
            attempts=score_import.attempts + 1,
            updated_at=timezone.now(),
        )
        return ScoreImport.objects.get(pk=import_id)


def score_import_interrupted(*, import_id: int) -> None:
    """The apply job gave up (its retries spent on a database that kept failing, or an error
    nobody expected): its transaction rolled back, so nothing was saved. Say so on the import,
    which the clerk can then apply again; an applied or already failed import is left alone."""
    ScoreImport.objects.filter(pk=import_id, status=ScoreImport.Status.QUEUED).update(
        status=ScoreImport.Status.FAILED,
        error={"code": "interrupted", "params": {}},
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )


def _apply(import_id: int) -> ScoreImport:
    """Write the plan in one transaction, all of it or nothing.

    1. Lock the import row: a second run waits, then finds it applied and stops.
    2. Check the stage still takes scores from the person who applies.
    3. Lock the planned scores that exist and compare their versions with the preview's; any
       difference stops everything (someone else saved meanwhile).
    4. Create new scores in batches, update changed ones in batches (version + 1, confirmation
       cleared, as `score_save` does), bump the stage's inputs once, mark the import applied.
    """
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the nullable side of the join to applied_by.
        score_import = (
            ScoreImport.objects.select_for_update(of=("self",))
            .select_related("stage", "applied_by")
            .get(pk=import_id)
        )
        if score_import.status != ScoreImport.Status.QUEUED:
            return score_import
        stage = score_import.stage
        user = score_import.applied_by or score_import.uploaded_by
        if user is None or stage.status not in _editable_statuses(user):
            problem = _status_problem(stage)
            raise DomainError(
                PROBLEM_MESSAGES["wrong_status"], code="wrong_status", params=problem["params"]
            )
        plan = score_import.plan
        ceilings = dict(Criterion.objects.filter(stage=stage).values_list("id", "max_points"))
        targets = set(
            Criterion.objects.filter(stage=stage, target__isnull=False).values_list("id", flat=True)
        )
        update_ids = [entry[4] for entry in plan if entry[4] is not None]
        locked: dict[int, Score] = {}
        for start in range(0, len(update_ids), BATCH_SIZE):
            chunk = update_ids[start : start + BATCH_SIZE]
            # of=self, as score_save locks: the default ordering joins the participation, its
            # stage and program, and a plain FOR UPDATE would hold those rows for the whole
            # apply, stalling every save in the stage and every publication of the program.
            locked.update(
                (score.pk, score)
                for score in Score.objects.select_for_update(of=("self",)).filter(pk__in=chunk)
            )
        stale = [
            entry
            for entry in plan
            if entry[4] is not None
            and (entry[4] not in locked or locked[entry[4]].version != entry[5])
        ]
        # A mark created by someone else since the preview (the plan said "new").
        new_keys = {(e[0], e[1], e[2]) for e in plan if e[4] is None}
        if new_keys:
            pids = {key[0] for key in new_keys}
            taken = [
                key
                for key in Score.objects.filter(participation_id__in=pids).values_list(
                    "participation_id", "criterion_id", "evaluator_code"
                )
                if key in new_keys
            ]
        else:
            taken = []
        if stale or taken:
            first = stale[0][:3] if stale else list(taken[0])
            raise ConflictError(
                ERROR_MESSAGES["conflict"],
                params={"count": len(stale) + len(taken), "first": _describe(first)},
            )
        now = timezone.now()
        done = 0
        new_scores = []
        changed = []
        for pid, cid, evaluator, value, score_id, version in plan:
            decimal_value = None if value is None else Decimal(value)
            ceiling = None if cid in targets else ceilings.get(cid)
            if score_id is None:
                new_scores.append(
                    Score(
                        participation_id=pid,
                        criterion_id=cid,
                        evaluator_code=evaluator,
                        value=decimal_value,
                        value_max=ceiling,
                        entered_by=user,
                    )
                )
            else:
                score = locked[score_id]
                score.value = decimal_value
                score.value_max = ceiling
                score.version = version + 1
                score.entered_by = user
                score.entered_at = now
                score.confirmed_by = None
                score.confirmed_at = None
                changed.append(score)
        reason = f"가져오기 / import: {score_import.filename}"
        for start in range(0, len(new_scores), BATCH_SIZE):
            batch = Score.objects.bulk_create(new_scores[start : start + BATCH_SIZE])
            # bulk_create sends no signals: write the "created" history records ourselves.
            Score.history.bulk_history_create(
                batch, default_user=user, default_change_reason=reason
            )
            done += len(batch)
            _set_progress(import_id, done)
        # One UPDATE per distinct (value, ceiling) rather than a CASE per row: every other
        # field changes the same way for all rows (versions were checked under the row locks
        # above), and marks take few distinct values, so this stays a handful of queries.
        groups: dict[tuple[Decimal | None, Decimal | None], list[int]] = {}
        for score in changed:
            groups.setdefault((score.value, score.value_max), []).append(score.pk)
        for (value, ceiling), ids in groups.items():
            for start in range(0, len(ids), BATCH_SIZE):
                chunk = ids[start : start + BATCH_SIZE]
                Score.objects.filter(pk__in=chunk).update(
                    value=value,
                    value_max=ceiling,
                    version=F("version") + 1,
                    entered_by=user,
                    entered_at=now,
                    confirmed_by=None,
                    confirmed_at=None,
                )
                done += len(chunk)
                _set_progress(import_id, done)
        if changed:
            with history_actor(user=user, reason=reason):
                history_record_update(Score, [score.pk for score in changed])
        if plan:
            stage_inputs_changed(stage_id=stage.pk)
        score_import.status = ScoreImport.Status.APPLIED
        score_import.applied_at = now
        score_import.attempts += 1
        score_import.error = {}
        score_import.save(update_fields=["status", "applied_at", "attempts", "error", "updated_at"])
        _set_progress(import_id, score_import.rows_total)
        return score_import


def _describe(key: Sequence[Any]) -> str:
    pid, cid, evaluator = key[0], key[1], key[2]
    participation = Participation.objects.filter(pk=pid).select_related("team").first()
    criterion = Criterion.objects.filter(pk=cid).first()
    parts = [
        participation.team.name_ko if participation else str(pid),
        criterion.name_ko if criterion else str(cid),
    ]
    if evaluator:
        parts.append(evaluator)
    return " / ".join(parts)


def plan_preview(score_import: ScoreImport, *, limit: int = 200) -> list[dict[str, Any]]:
    """The first `limit` writes an import will make: team, criterion, evaluator, the value
    now (and who entered it) and the value from the file. Three queries whatever the limit."""
    entries = score_import.plan[:limit]
    if not entries:
        return []
    teams = dict(
        Participation.objects.filter(pk__in={e[0] for e in entries}).values_list(
            "id", "team__name_ko"
        )
    )
    criteria = dict(
        Criterion.objects.filter(pk__in={e[1] for e in entries}).values_list("id", "name_ko")
    )
    current = {
        sid: (value, who)
        for sid, value, who in Score.objects.filter(
            pk__in=[e[4] for e in entries if e[4] is not None]
        ).values_list("id", "value", "entered_by__username")
    }
    rows = []
    for pid, cid, evaluator, value, score_id, _version in entries:
        before = current.get(score_id) if score_id is not None else None
        rows.append(
            {
                "team": teams.get(pid, pid),
                "criterion": criteria.get(cid, cid),
                "evaluator": evaluator,
                "new": score_id is None,
                "before": decimal_text(before[0]) if before else None,
                "before_by": before[1] if before else "",
                "after": decimal_text(Decimal(value)) if value is not None else None,
            }
        )
    return rows
