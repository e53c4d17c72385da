"""Build a stage the way the ministry's stage 1 looked, for service tests.

Criteria: benchmark 40 = nia 10 + common 20 + individual 10 (points entered directly),
expert 35 (trimmed mean of evaluator marks), user 25 (mean of evaluator marks); one gate,
independence. Teams are named alpha, beta, … and all are active.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User

from evaluations.models import Participation
from evaluations.roles import Role
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_save,
    score_confirm,
    score_save,
)
from programs.models import Criterion, Gate, Program, Stage
from teams.models import Organization, Team

DIRECT = ("nia", "common", "individual")
PANELS = ("expert", "user")


@dataclass
class Scenario:
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


def make_user(username: str, *roles: Role) -> User:
    # No password: hashing one costs a fraction of a second per user, and these tests never log in.
    user = User.objects.create(username=username, is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def staff_users() -> dict[str, User]:
    return {
        "admin": make_user("admin1", Role.ADMIN),
        "admin2": make_user("admin2", Role.ADMIN),
        "clerk": make_user("clerk1", Role.CLERK),
        "clerk2": make_user("clerk2", Role.CLERK),
        "verifier": make_user("verifier1", Role.VERIFIER),
        "outsider": User.objects.create(username="outsider"),
    }


def build_stage(
    *,
    teams: tuple[str, ...] = ("alpha", "beta", "gamma", "delta", "epsilon"),
    status: str = Stage.Status.SCORING,
    rule: str = Stage.Rule.ELIMINATE_LOWEST,
    rule_count: int | None = 1,
    with_next_stage: bool = True,
    participations: bool = True,
) -> Scenario:
    program = Program.objects.create(slug="prog", name_ko="프로그램", name_en="Program")
    call = Stage.objects.create(
        program=program,
        order=1,
        slug="call",
        kind=Stage.Kind.CALL,
        name_ko="공모",
        name_en="Call",
        status=Stage.Status.PUBLISHED,
    )
    stage = Stage.objects.create(
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
        next_stage = Stage.objects.create(
            program=program,
            order=3,
            slug="stage-2",
            kind=Stage.Kind.EVALUATION,
            name_ko="2차 단계평가",
            name_en="Stage 2",
        )
    benchmark = Criterion.objects.create(
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
        criteria[code] = Criterion.objects.create(
            stage=stage,
            parent=benchmark,
            code=code,
            name_ko=code,
            name_en=code,
            max_points=Decimal(points),
            aggregation=Criterion.Aggregation.DIRECT,
            order=order + 2,
        )
    criteria["expert"] = Criterion.objects.create(
        stage=stage,
        code="expert",
        name_ko="전문가",
        name_en="Expert",
        max_points=Decimal(35),
        aggregation=Criterion.Aggregation.TRIMMED_MEAN,
        order=10,
    )
    criteria["user"] = Criterion.objects.create(
        stage=stage,
        code="user",
        name_ko="사용자",
        name_en="User",
        max_points=Decimal(25),
        aggregation=Criterion.Aggregation.MEAN,
        order=11,
    )
    gate = Gate.objects.create(
        stage=stage, code="independence", name_ko="독자성", name_en="Independence"
    )
    team_objs = {}
    parts = {}
    for slug in teams:
        org = Organization.objects.create(slug=f"{slug}-org", name_ko=slug, name_en=slug.title())
        team_objs[slug] = Team.objects.create(
            program=program,
            slug=slug,
            name_ko=slug,
            name_en=slug.title(),
            lead=org,
            joined_stage=call,
        )
        if participations:
            parts[slug] = Participation.objects.create(stage=stage, team=team_objs[slug])
    return Scenario(
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
    scenario: Scenario,
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


def confirm_all(scenario: Scenario, verifier: str = "verifier") -> None:
    from evaluations.models import GateResult, Score

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


def enter_five_teams(scenario: Scenario) -> None:
    for team, values in FIVE_TEAMS.items():
        enter_team(scenario, team, **values)  # type: ignore[arg-type]
