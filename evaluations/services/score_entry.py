"""Score entry beyond one mark at a time: a whole team's row in one request, a verifier sending
an entry back, and confirming a whole team.

The rules are those of `scores.py` (the two-person rule, versions for conflicts, entry only in
scoring); these functions apply them to many marks with a fixed number of queries, so a row of
200 marks costs what a row of 2 does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluations.models import GateResult, Participation, Score
from evaluations.roles import Role, require_role
from evaluations.services.recompute import stage_inputs_changed
from evaluations.services.scores import (
    EVALUATOR_CODE,
    _check_editable,
    _value_ceiling,
    gate_result_save,
)
from programs.errors import ConflictError, DomainError, NotFound, PermissionDenied
from programs.history import (
    current_actor_user,
    current_reason,
    history_record_update,
    records_history,
)
from programs.models import Criterion, Source, Stage
from programs.numbers import decimal_text

SEND_BACK_NOTE_MAX = 500


@dataclass(frozen=True)
class MarkEntry:
    """One cell of a row: `value` None means "not disclosed" (an explicit choice)."""

    criterion_id: int
    value: Decimal | None
    evaluator_code: str = ""
    expected_version: int | None = None  # the version the person saw; None for a new mark


@dataclass(frozen=True)
class CellConflict:
    """A mark someone else saved since it was loaded: what they saved, and who."""

    criterion_id: int
    evaluator_code: str
    yours: Decimal | None
    theirs: Decimal | None
    their_version: int
    saved_by: str
    saved_at: object


class RowConflict(ConflictError):
    def __init__(self, conflicts: list[CellConflict]) -> None:
        super().__init__(
            _(
                "%(count)s mark(s) in this row were changed by someone else since you loaded "
                "them; nothing in the row was saved."
            ),
            params={"count": len(conflicts)},
        )
        self.conflicts = conflicts


def _cell_error(
    entry: MarkEntry, message: str | Promise, code: str = "invalid", **params: object
) -> DomainError:
    return DomainError(
        message,
        code=code,
        field=f"cell:{entry.criterion_id}:{entry.evaluator_code}",
        params=params,
    )


@records_history()
def scores_save_row(
    *, participation_id: int, entries: Sequence[MarkEntry], user: User
) -> list[Score]:
    """Save a team's marks all or nothing, in a fixed number of queries whatever the row size.

    1. Lock the participation's stage row and check the stage takes entries from this person.
    2. Check every cell against its criterion (a leaf of this stage, this team's own if it is
       individual, evaluator code or not as the aggregation asks, within the maximum).
    3. Lock the existing marks of the row; a cell whose version moved since it was loaded is a
       conflict, and any conflict refuses the whole row, naming each cell and who saved it.
    4. Create the new marks in one statement, update the changed ones in one statement
       (version + 1, confirmation cleared), and mark the stage's standings stale once.
    Unchanged cells (same value, same version) are left alone, so the same request twice
    changes nothing.
    """
    require_role(user, Role.CLERK, Role.ADMIN)
    with transaction.atomic():
        participation = (
            Participation.objects.select_related("stage", "team")
            .filter(pk=participation_id)
            .first()
        )
        if participation is None:
            raise NotFound(_("That team does not take part in this stage."))
        stage = Stage.objects.select_for_update(no_key=True).get(pk=participation.stage_id)
        _check_editable(stage, user)
        criteria = {c.pk: c for c in Criterion.objects.filter(stage=stage)}
        leaf_ids = set(criteria) - set(
            Criterion.objects.filter(stage=stage, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        own = set(participation.individual_criteria.values_list("pk", flat=True))
        seen: set[tuple[int, str]] = set()
        for entry in entries:
            criterion = criteria.get(entry.criterion_id)
            if criterion is None or entry.criterion_id not in leaf_ids:
                raise _cell_error(entry, _("That column is not a criterion to enter marks in."))
            key = (entry.criterion_id, entry.evaluator_code)
            if key in seen:
                raise _cell_error(entry, _("The same mark appears twice in this row."))
            seen.add(key)
            if criterion.is_individual and criterion.pk not in own:
                raise _cell_error(
                    entry,
                    _("“%(criterion)s” is not one of this team's own criteria."),
                    criterion=criterion.name,
                )
            direct = criterion.aggregation == Criterion.Aggregation.DIRECT
            if direct and entry.evaluator_code:
                raise _cell_error(
                    entry, _("“%(criterion)s” takes points directly."), criterion=criterion.name
                )
            if not direct and not EVALUATOR_CODE.match(entry.evaluator_code):
                raise _cell_error(
                    entry, _("“%(criterion)s” needs an evaluator code."), criterion=criterion.name
                )
            if criterion.max_points is None and criterion.target is None:
                raise _cell_error(
                    entry,
                    _("The maximum points of “%(criterion)s” are not set yet."),
                    criterion=criterion.name,
                )
            ceiling = _value_ceiling(criterion)
            if entry.value is not None and ceiling is not None and entry.value > ceiling:
                raise _cell_error(
                    entry,
                    _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
                    code="above_max",
                    value=decimal_text(entry.value),
                    max=decimal_text(ceiling),
                    criterion=criterion.name,
                )
            if entry.value is not None and entry.value < 0:
                raise _cell_error(entry, _("A mark cannot be negative."), code="negative")

        existing = {
            (s.criterion_id, s.evaluator_code): s
            for s in Score.objects.select_for_update(of=("self",))
            .select_related("entered_by")
            .filter(participation=participation, criterion_id__in=[e.criterion_id for e in entries])
        }
        conflicts: list[CellConflict] = []
        to_create: list[Score] = []
        to_update: list[Score] = []
        now = timezone.now()
        for entry in entries:
            current = existing.get((entry.criterion_id, entry.evaluator_code))
            if current is None:
                if entry.expected_version not in (None, 0):
                    conflicts.append(_conflict(entry, None))
                    continue
                to_create.append(
                    Score(
                        participation=participation,
                        criterion_id=entry.criterion_id,
                        evaluator_code=entry.evaluator_code,
                        value=entry.value,
                        value_max=_value_ceiling(criteria[entry.criterion_id]),
                        entered_by=user,
                    )
                )
            elif current.version != entry.expected_version:
                conflicts.append(_conflict(entry, current))
            elif current.value != entry.value:
                current.value = entry.value
                current.version = current.version + 1
                current.entered_by = user
                current.entered_at = now
                current.confirmed_by = None
                current.confirmed_at = None
                to_update.append(current)
        if conflicts:
            raise RowConflict(conflicts)
        # Bulk writes send no signals: their history is written here, one record per mark.
        if to_create:
            Score.objects.bulk_create(to_create)
            Score.history.bulk_history_create(
                to_create,
                default_user=current_actor_user(),
                default_change_reason=current_reason() or None,
            )
        if to_update:
            Score.objects.bulk_update(
                to_update,
                ["value", "version", "entered_by", "entered_at", "confirmed_by", "confirmed_at"],
            )
            history_record_update(Score, [score.pk for score in to_update])
        if to_create or to_update:
            stage_inputs_changed(stage_id=stage.pk)
        return [*to_create, *to_update]


def _conflict(entry: MarkEntry, current: Score | None) -> CellConflict:
    return CellConflict(
        criterion_id=entry.criterion_id,
        evaluator_code=entry.evaluator_code,
        yours=entry.value,
        theirs=current.value if current else None,
        their_version=current.version if current else 0,
        saved_by=(current.entered_by.get_username() if current and current.entered_by else "—"),
        saved_at=current.entered_at if current else None,
    )


def _send_back_note(note: str, missing: Promise) -> str:
    """A send-back's note or the clerk's answer to it: required, and short enough to read."""
    note = (note or "").strip()
    if not note:
        raise DomainError(missing, field="note", code="required")
    if len(note) > SEND_BACK_NOTE_MAX:
        raise DomainError(
            _("Keep the note under %(max)s characters."),
            field="note",
            params={"max": SEND_BACK_NOTE_MAX},
        )
    return note


def _score_locked(score_id: int) -> Score:
    """The mark, locked for this transaction (only its row: not the stage's or program's)."""
    score = (
        Score.objects.select_for_update(of=("self",))
        .select_related("participation__stage")
        .filter(pk=score_id)
        .first()
    )
    if score is None:
        raise NotFound(_("That mark does not exist any more."))
    return score


@records_history("note")
def score_send_back(*, score_id: int, user: User, expected_version: int, note: str) -> Score:
    """A verifier returns an unconfirmed mark to the clerk with a note instead of confirming it.

    The mark stays as it is (the clerk corrects it); it counts as sent back until it is saved
    again after the note (`entered_at` later than `sent_back_at`).
    """
    require_role(user, Role.VERIFIER, Role.ADMIN)
    note = _send_back_note(note, _("Say what is wrong, so the clerk knows what to fix."))
    with transaction.atomic():
        score = _score_locked(score_id)
        if score.participation.stage.status not in (Stage.Status.SCORING, Stage.Status.REVIEW):
            raise DomainError(
                _("Marks can be sent back only while the stage is in scoring or review."),
                code="wrong_status",
            )
        if score.entered_by_id == user.pk:
            raise PermissionDenied(_("You entered this mark; another person must check it."))
        if score.entered_by_id is None:
            raise DomainError(
                _("This mark comes from the public record; there is no clerk to send it back to."),
                code="not_entered",
            )
        if score.version != expected_version:
            raise ConflictError(
                _("This mark was changed since you loaded it; check it again."),
            )
        if score.confirmed_by_id is not None:
            raise DomainError(_("This mark is already confirmed."), code="already_confirmed")
        score.sent_back_by = user
        score.sent_back_at = timezone.now()
        score.sent_back_note = note
        score.save(update_fields=["sent_back_by", "sent_back_at", "sent_back_note"])
        return score


@records_history("note")
def score_keep_after_send_back(
    *, score_id: int, user: User, expected_version: int, note: str
) -> Score:
    """A clerk answers a verifier's send-back: the mark is right as it is, and says why.

    Re-saving the same value changes nothing (unchanged cells are left alone), so without this a
    correct mark that was sent back could never leave the sent-back list. The mark is entered
    again as it stands by this clerk (`entered_at` now, so it no longer counts as sent back; the
    version moves on, so the verifier checks it afresh), and the reply is its history's reason.
    """
    require_role(user, Role.CLERK, Role.ADMIN)
    note = _send_back_note(
        note, _("Say why the mark is right, so the verifier can check it again.")
    )
    with transaction.atomic():
        score = _score_locked(score_id)
        _check_editable(score.participation.stage, user)
        if score.version != expected_version:
            raise ConflictError(_("This mark was changed since you loaded it; check it again."))
        if score.sent_back_at is None or score.sent_back_at < score.entered_at:
            raise DomainError(_("This mark is not sent back."), code="not_sent_back")
        if score.sent_back_by_id == user.pk:
            raise PermissionDenied(_("You sent this mark back; the clerk answers it."))
        score.entered_by = user
        score.entered_at = timezone.now()
        score.version += 1
        score.save(update_fields=["entered_by", "entered_at", "version"])
        stage_inputs_changed(stage_id=score.participation.stage_id)
        return score


@records_history()
def scores_confirm_team(*, participation_id: int, user: User, versions: dict[int, int]) -> int:
    """Confirm every listed mark of one team as the verifier saw it (score id → version).

    All or nothing: a mark changed since it was loaded, entered by this verifier, or sent back
    and not yet fixed refuses the whole set. Returns how many marks were confirmed.
    """
    require_role(user, Role.VERIFIER, Role.ADMIN)
    if not versions:
        return 0
    with transaction.atomic():
        scores = list(
            Score.objects.select_for_update(of=("self",))
            .select_related("participation__stage")
            .filter(pk__in=list(versions), participation_id=participation_id)
        )
        if len(scores) != len(versions):
            raise ConflictError(_("Some marks were removed since you loaded the page; reload it."))
        stage = scores[0].participation.stage
        if stage.status not in (Stage.Status.SCORING, Stage.Status.REVIEW):
            raise DomainError(
                _("Marks can be confirmed only while the stage is in scoring or review."),
                code="wrong_status",
            )
        pending = []
        for score in scores:
            if score.entered_by_id == user.pk:
                raise PermissionDenied(
                    _("Some of these marks were entered by you; another person must confirm them.")
                )
            if score.version != versions[score.pk]:
                raise ConflictError(
                    _("Some marks were changed since you loaded the page; check them again.")
                )
            if score.sent_back_at is not None and score.sent_back_at >= score.entered_at:
                raise DomainError(
                    _("A mark you sent back has not been fixed yet."), code="sent_back"
                )
            if score.confirmed_by_id is None and score.entered_by_id is not None:
                pending.append(score.pk)
        now = timezone.now()
        confirmed = Score.objects.filter(pk__in=pending, confirmed_by__isnull=True).update(
            confirmed_by=user, confirmed_at=now
        )
        history_record_update(Score, pending)
        return confirmed


@records_history("reason_ko", "reason_en")
def gate_result_record(
    *,
    participation_id: int,
    gate_id: int,
    passed: bool | None,
    user: User,
    reason_ko: str = "",
    reason_en: str = "",
    source_keys: Sequence[str] = (),
    expected_version: int | None = None,
) -> GateResult:
    """`gate_result_save` plus the sources behind the result, in one transaction.

    A failure needs a reason (Korean or English); the sources are citation keys of `Source`
    rows (e.g. "S36"), all of which must exist.
    """
    keys = sorted({key.strip() for key in source_keys if key.strip()})
    with transaction.atomic():
        sources = list(Source.objects.filter(key__in=keys))
        unknown = sorted(set(keys) - {source.key for source in sources})
        if unknown:
            raise DomainError(
                _("Unknown source(s): %(keys)s."),
                field="sources",
                code="unknown_source",
                params={"keys": ", ".join(unknown)},
            )
        result = gate_result_save(
            participation_id=participation_id,
            gate_id=gate_id,
            passed=passed,
            user=user,
            reason_ko=reason_ko,
            reason_en=reason_en,
            expected_version=expected_version,
        )
        if {s.pk for s in result.sources.all()} != {s.pk for s in sources}:
            result.sources.set(sources)
        return result
