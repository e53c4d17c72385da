"""Builders: whole situations composed from the factories in tests/factories.py.

Two stages the suite works with:

- `build_stage`: a stage shaped like the ministry's stage 1, for service and admin tests.
  Criteria: benchmark 40 = nia 10 + common 20 + individual 10 (points entered directly),
  expert 35 (trimmed mean of evaluator marks), user 25 (mean of evaluator marks); one gate,
  independence. Teams are named alpha, beta, … and all are active. `enter_team`,
  `enter_five_teams` and `confirm_all` fill it in through the services, as staff would.
- `build_scoring_stage`: a stage in scoring with numbered teams, for the integration tests.
  Criteria: benchmark 40 and user 25 (points entered directly), expert 35 (trimmed mean of
  three evaluators' marks). Team number i (from 1) scores benchmark 20 + (i mod 20), user 20 and
  expert marks 28, 30, 35 (trimmed mean 30): team 1 has 71 in total, team 2 72, and so on. No
  elimination, no gates. Calling it again adds another stage to the same program and teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from evaluations.models import GateResult, Participation, Score
from evaluations.roles import Role
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_save,
    score_confirm,
    score_save,
)
from programs.models import Criterion, Gate, Program, Stage
from teams.models import Membership, Team
from tests.factories import (
    CriterionFactory,
    GateFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    ProgramFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
    staff_user_create,
)

# --- A stage shaped like stage 1 -----------------------------------------------------------

DIRECT = ("nia", "common", "individual")
PANELS = ("expert", "user")


@dataclass
class StageScenario:
    program: Program
    stage: Stage
    next_stage: Stage | None
    criteria: dict[str, Criterion]
    gate: Gate
    teams: dict[str, Team]
    participations: dict[str, Participation]
    users: dict[str, User] = field(default_factory=dict)

    def refresh(self) -> None:
        self.stage.refresh_from_db()
        for team in self.teams.values():
            team.refresh_from_db()


def staff_users() -> dict[str, User]:
    """Two administrators, two clerks, a verifier and an outsider (no staff flag, no role)."""
    return {
        "admin": staff_user_create("admin1", Role.ADMIN),
        "admin2": staff_user_create("admin2", Role.ADMIN),
        "clerk": staff_user_create("clerk1", Role.CLERK),
        "clerk2": staff_user_create("clerk2", Role.CLERK),
        "verifier": staff_user_create("verifier1", Role.VERIFIER),
        "outsider": UserFactory(username="outsider", password=None),
    }


def build_stage(
    *,
    teams: tuple[str, ...] = ("alpha", "beta", "gamma", "delta", "epsilon"),
    status: str = Stage.Status.SCORING,
    rule: str = Stage.Rule.ELIMINATE_LOWEST,
    rule_count: int | None = 1,
    with_next_stage: bool = True,
    participations: bool = True,
) -> StageScenario:
    program = ProgramFactory(slug="prog", name_ko="프로그램", name_en="Program")
    call = StageFactory(
        program=program,
        order=1,
        slug="call",
        kind=Stage.Kind.CALL,
        name_ko="공모",
        name_en="Call",
        status=Stage.Status.PUBLISHED,
    )
    stage = StageFactory(
        program=program,
        order=2,
        slug="stage-1",
        kind=Stage.Kind.EVALUATION,
        name_ko="1차 단계평가",
        name_en="Stage 1",
        status=status,
        elimination_rule=rule,
        rule_count=rule_count,
    )
    next_stage = None
    if with_next_stage:
        next_stage = StageFactory(
            program=program,
            order=3,
            slug="stage-2",
            kind=Stage.Kind.EVALUATION,
            name_ko="2차 단계평가",
            name_en="Stage 2",
        )
    benchmark = CriterionFactory(
        stage=stage,
        code="benchmark",
        name_ko="벤치마크",
        name_en="Benchmark",
        max_points=Decimal(40),
        aggregation=Criterion.Aggregation.SUM,
        order=1,
    )
    criteria = {"benchmark": benchmark}
    for order, (code, points) in enumerate((("nia", 10), ("common", 20), ("individual", 10))):
        criteria[code] = CriterionFactory(
            stage=stage,
            parent=benchmark,
            code=code,
            name_ko=code,
            name_en=code,
            max_points=Decimal(points),
            aggregation=Criterion.Aggregation.DIRECT,
            order=order + 2,
        )
    criteria["expert"] = CriterionFactory(
        stage=stage,
        code="expert",
        name_ko="전문가",
        name_en="Expert",
        max_points=Decimal(35),
        aggregation=Criterion.Aggregation.TRIMMED_MEAN,
        order=10,
    )
    criteria["user"] = CriterionFactory(
        stage=stage,
        code="user",
        name_ko="사용자",
        name_en="User",
        max_points=Decimal(25),
        aggregation=Criterion.Aggregation.MEAN,
        order=11,
    )
    gate = GateFactory(stage=stage, code="independence", name_ko="독자성", name_en="Independence")
    team_objs = {}
    parts = {}
    for slug in teams:
        org = OrganizationFactory(slug=f"{slug}-org", name_ko=slug, name_en=slug.title())
        team_objs[slug] = TeamFactory(
            program=program,
            slug=slug,
            name_ko=slug,
            name_en=slug.title(),
            lead=org,
            joined_stage=call,
        )
        if participations:
            parts[slug] = ParticipationFactory(stage=stage, team=team_objs[slug])
    return StageScenario(
        program=program,
        stage=stage,
        next_stage=next_stage,
        criteria=criteria,
        gate=gate,
        teams=team_objs,
        participations=parts,
        users=staff_users(),
    )


def enter_team(
    scenario: StageScenario,
    team: str,
    *,
    nia: str,
    common: str,
    individual: str,
    expert: tuple[str, ...],
    user: tuple[str, ...],
    passed: bool = True,
    clerk: str = "clerk",
) -> None:
    """Enter one team's full results through the services, as a clerk would."""
    who = scenario.users[clerk]
    participation = scenario.participations[team]
    for code, value in (("nia", nia), ("common", common), ("individual", individual)):
        score_save(
            participation_id=participation.pk,
            criterion_id=scenario.criteria[code].pk,
            value=value,
            user=who,
        )
    for code, marks in (("expert", expert), ("user", user)):
        for index, value in enumerate(marks, start=1):
            score_save(
                participation_id=participation.pk,
                criterion_id=scenario.criteria[code].pk,
                evaluator_code=f"E{index:02d}",
                value=value,
                user=who,
            )
    gate_result_save(
        participation_id=participation.pk,
        gate_id=scenario.gate.pk,
        passed=passed,
        reason_en="" if passed else "Used a foreign encoder's weights as they were.",
        user=who,
    )


def confirm_all(scenario: StageScenario, verifier: str = "verifier") -> None:
    """Confirm every unconfirmed mark and gate result of the stage through the services."""
    who = scenario.users[verifier]
    for score in Score.objects.filter(participation__stage=scenario.stage, confirmed_by=None):
        score_confirm(score_id=score.pk, user=who, expected_version=score.version)
    for result in GateResult.objects.filter(participation__stage=scenario.stage, confirmed_by=None):
        gate_result_confirm(gate_result_id=result.pk, user=who, expected_version=result.version)


# A realistic five-team stage: beta has a top-four score but fails the gate; epsilon is lowest.
FIVE_TEAMS = {
    "alpha": dict(
        nia="9.2",
        common="14.4",
        individual="10.0",
        expert=("31.6", "31.6", "31.6", "30", "33"),
        user=("25", "25", "25"),
    ),
    "beta": dict(
        nia="8.0",
        common="13.0",
        individual="9.0",
        expert=("30", "30", "30"),
        user=("22", "23", "24"),
        passed=False,
    ),
    "gamma": dict(
        nia="9.2",
        common="12.0",
        individual="8.0",
        expert=("29", "29", "29"),
        user=("20", "20", "20"),
    ),
    "delta": dict(
        nia="7.0",
        common="12.0",
        individual="10.0",
        expert=("28", "28", "28"),
        user=("21", "21", "21"),
    ),
    "epsilon": dict(
        nia="6.0",
        common="10.0",
        individual="7.0",
        expert=("25", "26", "27"),
        user=("18", "18", "18"),
    ),
}


def enter_five_teams(scenario: StageScenario) -> None:
    for team, values in FIVE_TEAMS.items():
        enter_team(scenario, team, **values)  # type: ignore[arg-type]


# --- A stage in scoring with numbered teams (integration tests) ----------------------------

EXPERT_MARKS = {"E1": Decimal("28"), "E2": Decimal("30"), "E3": Decimal("35")}
USER_POINTS = Decimal("20")


def benchmark_points(team_number: int) -> Decimal:
    return Decimal(20 + team_number % 20)


def expected_total(team_number: int, *, user: Decimal = USER_POINTS) -> Decimal:
    return benchmark_points(team_number) + user + Decimal(30)


@dataclass
class ScoringScenario:
    stage: Stage
    benchmark: Criterion
    user: Criterion
    expert: Criterion
    participations: list[Participation]  # team number i is participations[i - 1]
    clerk: User
    verifier: User
    admin: User


def build_scoring_stage(
    *, team_count: int = 3, slug: str = "stage-1", order: int = 2
) -> ScoringScenario:
    """A program (created once) with an evaluation stage in scoring and its participations."""
    program = Program.objects.filter(slug="sovereign-ai").first() or ProgramFactory(
        slug="sovereign-ai", name_ko="독자 AI 파운데이션 모델 프로젝트", name_en="Sovereign AI"
    )
    call = Stage.objects.filter(program=program, order=1).first() or StageFactory(
        program=program,
        order=1,
        slug="call",
        kind=Stage.Kind.CALL,
        name_ko="공모",
        name_en="Call",
        status=Stage.Status.PUBLISHED,
    )
    stage = StageFactory(
        program=program,
        order=order,
        slug=slug,
        kind=Stage.Kind.EVALUATION,
        name_ko=f"{slug} 단계평가",
        name_en=f"Evaluation {slug}",
        status=Stage.Status.SCORING,
    )
    criteria = {
        code: CriterionFactory(
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
            lead = OrganizationFactory(
                slug=f"org-{number}", name_ko=f"기관 {number}", name_en=f"Organisation {number}"
            )
            team = TeamFactory(
                program=program,
                slug=f"team-{number}",
                name_ko=f"컨소시엄 {number}",
                name_en=f"Consortium {number:03d}",
                lead=lead,
                joined_stage=call,
            )
            MembershipFactory(team=team, organization=lead, role=Membership.Role.LEAD)
        participations.append(ParticipationFactory(stage=stage, team=team))

    return ScoringScenario(
        stage=stage,
        benchmark=criteria["benchmark"],
        user=criteria["user"],
        expert=criteria["expert"],
        participations=participations,
        clerk=staff_user_create(f"{Role.CLERK}-1", Role.CLERK),
        verifier=staff_user_create(f"{Role.VERIFIER}-1", Role.VERIFIER),
        admin=staff_user_create(f"{Role.ADMIN}-1", Role.ADMIN),
    )


def marks_for(scenario: ScoringScenario) -> list[tuple[Participation, Criterion, str, Decimal]]:
    """Every mark of the scenario: (participation, criterion, evaluator code, value)."""
    marks = []
    for number, participation in enumerate(scenario.participations, start=1):
        marks.append((participation, scenario.benchmark, "", benchmark_points(number)))
        marks.append((participation, scenario.user, "", USER_POINTS))
        for evaluator, value in EXPERT_MARKS.items():
            marks.append((participation, scenario.expert, evaluator, value))
    return marks


def scores_enter_with_orm(scenario: ScoringScenario) -> None:
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
