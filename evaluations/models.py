"""Stage evaluations: who took part, the scores they received, and what the public may see.

- `Participation`: a team in a stage, with the models it submitted and any criteria of its own
  (each team's "global individual" benchmarks).
- `Score`: one evaluator's mark (or points entered directly) for one participation and
  criterion. NULL value = recorded as "not disclosed". `version` detects two people saving the
  same score; the person who confirms a score must not be the person who entered it.
- `GateResult`: pass/fail on a gate (e.g. independence).
- `StandingsSnapshot` + `StandingsRow`: computed standings, written whole by the recompute
  service; exactly one snapshot per stage is current. `input_digest` makes recompute idempotent.
- `Decision`: the final outcome per participation; overriding the proposed outcome needs a reason.
- `Publication`: a frozen copy of a snapshot and its decisions, made public at a moment. A
  correction is a new publication pointing to the one it corrects. Published numbers never
  change in place; every public read goes through publications (see selectors.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.errors import localized
from programs.history import TrackedHistory
from programs.models import Criterion, Gate, Source, Stage
from programs.numbers import MARK_DECIMALS, MARK_MAX_DIGITS
from teams.models import AIModel, Team


class Outcome(models.TextChoices):
    ADVANCED = "advanced", _("Advanced")
    ELIMINATED = "eliminated", _("Eliminated")
    DISQUALIFIED = "disqualified", _("Disqualified")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProposedOutcome(models.TextChoices):
    ADVANCED = "advanced", _("Advances")
    ELIMINATED = "eliminated", _("Below the line")
    DISQUALIFIED = "disqualified", _("Disqualified by a gate")
    TIE_AT_LINE = "tie_at_line", _("Tie at the line: committee decision needed")
    NOT_RANKED = "not_ranked", _("Not ranked")


# What "confirmed" means, for scores and gate results alike, in one place: a second person
# confirmed it, or it came from the ministry's public record (nobody entered it here, and the
# loader stamped when it was published). A row with neither an enterer nor a confirmation has
# nobody vouching for it and is not confirmed.
CONFIRMED = Q(confirmed_by__isnull=False) | Q(entered_by__isnull=True, confirmed_at__isnull=False)


class ConfirmableQuerySet(models.QuerySet):
    def confirmed(self) -> ConfirmableQuerySet:
        return self.filter(CONFIRMED)

    def unconfirmed(self) -> ConfirmableQuerySet:
        return self.exclude(CONFIRMED)


class ConfirmableMixin:
    """`is_confirmed` for a single row, by the same rule as `CONFIRMED`."""

    confirmed_by_id: int | None
    entered_by_id: int | None
    confirmed_at: object

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_by_id is not None or (
            self.entered_by_id is None and self.confirmed_at is not None
        )


class Participation(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="participations")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="participations")
    ai_models = models.ManyToManyField(AIModel, blank=True, related_name="participations")
    individual_criteria = models.ManyToManyField(
        Criterion,
        blank=True,
        related_name="individual_participations",
        help_text="This team's own criteria (criteria marked individual).",
    )
    ranked = models.BooleanField(
        default=True, help_text="Off for a team that joined after scoring began."
    )
    note = models.CharField(max_length=300, blank=True)
    # The models submitted and the team's own criteria are part of what it was scored on.
    history = TrackedHistory(m2m_fields=[ai_models, individual_criteria])

    class Meta:
        ordering = ["stage", "team__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "team"], name="participation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team} @ {self.stage}"

    def clean(self) -> None:
        if self.team_id and self.stage_id and self.team.program_id != self.stage.program_id:
            raise ValidationError(
                {
                    "team": ValidationError(
                        _("This team belongs to another program than the stage."),
                        code="other_program",
                    )
                }
            )
        if not self.ranked and self.team_id and self.stage_id:
            self._check_unranked()

    def _check_unranked(self) -> None:
        """Refuse "not ranked / joined later" for a team that was in the program all along.

        A team really joined after scoring of this stage began only when both hold:
        1. scoring of the stage has begun (it is no longer planned), and
        2. the team joined the program at a stage that comes after this one in the program's
           order (e.g. through an additional call that ran while this stage was scored).
        A team that joined at this stage or before was there when scoring began (opening a
        stage gives it a place) and is ranked like everyone else.
        """
        stage, joined = self.stage, self.team.joined_stage
        if stage.status != Stage.Status.PLANNED and joined.order > stage.order:
            return
        if stage.status == Stage.Status.PLANNED:
            message = _(
                "“%(team)s” cannot be left unranked in “%(stage)s”: scoring of that stage has not "
                "begun, so no team can have joined after it began."
            )
        else:
            message = _(
                "“%(team)s” cannot be left unranked in “%(stage)s”: it joined the program at "
                "“%(joined_stage)s”, before scoring of that stage began, so it is ranked like "
                "every other team. Only a team that joined at a later stage may be left unranked."
            )
        raise ValidationError(
            {
                "ranked": ValidationError(
                    message,
                    code="ranked_not_joined_later",
                    params={
                        "team": localized(self.team),
                        "stage": localized(stage),
                        "joined_stage": localized(joined),
                        "stage_status": stage.status,
                    },
                )
            }
        )


class Score(ConfirmableMixin, models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="scores"
    )
    # RESTRICT: a criterion with scores cannot be deleted alone, but its whole stage can be.
    criterion = models.ForeignKey(Criterion, on_delete=models.RESTRICT, related_name="scores")
    evaluator_code = models.CharField(
        max_length=20, blank=True, help_text="Evaluator code (e.g. E03); empty for direct points."
    )
    # The sizes every way of entering a mark checks against (programs.numbers.MARK_LIMIT).
    value = models.DecimalField(
        max_digits=MARK_MAX_DIGITS,
        decimal_places=MARK_DECIMALS,
        null=True,
        blank=True,
        help_text="Empty = not disclosed.",
    )
    # Copy of the criterion's ceiling at save time so the database itself can refuse points
    # above the maximum (a CHECK cannot look into another table). NULL for criteria normalised
    # against a target, whose marks are achieved benchmark scores, and for undisclosed maxima.
    value_max = models.DecimalField(
        max_digits=9, decimal_places=3, null=True, blank=True, editable=False
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    note = models.CharField(max_length=300, blank=True)
    # A verifier may send an unconfirmed entry back to the clerk with a note instead of
    # confirming it; the next save of the entry clears all three.
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_note = models.CharField(max_length=500, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="scores")
    objects = ConfirmableQuerySet.as_manager()
    history = TrackedHistory()

    class Meta:
        ordering = ["participation", "criterion__order", "evaluator_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "criterion", "evaluator_code"], name="score_unique_mark"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="score_not_negative",
                violation_error_message="A score cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | Q(value_max__isnull=True)
                | Q(value__lte=F("value_max")),
                name="score_within_max_points",
                violation_error_message="A score cannot exceed the criterion's maximum points.",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="score_confirmer_is_not_enterer",
                violation_error_message="The person who entered a score cannot confirm it.",
            ),
        ]

    def __str__(self) -> str:
        who = self.evaluator_code or "direct"
        return f"{self.participation} {self.criterion.code} [{who}] = {self.value}"


class GateResult(ConfirmableMixin, models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="gate_results"
    )
    gate = models.ForeignKey(Gate, on_delete=models.RESTRICT, related_name="results")
    passed = models.BooleanField(null=True, blank=True, help_text="Empty = not decided yet.")
    reason_ko = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    sources = models.ManyToManyField(Source, blank=True, related_name="gate_results")
    objects = ConfirmableQuerySet.as_manager()
    history = TrackedHistory()

    class Meta:
        ordering = ["participation", "gate__code"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "gate"], name="gate_result_unique"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="gate_result_confirmer_is_not_enterer",
                violation_error_message="The person who entered a gate result cannot confirm it.",
            ),
        ]

    def __str__(self) -> str:
        state = {True: "passed", False: "failed", None: "pending"}[self.passed]
        return f"{self.participation} {self.gate.code}: {state}"


class StageStatistic(models.Model):
    """An aggregate the ministry published without per-team numbers (e.g. five-team averages)."""

    class Kind(models.TextChoices):
        MEAN = "mean", _("Average")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="statistics")
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Empty = the total score.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEAN)
    value = models.DecimalField(max_digits=9, decimal_places=3)
    team_count = models.PositiveSmallIntegerField(null=True, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="statistics")

    class Meta:
        ordering = ["stage", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "criterion", "kind"],
                condition=Q(criterion__isnull=False),
                name="statistic_unique_per_criterion",
            ),
            models.UniqueConstraint(
                fields=["stage", "kind"],
                condition=Q(criterion__isnull=True),
                name="statistic_unique_total",
            ),
        ]

    def __str__(self) -> str:
        what = self.criterion.code if self.criterion is not None else "total"
        return f"{self.stage} {self.kind} {what} = {self.value}"


class RecomputeLock(models.Model):
    """One row per stage, locked for the duration of a recompute.

    Kept apart from `Stage` so that saving a score (which bumps the stage's input version) never
    waits for a recompute that is running.
    """

    stage = models.OneToOneField(
        Stage, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"recompute lock for stage {self.stage_id}"


class StandingsSnapshot(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="snapshots")
    created_at = models.DateTimeField(auto_now_add=True)
    input_digest = models.CharField(max_length=64)
    inputs_version = models.PositiveBigIntegerField(
        help_text="The stage's input version this snapshot is known to reflect."
    )
    is_current = models.BooleanField(default=False)
    engine_version = models.CharField(max_length=20)
    duration_ms = models.PositiveIntegerField(default=0)
    sensitivity = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["stage", "-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.UniqueConstraint(
                fields=["stage"], condition=Q(is_current=True), name="snapshot_one_current"
            ),
            models.UniqueConstraint(
                fields=["stage", "engine_version", "input_digest"], name="snapshot_unique_digest"
            ),
        ]

    def __str__(self) -> str:
        flag = " (current)" if self.is_current else ""
        return f"standings of {self.stage} at {self.created_at:%Y-%m-%d %H:%M}{flag}"


class StandingsRow(models.Model):
    snapshot = models.ForeignKey(StandingsSnapshot, on_delete=models.CASCADE, related_name="rows")
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="standings_rows"
    )
    position = models.PositiveIntegerField(help_text="Display order within the snapshot.")
    rank = models.PositiveIntegerField(null=True, blank=True)
    tied = models.BooleanField(default=False)
    total = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    points = models.JSONField(
        default=dict, help_text="Criterion code → published points as a string, or null."
    )
    proposed_outcome = models.CharField(max_length=20, choices=ProposedOutcome.choices)
    reason_code = models.CharField(max_length=30)
    reason_ko = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)
    failed_gates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "participation"], name="standings_row_unique"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="standings_row_rank_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank or '-'} {self.participation.team} {self.total}"


class Decision(models.Model):
    class Reason(models.TextChoices):
        ABOVE_LINE = "above_line", _("Ranked above the elimination line")
        NO_ELIMINATION = "no_elimination", _("No elimination in this stage")
        SELECTED = "selected", _("Selected by the panel")
        BELOW_LINE = "below_line", _("Ranked below the elimination line")
        NOT_SELECTED = "not_selected", _("Not selected by the panel")
        GATE_FAILED = "gate_failed", _("Failed a pass/fail gate")
        COMMITTEE = "committee", _("Committee decision")
        WITHDRAWN = "withdrawn", _("Withdrew")

    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason_code = models.CharField(max_length=30, choices=Reason.choices)
    reason_ko = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    proposed_outcome = models.CharField(max_length=20, choices=ProposedOutcome.choices, blank=True)
    overrides_proposal = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="decisions")
    history = TrackedHistory()

    class Meta:
        ordering = ["participation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overrides_proposal=False) | ~Q(reason_ko="") | ~Q(reason_en=""),
                name="decision_override_needs_reason",
                violation_error_message="Overriding the proposed outcome needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation}: {self.outcome}"


class Publication(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="publications")
    sequence = models.PositiveIntegerField(help_text="1 for the first publication, 2… corrections.")
    snapshot = models.ForeignKey(
        StandingsSnapshot, on_delete=models.PROTECT, related_name="publications"
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    note_ko = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    # The frozen public record: standings rows, decisions and statistics as they were at the
    # moment of publication. Public pages and the API read only this.
    payload = models.JSONField()
    # The hash chain over the program's publications (evaluations/chain.py): the digest of
    # this publication's record, and the digest of the program's publication made before it.
    digest = models.CharField(max_length=64, editable=False, default="")
    previous_digest = models.CharField(max_length=64, editable=False, blank=True, default="")
    # A publication is never changed, so its history is its creation; the payload it froze is
    # kept once, on the publication itself.
    history = TrackedHistory(excluded_fields=["payload"])

    class Meta:
        ordering = ["stage", "sequence"]
        get_latest_by = "sequence"
        constraints = [
            # A chain never forks: two publications cannot follow the same one.
            models.UniqueConstraint(
                fields=["previous_digest"],
                condition=~Q(previous_digest=""),
                name="publication_chain_no_fork",
            ),
            models.UniqueConstraint(fields=["stage", "sequence"], name="publication_unique_seq"),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(note_ko="") | ~Q(note_en=""),
                name="publication_correction_needs_note",
                violation_error_message="A correction needs a note saying what changed.",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, sequence=1)
                | Q(corrects__isnull=False, sequence__gt=1),
                name="publication_first_or_correction",
                violation_error_message="Only the first publication of a stage stands alone; "
                "later ones correct an earlier one.",
            ),
        ]

    def __str__(self) -> str:
        kind = "correction" if self.corrects_id else "publication"
        return f"{self.stage} {kind} #{self.sequence}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Published numbers never change in place: a correction is a new row.
        if self.pk is not None and not self._state.adding:
            raise ValueError("A publication is frozen; publish a correction instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ScoreImport(models.Model):
    """A spreadsheet of marks uploaded for a stage: checked, previewed, then applied all at once.

    The file itself is kept (small: the upload limit is a few megabytes) so a job can check or
    apply it later and a failed apply can be retried. `digest` (SHA-256 of the bytes) is unique
    per stage: uploading the same file again finds this row instead of importing twice.
    `plan` is what applying will write, with the version of each existing score as it was at the
    preview, so a score changed by someone else in between stops the apply instead of being
    overwritten silently.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting to be checked")
        INVALID = "invalid", _("Problems found")
        READY = "ready", _("Ready to apply")
        QUEUED = "queued", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="score_imports")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="[{row, column, code, params}], in file order."
    )
    plan = models.JSONField(default=list, blank=True)
    error = models.JSONField(
        default=dict, blank=True, help_text="Why the last apply failed: {code, params}."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "digest"], name="score_import_unique_file"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} → {self.stage} ({self.status})"
