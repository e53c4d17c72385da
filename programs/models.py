"""The program and its rules: stages, scoring criteria, pass/fail gates, milestones, sources.

A `Program` runs a sequence of `Stage`s. Evaluation stages score teams on a tree of `Criterion`
(e.g. Benchmark 40 = NIA 10 + global common 20 + global individual 10) and check `Gate`s
(pass/fail requirements such as independence, 독자성). Every public fact can carry `Source`s.
Korean text is primary (`*_ko`); English (`*_en`) is shown on the English pages.
A value the ministry did not disclose is stored as NULL and shown as "not disclosed".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from programs.history import TrackedHistory


class BilingualMixin:
    """Pick the Korean or English variant of a field for the active language."""

    def localized(self, field: str) -> str:
        lang = (get_language() or "ko")[:2]
        english = getattr(self, f"{field}_en", "")
        if lang == "en" and english:
            return english
        return getattr(self, f"{field}_ko", "") or english

    @property
    def name(self) -> str:
        return self.localized("name")


class Certainty(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    UNCERTAIN = "uncertain", _("Uncertain")


class Source(models.Model):
    key = models.SlugField(max_length=20, unique=True, help_text="Citation key, e.g. S36.")
    url = models.URLField(
        max_length=500, blank=True, help_text="Empty when the source is not online."
    )
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"[{self.key}] {self.publisher}"


class Program(BilingualMixin, models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    short_name_ko = models.CharField(max_length=50, blank=True)
    ministry_ko = models.CharField(max_length=200, blank=True)
    ministry_en = models.CharField(max_length=200, blank=True)
    agencies_ko = models.TextField(blank=True)
    agencies_en = models.TextField(blank=True)
    goal_ko = models.TextField(blank=True)
    goal_en = models.TextField(blank=True)
    summary_ko = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    budget_note_ko = models.TextField(blank=True)
    budget_note_en = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="programs")

    def __str__(self) -> str:
        return self.name_ko


class Stage(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call for teams")
        DOCUMENT_REVIEW = "document_review", _("Document review")
        PRESENTATION_REVIEW = "presentation_review", _("Presentation review")
        SHOWCASE = "showcase", _("Public showcase")
        EVALUATION = "evaluation", _("Stage evaluation")
        ADDITIONAL_CALL = "additional_call", _("Additional call")
        FINAL = "final", _("Final selection")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCORING = "scoring", _("Scoring")
        REVIEW = "review", _("Review")
        FINALIZED = "finalized", _("Finalized")
        PUBLISHED = "published", _("Published")

    class Rule(models.TextChoices):
        NONE = "none", _("No elimination")
        ELIMINATE_LOWEST = "eliminate_lowest", _("Eliminate the lowest N")
        KEEP_TOP = "keep_top", _("Keep the top K")
        THRESHOLD = "threshold", _("Score threshold")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    announcement_at = models.DateTimeField(
        null=True, blank=True, help_text="When results become public (Asia/Seoul)."
    )
    schedule_note_ko = models.CharField(max_length=300, blank=True)
    schedule_note_en = models.CharField(max_length=300, blank=True)
    elimination_rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.NONE)
    rule_count = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_threshold = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    tie_break = models.JSONField(
        default=list, blank=True, help_text="Criterion codes compared in order when totals tie."
    )
    # Team counts, each saying one thing (empty = not disclosed): teams_after =
    # teams_in − teams_out + applicants_selected. The 2026 additional call: 3 teams in the
    # program, 2 applicants, 1 selected, 0 out, 4 after.
    teams_in = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Teams in the program when the stage began."
    )
    applicants = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Teams that applied at this stage (calls only)."
    )
    applicants_selected = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Applicants who entered the program at this stage."
    )
    teams_out = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Teams in the program that left it at this stage."
    )
    teams_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Teams in the program after the stage."
    )
    summary_ko = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    # Bumped in the same transaction as every change to this stage's scoring inputs, so a
    # snapshot computed from older inputs is recognisably stale even if no task ran.
    standings_inputs_version = models.PositiveBigIntegerField(default=0, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    sources = models.ManyToManyField(Source, blank=True, related_name="stages")
    # The input version moves with every score saved; it is bookkeeping, not part of the record.
    history = TrackedHistory(excluded_fields=["standings_inputs_version"])

    class Meta:
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="stage_unique_order"),
            models.UniqueConstraint(fields=["program", "slug"], name="stage_unique_slug"),
            models.CheckConstraint(
                # isnull=False spelled out: in SQL, NULL >= 1 is unknown and would pass.
                condition=~Q(elimination_rule__in=["eliminate_lowest", "keep_top"])
                | Q(rule_count__isnull=False, rule_count__gte=1),
                name="stage_rule_needs_count",
                violation_error_message=(
                    "Eliminate-lowest and keep-top rules need a count of at least 1."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(elimination_rule="threshold") | Q(rule_threshold__isnull=False),
                name="stage_threshold_rule_needs_threshold",
                violation_error_message="A threshold rule needs a threshold.",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="stage_ends_after_start",
                violation_error_message="A stage cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(applicants_selected__isnull=True)
                | Q(applicants__isnull=True)
                | Q(applicants_selected__lte=F("applicants")),
                name="stage_selected_within_applicants",
                violation_error_message="More applicants selected than applied.",
            ),
            models.CheckConstraint(
                # Only when all three counts are known; applicants_selected counts as 0 when
                # empty (nobody applied at a stage that is not a call).
                condition=Q(teams_in__isnull=True)
                | Q(teams_out__isnull=True)
                | Q(teams_after__isnull=True)
                | Q(
                    teams_after=F("teams_in")
                    - F("teams_out")
                    + Coalesce("applicants_selected", Value(0))
                ),
                name="stage_team_counts_add_up",
                violation_error_message=(
                    "The team counts do not add up: teams after must be teams in, minus teams "
                    "out, plus applicants selected."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name_ko}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def public_status(self) -> str:
        """The status the public may see: scoring, review and finalized all read "under
        evaluation", so the page never hints that results exist before they are published."""
        if self.status in (self.Status.PLANNED, self.Status.PUBLISHED):
            return str(self.status)
        return "in_progress"

    @property
    def public_status_label(self) -> str:
        if self.status in (self.Status.PLANNED, self.Status.PUBLISHED):
            return str(self.get_status_display())
        return str(_("Under evaluation"))


class Criterion(BilingualMixin, models.Model):
    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum of sub-criteria")
        MEAN = "mean", _("Mean of evaluator marks")
        TRIMMED_MEAN = "trimmed_mean", _("Mean without the highest and lowest mark")
        MEDIAN = "median", _("Median of evaluator marks")
        DIRECT = "direct", _("Points entered directly")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.SlugField(max_length=40)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    max_points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty when the ministry has not disclosed the weight.",
    )
    aggregation = models.CharField(
        max_length=20, choices=Aggregation.choices, default=Aggregation.DIRECT
    )
    target = models.DecimalField(
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=(
            "Normalise: points = max × min(1, achieved ÷ target). Marks are then achieved scores."
        ),
    )
    is_individual = models.BooleanField(
        default=False,
        help_text="Applies only to the participations that list it (a team's own benchmarks).",
    )
    order = models.PositiveSmallIntegerField(default=0)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="criteria")
    history = TrackedHistory()

    class Meta:
        ordering = ["stage", "order", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=Q(max_points__isnull=True) | Q(max_points__gt=0),
                name="criterion_max_points_positive",
                violation_error_message="Maximum points must be above zero.",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gt=0),
                name="criterion_target_positive",
                violation_error_message="A normalisation target must be above zero.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="criterion_not_own_parent",
                violation_error_message="A criterion cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.max_points if self.max_points is not None else '?'})"

    def clean(self) -> None:
        if self.parent is not None and self.parent.stage_id != self.stage_id:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _("The parent criterion belongs to another stage."), code="other_stage"
                    )
                }
            )
        if self.pk is None or self.target is not None or self.max_points is None:
            return
        # Scores live in the evaluations app; the reverse relation avoids importing it.
        above = self.scores.filter(value__gt=self.max_points).count()
        if above:
            raise ValidationError(
                {
                    "max_points": ValidationError(
                        ngettext_lazy(
                            "%(count)s score already entered is above %(max)s; correct it first.",
                            "%(count)s scores already entered are above %(max)s; correct them "
                            "first.",
                            "count",
                        ),
                        code="scores_above_max",
                        params={"count": above, "max": self.max_points},
                    )
                }
            )


class Gate(BilingualMixin, models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="gates")
    code = models.SlugField(max_length=40)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="gates")
    history = TrackedHistory()

    class Meta:
        ordering = ["stage", "code"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="gate_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name_ko}"


class Milestone(BilingualMixin, models.Model):
    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        APPROXIMATE = "approximate", _("Approximate")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    date = models.DateField()
    precision = models.CharField(max_length=20, choices=Precision.choices, default=Precision.DAY)
    title_ko = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    description_ko = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    certainty = models.CharField(
        max_length=20, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="milestones")

    class Meta:
        ordering = ["program", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "date", "title_en"], name="milestone_unique_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title_ko}"
