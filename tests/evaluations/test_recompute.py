from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluations import standings as core
from evaluations.models import StandingsRow, StandingsSnapshot
from evaluations.services.recompute import (
    stage_input_build,
    stages_stale,
    standings_recompute,
    standings_reconcile,
)
from programs.errors import DomainError
from programs.models import Stage
from tests.builders import build_stage, enter_five_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    """Five teams entered; the on-commit recomputes were not run (as if the broker was down)."""
    scenario = build_stage()
    enter_five_teams(scenario)
    return scenario


def current(stage):
    return StandingsSnapshot.objects.filter(stage=stage, is_current=True).first()


def test_a_stage_whose_recompute_never_ran_is_stale_until_reconciled(scored):
    assert list(stages_stale()) == [scored.stage]
    assert standings_reconcile() == [scored.stage.pk]
    assert list(stages_stale()) == []
    snapshot = current(scored.stage)
    totals = dict(
        StandingsRow.objects.filter(snapshot=snapshot).values_list(
            "participation__team__slug", "total"
        )
    )
    assert totals == {
        "alpha": Decimal("90.2"),
        "beta": Decimal("83.0"),
        "gamma": Decimal("78.2"),
        "delta": Decimal("78.0"),
        "epsilon": Decimal("67.0"),
    }


def test_recomputing_unchanged_inputs_changes_nothing(scored):
    first = standings_recompute(stage_id=scored.stage.pk)
    second = standings_recompute(stage_id=scored.stage.pk)
    assert first.changed and not second.changed
    assert first.snapshot_id == second.snapshot_id
    assert StandingsSnapshot.objects.filter(stage=scored.stage).count() == 1


def test_the_snapshot_digest_is_the_digest_of_the_current_inputs(scored):
    standings_recompute(stage_id=scored.stage.pk)
    expected = core.input_digest(stage_input_build(stage=scored.stage))
    assert current(scored.stage).input_digest == expected


def test_inputs_returning_to_an_earlier_state_bring_back_that_snapshot(scored):
    from evaluations.services.scores import score_save

    first = standings_recompute(stage_id=scored.stage.pk).snapshot_id
    args = dict(
        participation_id=scored.participations["alpha"].pk,
        criterion_id=scored.criteria["nia"].pk,
        user=scored.users["clerk"],
    )
    score_save(**args, value="5", expected_version=1)
    second = standings_recompute(stage_id=scored.stage.pk).snapshot_id
    score_save(**args, value="9.2", expected_version=2)
    third = standings_recompute(stage_id=scored.stage.pk)
    assert second != first
    assert third.snapshot_id == first and third.changed
    assert StandingsSnapshot.objects.filter(stage=scored.stage, is_current=True).get().pk == first
    assert list(stages_stale()) == []


def test_a_stage_with_broken_rules_names_the_problem(scored):
    Stage.objects.filter(pk=scored.stage.pk).update(tie_break=["no-such-criterion"])
    with pytest.raises(DomainError) as caught:
        standings_recompute(stage_id=scored.stage.pk)
    assert caught.value.code == "bad_stage_rules"
    assert "no-such-criterion" in caught.value.params["detail"]
    assert current(scored.stage) is None


def test_the_operator_command_recomputes_stale_stages_then_reports_all_is_current(scored):
    out = StringIO()
    call_command("recompute_standings", stdout=out)
    assert f"Stage {scored.stage.pk} “Stage 1”: new current snapshot" in out.getvalue()
    out = StringIO()
    call_command("recompute_standings", stdout=out)
    assert "up to date" in out.getvalue()
    out = StringIO()
    call_command("recompute_standings", "--stage", str(scored.stage.pk), stdout=out)
    assert "unchanged" in out.getvalue()


def test_the_operator_command_refuses_an_unknown_stage(db):
    with pytest.raises(CommandError, match="no stage with id 999"):
        call_command("recompute_standings", "--stage", "999")
