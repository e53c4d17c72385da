"""Who competes: organisations, the consortium teams they form, and the models they build.

A `Team` is a consortium in one program, led by one `Organization`, joined at some stage (the
five 2025 teams at the 2025 call; Motif Technologies at the 2026 additional call). `Membership`
records each organisation's role with dates. Each team submits `AIModel`s whose specifications
come from model cards; `BenchmarkResult` keeps the numbers those cards publish, with the source.
NULL means "not disclosed" everywhere; nothing is filled in by guesswork.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.errors import localized
from programs.history import TrackedHistory
from programs.models import BilingualMixin, Certainty, Program, Source, Stage


class Organization(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    slug = models.SlugField(max_length=80, unique=True)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.COMPANY)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_ko


class Team(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("In the program")
        ELIMINATED = "eliminated", _("Eliminated")
        DISQUALIFIED = "disqualified", _("Disqualified")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SELECTED = "selected", _("Selected as a final team")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=80)
    name_ko = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    lead = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="led_teams")
    joined_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="joined_teams")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    left_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="left_teams"
    )
    summary_ko = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    plan_ko = models.TextField(blank=True)
    plan_en = models.TextField(blank=True)
    member_count_note = models.TextField(blank=True)
    organizations = models.ManyToManyField(
        Organization, through="Membership", related_name="teams", blank=True
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="teams")
    history = TrackedHistory()

    class Meta:
        ordering = ["program", "joined_stage__order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="team_unique_slug"),
            models.CheckConstraint(
                condition=Q(status="active") | Q(status="selected") | Q(left_stage__isnull=False),
                name="team_left_needs_stage",
                violation_error_message="A team that left the program needs the stage it left at.",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def clean(self) -> None:
        # A CHECK cannot look across tables, so the program of each stage is checked here.
        for field in ("joined_stage", "left_stage"):
            stage = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if stage is not None and self.program_id and stage.program_id != self.program_id:
                raise ValidationError(
                    {
                        field: ValidationError(
                            _("This stage belongs to another program."), code="other_program"
                        )
                    }
                )


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")
        PARTNER = "partner", _("Partner")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    certainty = models.CharField(
        max_length=20, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    note = models.CharField(max_length=300, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="memberships")

    class Meta:
        ordering = ["team", "role", "organization__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["team", "organization"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="lead"), name="membership_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True)
                | Q(left_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message="A member cannot leave before it joined.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.team} ({self.role})"


class AIModel(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="models")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    name_ko = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names, e.g. the press name in early coverage. Each alias cites its "
        "sources in a ModelAlias row of the same name.",
    )
    parameters_total_b = models.DecimalField(
        "total parameters (billions)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    parameters_active_b = models.DecimalField(
        "active parameters (billions)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    architecture = models.CharField(max_length=500, blank=True)
    modalities_input = models.JSONField(default=list, blank=True)
    modalities_output = models.JSONField(default=list, blank=True)
    context_length = models.PositiveIntegerField(null=True, blank=True)
    vocabulary_size = models.PositiveIntegerField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    licence_certainty = models.CharField(
        max_length=20, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    open_weights = models.BooleanField(null=True, blank=True)
    huggingface_id = models.CharField(max_length=200, blank=True)
    github = models.CharField(max_length=200, blank=True)
    release_date = models.DateField(null=True, blank=True)
    release_date_note = models.CharField(max_length=300, blank=True)
    summary_ko = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="ai_models")

    class Meta:
        ordering = ["team", "name"]
        verbose_name = "AI model"
        constraints = [
            models.CheckConstraint(
                condition=Q(parameters_active_b__isnull=True)
                | Q(parameters_total_b__isnull=True)
                | Q(parameters_active_b__lte=F("parameters_total_b")),
                name="aimodel_active_within_total",
                violation_error_message="Active parameters cannot exceed total parameters.",
            ),
            models.CheckConstraint(
                condition=Q(parameters_total_b__isnull=True) | Q(parameters_total_b__gt=0),
                name="aimodel_total_positive",
                violation_error_message="Total parameters must be above zero.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ModelAlias(models.Model):
    """The sources of one of a model's aliases: where that other name was used.

    `AIModel.aliases` lists the names (what pages and the API show and search); each name has a
    row here citing where it comes from, e.g. VAETKI's press name "100B급 바르코" from the
    Maeil article (S92).
    """

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="alias_entries")
    name = models.CharField(max_length=200)
    sources = models.ManyToManyField(Source, blank=True, related_name="model_aliases")

    class Meta:
        ordering = ["model", "name"]
        verbose_name_plural = "model aliases"
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="model_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.model})"

    def clean(self) -> None:
        if self.model_id and self.name not in (self.model.aliases or []):
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("“%(alias)s” is not one of the aliases of %(model)s."),
                        code="alias_not_listed",
                        params={"alias": self.name, "model": self.model.name},
                    )
                }
            )


class BenchmarkResult(models.Model):
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="benchmarks")
    benchmark = models.CharField(max_length=100)
    setting = models.CharField(max_length=100, blank=True, help_text="e.g. reasoning mode")
    score = models.DecimalField(max_digits=8, decimal_places=2)
    certainty = models.CharField(
        max_length=20, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="benchmark_results")

    class Meta:
        ordering = ["model", "benchmark"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "benchmark", "setting"], name="benchmark_unique_per_setting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.benchmark}: {self.score}"


class StageApplicant(BilingualMixin, models.Model):
    """A consortium that applied at a call stage, selected or not.

    An applicant that was not selected never becomes a `Team` of the program (Trillion Labs in
    the 2026 additional call); one that was selected points to the team it became (Motif
    Technologies). Named by its lead organisation, whose names it shows.
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="stage_applications"
    )
    selected = models.BooleanField(null=True, blank=True, help_text="Empty = not decided yet.")
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        help_text="The team of the program it became, if selected.",
    )
    reason_ko = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="stage_applicants")

    class Meta:
        ordering = ["stage", "organization__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "organization"], name="stage_applicant_unique"
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(selected=True),
                name="stage_applicant_team_only_if_selected",
                violation_error_message="Only a selected applicant becomes a team of the program.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.stage}"

    @property
    def name_ko(self) -> str:
        return self.organization.name_ko

    @property
    def name_en(self) -> str:
        return self.organization.name_en

    def clean(self) -> None:
        stage = self.stage if self.stage_id else None
        if stage is not None and stage.kind not in (Stage.Kind.CALL, Stage.Kind.ADDITIONAL_CALL):
            raise ValidationError(
                {
                    "stage": ValidationError(
                        _("Teams apply only at a call; “%(stage)s” is not one."),
                        code="applicant_not_at_call",
                        params={"stage": localized(stage)},
                    )
                }
            )
        team = self.team if self.team_id else None
        if stage is not None and team is not None and team.joined_stage_id != stage.pk:
            raise ValidationError(
                {
                    "team": ValidationError(
                        _("“%(team)s” joined the program at another stage than “%(stage)s”."),
                        code="applicant_team_joined_elsewhere",
                        params={"team": localized(team), "stage": localized(stage)},
                    )
                }
            )
