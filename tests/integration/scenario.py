"""A stage in scoring, built with the ORM, for the integration tests.

Criteria: benchmark 40 and user 25 (points entered directly), expert 35 (trimmed mean of three
evaluators' marks). Team number i (from 1) scores benchmark 20 + (i mod 20), user 20 and expert
marks 28, 30, 35 (trimmed mean 30): team 1 has 71 in total, team 2 72, and so on. No
elimination, no gates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User

from evaluations.models import Participation, Score, StandingsRow, StandingsSnapshot
from evaluations.roles import Role
from programs.models import Criterion, Program, Stage
from teams.models import Membership, Organization, Team

EXPERT_MARKS = {"E1": Decimal("28"), "E2": Decimal("30"), "E3": Decimal("35")}
USER_POINTS = Decimal("20")


def benchmark_points(team_number: int) -> Decimal:
    return Decimal(20 + team_number % 20)


def expected_total(team_number: int, *, user: Decimal = USER_POINTS) -> Decimal:
    return benchmark_points(team_number) + user + Decimal(30)


@dataclass
class Scenario:
    stage: Stage
    benchmark: Criterion
    user: Criterion
    expert: Criterion
    participations: list[Participation]  # team number i is participations[i - 1]
    clerk: User
    verifier: User
    admin: User


def make_staff(username: str, role: Role) -> User:
    # No password: hashing one is slow, and nobody logs in here.
    user = User.objects.create(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role.value))
    return user


def build_scoring_stage(*, team_count: int = 3, slug: str = "stage-1", order: int = 2) -> Scenario:
    """A program (created once) with an evaluation stage in scoring and its participations."""
    program, _ = Program.objects.get_or_create(
        slug="sovereign-ai",
        defaults={"name_ko": "독자 AI 파운데이션 모델 프로젝트", "name_en": "Sovereign AI"},
    )
    call, _ = Stage.objects.get_or_create(
        program=program,
        order=1,
        defaults={
            "slug": "call",
            "kind": Stage.Kind.CALL,
            "name_ko": "공모",
            "name_en": "Call",
            "status": Stage.Status.PUBLISHED,
        },
    )
    stage = Stage.objects.create(
        program=program,
        order=order,
        slug=slug,
        kind=Stage.Kind.EVALUATION,
        name_ko=f"{slug} 단계평가",
        name_en=f"Evaluation {slug}",
        status=Stage.Status.SCORING,
    )
    criteria = {
        code: Criterion.objects.create(
            stage=stage,
            code=code,
            name_ko=code,
            name_en=code,
            max_points=Decimal(points),
            aggregation=aggregation,
            order=position,
        )
        for position, (code, points, aggregation) in enumerate(
            [
                ("benchmark", 40, Criterion.Aggregation.DIRECT),
                ("expert", 35, Criterion.Aggregation.TRIMMED_MEAN),
                ("user", 25, Criterion.Aggregation.DIRECT),
            ],
            start=1,
        )
    }
    participations = []
    for number in range(1, team_count + 1):
        team = Team.objects.filter(program=program, slug=f"team-{number}").first()
        if team is None:
            lead = Organization.objects.create(
                slug=f"org-{number}", name_ko=f"기관 {number}", name_en=f"Organisation {number}"
            )
            team = Team.objects.create(
                program=program,
                slug=f"team-{number}",
                name_ko=f"컨소시엄 {number}",
                name_en=f"Consortium {number:03d}",
                lead=lead,
                joined_stage=call,
            )
            Membership.objects.create(team=team, organization=lead, role=Membership.Role.LEAD)
        participations.append(Participation.objects.create(stage=stage, team=team))

    def staff(role: Role) -> User:
        return User.objects.filter(username=f"{role}-1").first() or make_staff(f"{role}-1", role)

    return Scenario(
        stage=stage,
        benchmark=criteria["benchmark"],
        user=criteria["user"],
        expert=criteria["expert"],
        participations=participations,
        clerk=staff(Role.CLERK),
        verifier=staff(Role.VERIFIER),
        admin=staff(Role.ADMIN),
    )


def marks_for(scenario: Scenario) -> list[tuple[Participation, Criterion, str, Decimal]]:
    """Every mark of the scenario: (participation, criterion, evaluator code, value)."""
    marks = []
    for number, participation in enumerate(scenario.participations, start=1):
        marks.append((participation, scenario.benchmark, "", benchmark_points(number)))
        marks.append((participation, scenario.user, "", USER_POINTS))
        for evaluator, value in EXPERT_MARKS.items():
            marks.append((participation, scenario.expert, evaluator, value))
    return marks


def scores_enter_with_orm(scenario: Scenario) -> None:
    """Every mark, written straight to the table: no input version bump, no task queued."""
    Score.objects.bulk_create(
        Score(
            participation=participation,
            criterion=criterion,
            evaluator_code=evaluator,
            value=value,
            value_max=criterion.max_points,
            entered_by=scenario.clerk,
        )
        for participation, criterion, evaluator, value in marks_for(scenario)
    )


def current_snapshot(stage: Stage) -> StandingsSnapshot | None:
    return StandingsSnapshot.objects.filter(stage=stage, is_current=True).first()


def totals(snapshot: StandingsSnapshot) -> dict[str, Decimal | None]:
    """Team slug → total in the snapshot."""
    return dict(
        StandingsRow.objects.filter(snapshot=snapshot).values_list(
            "participation__team__slug", "total"
        )
    )


def snapshot_reflects(stage: Stage, expected: dict[str, Decimal]) -> StandingsSnapshot | None:
    """The current snapshot, once it is up to date with the stage's inputs and shows `expected`."""
    stage.refresh_from_db(fields=["standings_inputs_version"])
    snapshot = current_snapshot(stage)
    if snapshot is None or snapshot.inputs_version != stage.standings_inputs_version:
        return None
    shown = totals(snapshot)
    return snapshot if all(shown.get(team) == total for team, total in expected.items()) else None
