"""Services for the score grid and confirmation: a whole row at once, sending back, confirming a
team; each leaves history naming the person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Score
from evaluations.services.score_entry import (
    MarkEntry,
    RowConflict,
    score_send_back,
    scores_confirm_team,
    scores_save_row,
)
from programs.errors import ConflictError, DomainError, PermissionDenied
from tests.builders import build_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_stage(teams=("alpha", "beta"))


def row(scenario, **marks):
    return [
        MarkEntry(scenario.criteria[code].pk, None if v is None else Decimal(v), ev, ver)
        for code, (v, ev, ver) in marks.items()
    ]


def test_a_row_is_saved_whole_with_history(scenario):
    clerk = scenario.users["clerk"]
    saved = scores_save_row(
        participation_id=scenario.participations["alpha"].pk,
        entries=row(scenario, nia=("8", "", None), expert=("30", "E01", None)),
        user=clerk,
    )
    assert len(saved) == 2
    history = Score.history.filter(history_type="+")
    assert history.count() == 2
    assert {h.history_user_id for h in history} == {clerk.pk}


def test_a_row_with_one_bad_mark_saves_nothing(scenario):
    with pytest.raises(DomainError) as refused:
        scores_save_row(
            participation_id=scenario.participations["alpha"].pk,
            entries=row(scenario, nia=("8", "", None), common=("21", "", None)),
            user=scenario.users["clerk"],
        )
    assert refused.value.code == "above_max"
    assert not Score.objects.exists()


def test_a_row_with_a_stale_mark_names_who_saved_it(scenario):
    pid = scenario.participations["alpha"].pk
    scores_save_row(
        participation_id=pid,
        entries=row(scenario, nia=("8", "", None)),
        user=scenario.users["clerk2"],
    )
    with pytest.raises(RowConflict) as conflict:
        scores_save_row(
            participation_id=pid,
            entries=row(scenario, nia=("7", "", None), common=("15", "", None)),
            user=scenario.users["clerk"],
        )
    [cell] = conflict.value.conflicts
    assert (cell.theirs, cell.yours, cell.saved_by) == (Decimal(8), Decimal(7), "clerk2")
    assert Score.objects.count() == 1


def test_the_same_row_twice_changes_nothing(scenario):
    pid = scenario.participations["alpha"].pk
    clerk = scenario.users["clerk"]
    scores_save_row(participation_id=pid, entries=row(scenario, nia=("8", "", None)), user=clerk)
    again = scores_save_row(
        participation_id=pid, entries=row(scenario, nia=("8", "", 1)), user=clerk
    )
    assert again == []
    assert Score.objects.get().version == 1


def test_a_verifier_only_can_send_back_and_never_their_own(scenario):
    clerk, verifier = scenario.users["clerk"], scenario.users["verifier"]
    [score] = scores_save_row(
        participation_id=scenario.participations["alpha"].pk,
        entries=row(scenario, nia=("8", "", None)),
        user=clerk,
    )
    with pytest.raises(PermissionDenied):
        score_send_back(score_id=score.pk, user=clerk, expected_version=1, note="x")
    with pytest.raises(ConflictError):
        score_send_back(score_id=score.pk, user=verifier, expected_version=2, note="x")
    score_send_back(score_id=score.pk, user=verifier, expected_version=1, note="16점 아닌가요?")
    record = Score.history.filter(id=score.pk).latest("history_date")
    assert record.history_change_reason == "16점 아닌가요?"
    assert record.history_user_id == verifier.pk
    # A mark sent back and not fixed cannot be confirmed with the team.
    with pytest.raises(DomainError):
        scores_confirm_team(
            participation_id=score.participation_id, user=verifier, versions={score.pk: 1}
        )


def test_confirming_a_team_records_who(scenario):
    clerk, verifier = scenario.users["clerk"], scenario.users["verifier"]
    saved = scores_save_row(
        participation_id=scenario.participations["alpha"].pk,
        entries=row(scenario, nia=("8", "", None), common=("17", "", None)),
        user=clerk,
    )
    count = scores_confirm_team(
        participation_id=scenario.participations["alpha"].pk,
        user=verifier,
        versions={s.pk: s.version for s in saved},
    )
    assert count == 2
    assert Score.history.filter(history_user=verifier).count() == 2
