"""Every service write leaves history: who, when, the value before and after, and the reason,
including the writes done as compare-and-set updates (scores, gate results, stage statuses,
publishing) and decisions, which are changed in place rather than deleted and recreated."""

from decimal import Decimal

import pytest

from evaluations.models import Decision, GateResult, Outcome, Publication, Score
from evaluations.services.lifecycle import (
    stage_finalize,
    stage_return_to_scoring,
    stage_submit_for_review,
)
from evaluations.services.publication import decision_change, stage_publish
from evaluations.services.scores import (
    gate_result_confirm,
    gate_result_delete,
    gate_result_save,
    score_confirm,
    score_delete,
    score_save,
)
from programs.errors import ConflictError
from programs.models import Stage
from teams.models import Team
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db


def changes(record) -> dict[str, tuple[object, object]]:
    """Field → (before, after) between a history record and the one before it."""
    previous = record.prev_record
    if previous is None:
        return {}
    return {c.field: (c.old, c.new) for c in record.diff_against(previous).changes}


@pytest.fixture
def scenario():
    return build_stage()


def save_nia(scenario, value: str, *, user: str = "clerk", version: int | None = None, **kw):
    return score_save(
        participation_id=scenario.participations["alpha"].pk,
        criterion_id=scenario.criteria["nia"].pk,
        value=value,
        user=scenario.users[user],
        expected_version=version,
        **kw,
    )


def test_entering_and_changing_a_score_records_both_with_who_and_the_values(scenario):
    first = save_nia(scenario, "7.5")
    save_nia(scenario, "8.25", user="clerk2", version=first.version, reason="Typo in the sheet")

    created, changed = first.history.order_by("history_id")
    assert (created.history_type, created.history_user) == ("+", scenario.users["clerk"])
    assert created.value == Decimal("7.5")
    assert changed.history_type == "~"
    assert changed.history_user == scenario.users["clerk2"]
    assert changed.history_change_reason == "Typo in the sheet"
    assert changes(changed)["value"] == (Decimal("7.5"), Decimal("8.25"))
    assert changes(changed)["version"] == (1, 2)


def test_confirming_a_score_is_recorded_with_the_verifier(scenario):
    score = save_nia(scenario, "7.5")
    score_confirm(score_id=score.pk, user=scenario.users["verifier"], expected_version=1)

    latest = score.history.latest()
    assert latest.history_user == scenario.users["verifier"]
    assert changes(latest)["confirmed_by"] == (None, scenario.users["verifier"].pk)


def test_a_refused_compare_and_set_leaves_no_history(scenario):
    score = save_nia(scenario, "7.5")
    save_nia(scenario, "8", version=1)
    with pytest.raises(ConflictError) as caught:
        save_nia(scenario, "9", user="clerk2", version=1)
    assert caught.value.code == "score_changed"
    assert score.history.count() == 2
    assert Score.objects.get(pk=score.pk).value == Decimal("8")


def test_deleting_a_score_is_recorded_with_who_and_why(scenario):
    score = save_nia(scenario, "7.5")
    score_delete(
        score_id=score.pk,
        user=scenario.users["clerk2"],
        expected_version=1,
        reason="Entered on the wrong team",
    )
    deleted = Score.history.filter(id=score.pk).latest()
    assert deleted.history_type == "-"
    assert deleted.history_user == scenario.users["clerk2"]
    assert deleted.history_change_reason == "Entered on the wrong team"
    assert deleted.value == Decimal("7.5")


def test_gate_results_record_saves_changes_confirmations_and_deletions(scenario):
    participation = scenario.participations["alpha"]
    result = gate_result_save(
        participation_id=participation.pk,
        gate_id=scenario.gate.pk,
        passed=True,
        user=scenario.users["clerk"],
    )
    result = gate_result_save(
        participation_id=participation.pk,
        gate_id=scenario.gate.pk,
        passed=False,
        reason_en="Foreign encoder weights used as they were.",
        user=scenario.users["clerk2"],
        expected_version=1,
    )
    gate_result_confirm(
        gate_result_id=result.pk, user=scenario.users["verifier"], expected_version=2
    )
    gate_result_delete(
        gate_result_id=result.pk,
        user=scenario.users["admin"],
        expected_version=2,
        reason="Recorded against the wrong gate",
    )
    assert not GateResult.objects.filter(pk=result.pk).exists()
    history = list(GateResult.history.filter(id=result.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~", "~", "-"]
    assert [h.history_user for h in history] == [
        scenario.users["clerk"],
        scenario.users["clerk2"],
        scenario.users["verifier"],
        scenario.users["admin"],
    ]
    assert changes(history[1])["passed"] == (True, False)
    assert history[3].history_change_reason == "Recorded against the wrong gate"


def test_deleting_a_gate_result_someone_changed_meanwhile_is_refused(scenario):
    result = gate_result_save(
        participation_id=scenario.participations["alpha"].pk,
        gate_id=scenario.gate.pk,
        passed=True,
        user=scenario.users["clerk"],
    )
    with pytest.raises(ConflictError) as caught:
        gate_result_delete(
            gate_result_id=result.pk, user=scenario.users["clerk"], expected_version=7
        )
    assert caught.value.code == "gate_result_changed"
    assert GateResult.objects.filter(pk=result.pk).exists()


@pytest.fixture
def reviewed(django_capture_on_commit_callbacks):
    scenario = build_stage()
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=scenario.users["admin"])
    return scenario


def test_stage_status_changes_are_recorded_with_the_administrator_and_a_send_back_reason(
    reviewed, django_capture_on_commit_callbacks
):
    stage = reviewed.stage
    with django_capture_on_commit_callbacks(execute=True):
        stage_return_to_scoring(
            stage_id=stage.pk, user=reviewed.users["admin2"], reason="Expert marks to re-check"
        )
    statuses = [
        (changes(h).get("status"), h.history_user, h.history_change_reason)
        for h in stage.history.order_by("history_id")
        if "status" in changes(h)
    ]
    assert statuses == [
        (("scoring", "review"), reviewed.users["admin"], None),
        (("review", "scoring"), reviewed.users["admin2"], "Expert marks to re-check"),
    ]


def test_finalizing_and_changing_a_decision_keep_one_row_with_its_history(
    reviewed, django_capture_on_commit_callbacks
):
    admin, admin2 = reviewed.users["admin"], reviewed.users["admin2"]
    with django_capture_on_commit_callbacks(execute=True):
        stage_finalize(stage_id=reviewed.stage.pk, user=admin)
    epsilon = reviewed.participations["epsilon"]
    decision = Decision.objects.get(participation=epsilon)
    assert decision.outcome == Outcome.ELIMINATED

    with django_capture_on_commit_callbacks(execute=True):
        changed = decision_change(
            participation_id=epsilon.pk,
            user=admin2,
            outcome=Outcome.ADVANCED,
            reason_ko="이의신청 인용",
            reason_en="Appeal upheld",
        )
    assert changed.pk == decision.pk
    history = list(decision.history.order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[0].history_user == admin
    assert history[1].history_user == admin2
    assert history[1].history_change_reason == "이의신청 인용 / Appeal upheld"
    assert changes(history[1])["outcome"] == ("eliminated", "advanced")

    team = reviewed.teams["epsilon"]
    team_history = list(Team.history.filter(id=team.pk).order_by("history_id"))
    statuses = [changes(h)["status"] for h in team_history if "status" in changes(h)]
    assert statuses == [("active", "eliminated"), ("eliminated", "active")]
    assert team_history[-1].history_user == admin2


def test_publishing_records_the_stage_change_and_the_publication(
    reviewed, django_capture_on_commit_callbacks
):
    admin = reviewed.users["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        stage_finalize(stage_id=reviewed.stage.pk, user=admin)
        publication = stage_publish(stage_id=reviewed.stage.pk, user=reviewed.users["admin2"])
    record = Publication.history.get(id=publication.pk)
    assert (record.history_type, record.history_user) == ("+", reviewed.users["admin2"])
    latest = reviewed.stage.history.latest()
    assert changes(latest)["status"] == (Stage.Status.FINALIZED, Stage.Status.PUBLISHED)
    assert latest.history_user == reviewed.users["admin2"]


def test_the_beat_publishing_at_the_announcement_is_recorded_without_a_person(
    reviewed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stage_finalize(stage_id=reviewed.stage.pk, user=reviewed.users["admin"])
        stage_publish(stage_id=reviewed.stage.pk, user=None)
    latest = reviewed.stage.history.latest()
    assert latest.status == Stage.Status.PUBLISHED
    assert latest.history_user is None
