"""evaluations/signals.py: `publication_made` tells the interface apps a publication happened,
once it is committed, without evaluations importing them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from evaluations.models import Publication
from evaluations.services.lifecycle import stage_finalize, stage_submit_for_review
from evaluations.services.publication import publication_correct, stage_publish
from evaluations.services.scores import score_confirm, score_save
from evaluations.signals import publication_made
from programs.errors import ConflictError
from tests.builders import StageScenario, build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append({"sender": sender, **{k: v for k, v in kwargs.items() if k != "signal"}})

    publication_made.connect(receiver, dispatch_uid="test_signals")
    yield calls
    publication_made.disconnect(dispatch_uid="test_signals")


@pytest.fixture
def finalized() -> StageScenario:
    scenario = build_stage()
    enter_five_teams(scenario)
    confirm_all(scenario)
    admin = scenario.users["admin"]
    stage_submit_for_review(stage_id=scenario.stage.pk, user=admin)
    stage_finalize(stage_id=scenario.stage.pk, user=admin)
    return scenario


def test_a_publication_is_announced_once_and_only_after_commit(
    finalized, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        publication = stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
        assert received == []  # not before the transaction commits

    for callback in callbacks:
        callback()
    assert received == [
        {
            "sender": Publication,
            "publication_id": publication.pk,
            "stage_id": finalized.stage.pk,
            "is_correction": False,
        }
    ]


def test_a_refused_publication_announces_nothing(
    finalized, received, django_capture_on_commit_callbacks
):
    admin = finalized.users["admin"]
    stage_publish(stage_id=finalized.stage.pk, user=admin)
    received.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConflictError):
        stage_publish(stage_id=finalized.stage.pk, user=admin)

    assert received == []


def test_a_correction_is_announced_as_a_correction(
    finalized, received, django_capture_on_commit_callbacks
):
    admin, admin2 = finalized.users["admin"], finalized.users["admin2"]
    stage_publish(stage_id=finalized.stage.pk, user=admin)
    score = finalized.participations["alpha"].scores.get(criterion__code="nia")
    score_save(
        participation_id=score.participation_id,
        criterion_id=score.criterion_id,
        value="8.2",
        user=admin,
        expected_version=score.version,
    )
    score.refresh_from_db()
    score_confirm(score_id=score.pk, user=admin2, expected_version=score.version)
    received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        correction = publication_correct(
            stage_id=finalized.stage.pk, user=admin, note_en="NIA points of Alpha were 8.2."
        )

    assert [(c["publication_id"], c["is_correction"]) for c in received] == [(correction.pk, True)]
