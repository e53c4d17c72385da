from decimal import Decimal

import pytest
from django.utils import translation

from evaluations.models import Decision, Participation, StandingsSnapshot
from evaluations.services.lifecycle import (
    DecisionInput,
    stage_finalize,
    stage_open,
    stage_return_to_scoring,
    stage_submit_for_review,
)
from evaluations.services.scores import score_confirm, score_save
from programs.errors import ConflictError, DomainError, PermissionDenied
from programs.models import Stage
from teams.models import Team
from tests.builders import (
    FIVE_TEAMS,
    build_stage,
    confirm_all,
    enter_five_teams,
    enter_team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(django_capture_on_commit_callbacks):
    """Stage 1 with five teams entered, confirmed and sent to review."""
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    return scenario


def test_opening_a_stage_creates_participations_for_the_teams_still_in():
    scenario = build_stage(status=Stage.Status.PLANNED, participations=False)
    out = scenario.teams["epsilon"]
    out.status, out.left_stage = Team.Status.ELIMINATED, scenario.stage
    out.save()
    stage_open(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    scenario.refresh()
    assert scenario.stage.status == Stage.Status.SCORING
    teams = set(
        Participation.objects.filter(stage=scenario.stage).values_list("team__slug", flat=True)
    )
    assert teams == {"alpha", "beta", "gamma", "delta"}


def test_only_an_administrator_opens_a_stage_and_only_once():
    scenario = build_stage(status=Stage.Status.PLANNED, participations=False)
    for who in ("clerk", "verifier", "outsider"):
        with pytest.raises(PermissionDenied):
            stage_open(stage_id=scenario.stage.pk, user=scenario.users[who])
    stage_open(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    with pytest.raises(DomainError) as caught:
        stage_open(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert (caught.value.code, caught.value.params["status"]) == ("wrong_status", "scoring")


def test_review_waits_until_every_team_has_every_mark_and_gate():
    scenario = build_stage()
    enter_team(scenario, "alpha", **FIVE_TEAMS["alpha"])  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    scenario.refresh()
    error = caught.value
    assert error.code == "incomplete"
    missing = error.as_dict()["params"]["items"]
    # One item per cell a staff screen can mark: the team, and the criterion or the gate.
    assert "alpha" not in {item["team"] for item in missing}
    assert {
        "code": "missing_score",
        "participation_id": scenario.participations["beta"].pk,
        "team": "beta",
        "criterion": "nia",
        "gate": None,
        "evaluator_code": "",
        "message": "beta: “nia” 항목 점수 미입력",  # the Korean team name
    } in missing
    assert error.params["count"] == len(missing)
    with translation.override("en"):
        assert str(error).startswith("Scoring is not complete: Beta: no score for “nia”; ")
    assert scenario.stage.status == Stage.Status.SCORING


def test_finalizing_needs_every_entry_confirmed_by_a_second_person(
    django_capture_on_commit_callbacks,
):
    scenario = build_stage()
    enter_five_teams(scenario)
    stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    with pytest.raises(DomainError) as caught:
        stage_finalize(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert caught.value.code == "unconfirmed"
    pending = caught.value.as_dict()["params"]["items"]
    assert {item["code"] for item in pending} == {"score_unconfirmed", "gate_result_unconfirmed"}
    assert {item["team"] for item in pending} == set(scenario.participations)
    assert not Decision.objects.exists()


def test_a_verifier_cannot_confirm_their_own_entry():
    scenario = build_stage()
    scenario.users["verifier"].groups.add(scenario.users["clerk"].groups.get())
    score = score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value="9",
        user=scenario.users["verifier"],
    )
    with pytest.raises(PermissionDenied) as caught:
        score_confirm(score_id=score.pk, user=scenario.users["verifier"], expected_version=1)
    assert caught.value.code == "own_entry"


def test_confirming_a_score_that_changed_since_it_was_seen_is_a_conflict():
    scenario = build_stage()
    args = dict(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
    )
    score_save(**args, value="9", user=scenario.users["clerk"])
    score = score_save(**args, value="8", user=scenario.users["clerk"], expected_version=1)
    with pytest.raises(ConflictError):
        score_confirm(score_id=score.pk, user=scenario.users["verifier"], expected_version=1)
    assert score_confirm(
        score_id=score.pk, user=scenario.users["verifier"], expected_version=2
    ).confirmed_by


def test_review_shows_the_proposed_outcome_and_its_sensitivity(reviewed):
    snapshot = StandingsSnapshot.objects.get(stage=reviewed.stage, is_current=True)
    rows = {
        row.participation.team.slug: row
        for row in snapshot.rows.select_related("participation__team")
    }
    assert rows["alpha"].total == Decimal("90.2")
    assert rows["alpha"].rank == 1
    assert rows["beta"].rank == 2  # a top-four score …
    assert rows["beta"].proposed_outcome == "disqualified"  # … out through the gate
    assert rows["epsilon"].proposed_outcome == "eliminated"
    assert {rows[t].proposed_outcome for t in ("alpha", "gamma", "delta")} == {"advanced"}
    assert "robust" in snapshot.sensitivity
    assert snapshot.sensitivity["summary_en"]


def test_finalizing_records_decisions_team_statuses_and_prepares_the_next_stage(reviewed):
    stage_finalize(stage_id=reviewed.stage.pk, user=reviewed.users["admin"])
    reviewed.refresh()
    assert reviewed.stage.status == Stage.Status.FINALIZED
    outcomes = dict(
        Decision.objects.filter(participation__stage=reviewed.stage).values_list(
            "participation__team__slug", "outcome"
        )
    )
    assert outcomes == {
        "alpha": "advanced",
        "beta": "disqualified",
        "gamma": "advanced",
        "delta": "advanced",
        "epsilon": "eliminated",
    }
    assert reviewed.teams["beta"].status == Team.Status.DISQUALIFIED
    assert reviewed.teams["epsilon"].status == Team.Status.ELIMINATED
    assert reviewed.teams["epsilon"].left_stage == reviewed.stage
    next_teams = set(
        Participation.objects.filter(stage=reviewed.next_stage).values_list("team__slug", flat=True)
    )
    assert next_teams == {"alpha", "gamma", "delta"}


def test_overriding_the_proposed_outcome_needs_a_reason(reviewed):
    delta = reviewed.participations["delta"].pk
    with pytest.raises(DomainError) as caught:
        stage_finalize(
            stage_id=reviewed.stage.pk,
            user=reviewed.users["admin"],
            decisions={delta: DecisionInput(outcome="eliminated")},
        )
    assert (caught.value.code, caught.value.params["team_slugs"]) == ("decision_needed", ["delta"])
    reviewed.refresh()
    assert reviewed.stage.status == Stage.Status.REVIEW
    assert not Decision.objects.exists()

    stage_finalize(
        stage_id=reviewed.stage.pk,
        user=reviewed.users["admin"],
        decisions={delta: DecisionInput(outcome="eliminated", reason_en="Licence breach found.")},
    )
    decision = Decision.objects.get(participation_id=delta)
    assert decision.overrides_proposal
    assert decision.proposed_outcome == "advanced"
    assert decision.reason_en == "Licence breach found."


def test_a_tie_at_the_line_needs_a_committee_decision(django_capture_on_commit_callbacks):
    scenario = build_stage(teams=("alpha", "gamma", "delta"))
    values = dict(
        nia="8", common="10", individual="5", expert=("20", "20", "20"), user=("10", "10", "10")
    )
    with django_capture_on_commit_callbacks(execute=True):
        enter_team(scenario, "alpha", **FIVE_TEAMS["alpha"])  # type: ignore[arg-type]
        enter_team(scenario, "gamma", **values)  # type: ignore[arg-type]
        enter_team(scenario, "delta", **values)  # type: ignore[arg-type]
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    with pytest.raises(DomainError) as caught:
        stage_finalize(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert caught.value.code == "decision_needed"
    assert caught.value.params["team_slugs"] == ["delta", "gamma"]
    stage_finalize(
        stage_id=scenario.stage.pk,
        user=scenario.users["admin"],
        decisions={
            scenario.participations["gamma"].pk: DecisionInput(
                outcome="advanced", reason_en="Committee: better expert review."
            ),
            scenario.participations["delta"].pk: DecisionInput(
                outcome="eliminated", reason_en="Committee: weaker expert review."
            ),
        },
    )
    assert Decision.objects.get(participation__team__slug="delta").outcome == "eliminated"


def test_a_stage_in_review_can_go_back_to_scoring(reviewed):
    stage_return_to_scoring(stage_id=reviewed.stage.pk, user=reviewed.users["admin"])
    reviewed.refresh()
    assert reviewed.stage.status == Stage.Status.SCORING


def test_finalizing_a_stage_that_is_not_in_review_is_refused():
    scenario = build_stage()
    with pytest.raises(DomainError) as caught:
        stage_finalize(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    assert (caught.value.code, caught.value.params["status"]) == ("wrong_status", "scoring")
