"""factory_boy factories for the tracker's models: the smallest valid row of each, linked
consistently (a participation's team belongs to its stage's program, a score's criterion to its
stage).

This is the one way the suite builds rows. Whole situations (a stage in scoring with its
criteria, teams and staff) are composed from these factories in tests/builders.py; large
synthetic programs for query counts and the bench come from bench/synthetic.py.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.utils import timezone

from evaluations.models import (
    Decision,
    GateResult,
    Outcome,
    Participation,
    Publication,
    Score,
    StandingsRow,
    StandingsSnapshot,
)
from evaluations.roles import Role
from programs.models import Criterion, Gate, Program, Source, Stage
from teams.models import (
    AIModel,
    BenchmarkResult,
    Membership,
    ModelAlias,
    Organization,
    StageApplicant,
    Team,
)

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"S{n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/article/{n}")
    publisher = "Example News"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    slug = factory.Sequence(lambda n: f"program-{n}")
    name_ko = "독자 AI 파운데이션 모델 프로젝트"
    name_en = "Sovereign AI Foundation Model Project"
    ministry_ko = "과학기술정보통신부"
    ministry_en = "Ministry of Science and ICT (MSIT)"
    goal_ko = "최신 글로벌 AI 모델 성능의 95% 이상 달성"
    goal_en = "At least 95% of the performance of the latest global AI models"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"stage-{n}")
    kind = Stage.Kind.EVALUATION
    name_ko = factory.Sequence(lambda n: f"{n}차 단계평가")
    name_en = factory.Sequence(lambda n: f"Stage-{n} evaluation")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    stage = factory.SubFactory(StageFactory)
    code = factory.Sequence(lambda n: f"criterion-{n}")
    name_ko = "벤치마크"
    name_en = "Benchmark"
    max_points = Decimal("40")
    aggregation = Criterion.Aggregation.DIRECT


class GateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gate

    stage = factory.SubFactory(StageFactory)
    code = factory.Sequence(lambda n: f"gate-{n}")
    name_ko = "독자성"
    name_en = "Independence"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_ko = factory.Sequence(lambda n: f"기관 {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    program = factory.SubFactory(ProgramFactory)
    slug = factory.Sequence(lambda n: f"team-{n}")
    name_ko = factory.Sequence(lambda n: f"컨소시엄 {n}")
    name_en = factory.Sequence(lambda n: f"Consortium {n}")
    lead = factory.SubFactory(OrganizationFactory)
    # The public learns of a team when the stage it joined at is published.
    joined_stage = factory.SubFactory(
        StageFactory,
        program=factory.SelfAttribute("..program"),
        kind=Stage.Kind.CALL,
        status=Stage.Status.PUBLISHED,
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class AIModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AIModel

    team = factory.SubFactory(TeamFactory)
    slug = factory.Sequence(lambda n: f"model-{n}")
    name = factory.Sequence(lambda n: f"Model {n}")


class ModelAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelAlias

    model = factory.SubFactory(AIModelFactory, aliases=["VARCO 100B"])
    name = "VARCO 100B"


class StageApplicantFactory(factory.django.DjangoModelFactory):
    """An applicant of an additional call that was not selected (no team of the program)."""

    class Meta:
        model = StageApplicant

    stage = factory.SubFactory(
        StageFactory, kind=Stage.Kind.ADDITIONAL_CALL, status=Stage.Status.PUBLISHED
    )
    organization = factory.SubFactory(OrganizationFactory)
    selected = False


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    stage = factory.SubFactory(StageFactory)
    team = factory.SubFactory(TeamFactory, program=factory.SelfAttribute("..stage.program"))


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    participation = factory.SubFactory(ParticipationFactory)
    criterion = factory.SubFactory(
        CriterionFactory, stage=factory.SelfAttribute("..participation.stage")
    )
    value = Decimal("30")
    value_max = factory.LazyAttribute(lambda score: score.criterion.max_points)


class GateResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GateResult

    participation = factory.SubFactory(ParticipationFactory)
    gate = factory.SubFactory(GateFactory, stage=factory.SelfAttribute("..participation.stage"))
    passed = True


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    participation = factory.SubFactory(ParticipationFactory)
    outcome = Outcome.ADVANCED
    reason_code = Decision.Reason.ABOVE_LINE


class StandingsSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandingsSnapshot

    stage = factory.SubFactory(StageFactory)
    input_digest = factory.Sequence(lambda n: f"{n:064x}")
    inputs_version = 1
    is_current = True
    engine_version = "1"


class StandingsRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandingsRow

    snapshot = factory.SubFactory(StandingsSnapshotFactory)
    participation = factory.SubFactory(
        ParticipationFactory, stage=factory.SelfAttribute("..snapshot.stage")
    )
    position = factory.Sequence(lambda n: n + 1)
    rank = factory.SelfAttribute("position")
    total = Decimal("80")
    proposed_outcome = "advanced"
    reason_code = "above_line"
    reason_ko = "탈락선 위"
    reason_en = "Above the elimination line"


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    snapshot = factory.SubFactory(StandingsSnapshotFactory)
    stage = factory.SelfAttribute("snapshot.stage")
    sequence = 1
    published_at = factory.LazyFunction(timezone.now)
    payload = factory.LazyFunction(lambda: {"rows": []})


class BenchmarkResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenchmarkResult

    model = factory.SubFactory(AIModelFactory)
    benchmark = factory.Sequence(lambda n: f"Benchmark {n}")
    score = Decimal("70")


def staff_user_create(username: str, *roles: Role, is_staff: bool = True) -> User:
    """A staff account in the groups of `roles`; an existing one of that name is reused.

    No usable password: hashing one costs a fraction of a second per user, and tests that log in
    call `client.force_login`.
    """
    user = UserFactory(username=username, is_staff=is_staff, password=None)
    if roles:
        user.groups.add(*Group.objects.filter(name__in=[role.value for role in roles]))
    return user
