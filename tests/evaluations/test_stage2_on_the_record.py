"""Stage 2 of the shipped record runs end to end through the services, as the office will run it.

No public source gives the stage-2 weights or result (program.md, section 2.4), so every number
below is a test input "entered by staff", never a fact of the record: the weights an
administrator sets before opening, and the marks the clerks enter.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.models import Decision, GateResult, Outcome, Participation, Score
from evaluations.services.lifecycle import stage_finalize, stage_open, stage_submit_for_review
from evaluations.services.recompute import current_snapshot
from evaluations.services.rules import criterion_update
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_save,
    score_confirm,
    score_save,
)
from programs.errors import DomainError, PermissionDenied
from programs.models import Criterion, Stage
from teams.models import Team
from tests.builders import staff_users

pytestmark = pytest.mark.django_db

STAGE_2_TEAMS = {"lg-ai-research", "sk-telecom", "upstage", "motif-technologies"}

# Test inputs, as staff would type them: not published weights or results.
WEIGHTS = {"benchmark": "40", "expert": "35", "user": "25"}
SHARE_OF_MAXIMUM = {
    "lg-ai-research": Decimal("0.9"),
    "sk-telecom": Decimal("0.85"),
    "upstage": Decimal("0.8"),
    "motif-technologies": Decimal("0.7"),
}
EVALUATORS = ("E01", "E02", "E03")


def load_record() -> None:
    call_command("load_program", stdout=StringIO())


def enter_every_mark(stage: Stage, clerk) -> int:
    """A clerk enters a mark for every leaf criterion and every team, as the criterion asks:
    points entered directly, or one mark per evaluator for aggregated criteria."""
    leaves = list(Criterion.objects.filter(stage=stage, children__isnull=True))
    entered = 0
    for participation in Participation.objects.filter(stage=stage).select_related("team"):
        own = set(participation.individual_criteria.values_list("pk", flat=True))
        for criterion in leaves:
            if criterion.is_individual and criterion.pk not in own:
                continue
            value = (criterion.max_points * SHARE_OF_MAXIMUM[participation.team.slug]).quantize(
                Decimal("0.1")
            )
            codes = [""] if criterion.aggregation == Criterion.Aggregation.DIRECT else EVALUATORS
            for code in codes:
                score_save(
                    participation_id=participation.pk,
                    criterion_id=criterion.pk,
                    value=value,
                    evaluator_code=code,
                    user=clerk,
                )
                entered += 1
        for gate in stage.gates.all():
            gate_result_save(
                participation_id=participation.pk, gate_id=gate.pk, passed=True, user=clerk
            )
    return entered


def confirm_everything(stage: Stage, verifier) -> None:
    for score in Score.objects.filter(participation__stage=stage):
        score_confirm(score_id=score.pk, user=verifier, expected_version=score.version)
    for result in GateResult.objects.filter(participation__stage=stage):
        gate_result_confirm(
            gate_result_id=result.pk, user=verifier, expected_version=result.version
        )


def test_the_office_runs_stage_two_of_the_shipped_record_and_one_team_goes(
    django_capture_on_commit_callbacks,
):
    load_record()
    users = staff_users()
    admin, clerk, verifier = users["admin"], users["clerk"], users["verifier"]
    stage = Stage.objects.get(slug="stage-2")
    assert stage.status == Stage.Status.PLANNED
    # The record keeps every stage-2 team ranked: all four were in the program before it began.
    participations = Participation.objects.filter(stage=stage)
    assert {p.team.slug: p.ranked for p in participations} == dict.fromkeys(STAGE_2_TEAMS, True)
    # As recorded (program.md 2.1): three axes scored directly, weights not published, no
    # separate gate (independence is judged within the expert evaluation), lowest one out.
    criteria = {c.code: c for c in Criterion.objects.filter(stage=stage)}
    assert {code: c.max_points for code, c in criteria.items()} == dict.fromkeys(WEIGHTS)
    assert not stage.gates.exists()
    assert (stage.elimination_rule, stage.rule_count) == (Stage.Rule.ELIMINATE_LOWEST, 1)

    # Without weights the stage cannot be opened: nothing could be scored or totalled.
    with pytest.raises(DomainError) as refused:
        stage_open(stage_id=stage.pk, user=admin)
    assert (refused.value.code, refused.value.field) == ("max_points_missing", "max_points")
    assert refused.value.params["criteria"] == "benchmark, expert, user"

    # Only an administrator sets the weights; then the stage opens.
    with pytest.raises(PermissionDenied):
        criterion_update(criterion_id=criteria["expert"].pk, user=clerk, max_points="35")
    with django_capture_on_commit_callbacks(execute=True):
        for code, points in WEIGHTS.items():
            criterion_update(criterion_id=criteria[code].pk, user=admin, max_points=points)
        stage_open(stage_id=stage.pk, user=admin)
    stage.refresh_from_db()
    assert stage.status == Stage.Status.SCORING
    assert set(Participation.objects.filter(stage=stage).values_list("team__slug", flat=True)) == (
        STAGE_2_TEAMS
    )
    # The weights are fixed once scoring begins.
    with pytest.raises(DomainError) as fixed:
        criterion_update(criterion_id=criteria["user"].pk, user=admin, max_points="30")
    assert fixed.value.code == "wrong_status"

    with django_capture_on_commit_callbacks(execute=True):
        entered = enter_every_mark(stage, clerk)
        confirm_everything(stage, verifier)
        stage_submit_for_review(stage_id=stage.pk, user=admin)
    assert entered == 4 * 3
    stage.refresh_from_db()
    assert stage.status == Stage.Status.REVIEW

    # Review: the proposed outcome removes exactly the lowest team, and ranks everyone.
    snapshot = current_snapshot(stage=stage)
    assert snapshot is not None
    rows = {
        row.participation.team.slug: row
        for row in snapshot.rows.select_related("participation__team")
    }
    assert {team: row.proposed_outcome for team, row in rows.items()} == {
        "lg-ai-research": "advanced",
        "sk-telecom": "advanced",
        "upstage": "advanced",
        "motif-technologies": "eliminated",
    }
    assert {team: row.rank for team, row in rows.items()} == {
        "lg-ai-research": 1,
        "sk-telecom": 2,
        "upstage": 3,
        "motif-technologies": 4,
    }
    assert rows["lg-ai-research"].total == Decimal("90.0")  # 36.0 + 31.5 + 22.5
    assert not any(row.reason_code == "joined_later" for row in rows.values())

    with django_capture_on_commit_callbacks(execute=True):
        decisions = stage_finalize(stage_id=stage.pk, user=admin)
    assert len(decisions) == 4
    recorded = {
        d.participation.team.slug: (d.outcome, d.reason_code, d.overrides_proposal)
        for d in Decision.objects.filter(participation__stage=stage).select_related(
            "participation__team"
        )
    }
    assert recorded == {
        "lg-ai-research": (Outcome.ADVANCED, Decision.Reason.ABOVE_LINE, False),
        "sk-telecom": (Outcome.ADVANCED, Decision.Reason.ABOVE_LINE, False),
        "upstage": (Outcome.ADVANCED, Decision.Reason.ABOVE_LINE, False),
        "motif-technologies": (Outcome.ELIMINATED, Decision.Reason.BELOW_LINE, False),
    }
    stage.refresh_from_db()
    assert stage.status == Stage.Status.FINALIZED
    motif = Team.objects.get(slug="motif-technologies")
    assert (motif.status, motif.left_stage_id) == (Team.Status.ELIMINATED, stage.pk)
    # The final selection is prepared for the three teams still in.
    final = Participation.objects.filter(stage__slug="final-selection")
    assert set(final.values_list("team__slug", flat=True)) == STAGE_2_TEAMS - {"motif-technologies"}
