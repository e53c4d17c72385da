"""A stage taken through scoring, review and finalization to wait for its announcement, and what
"published exactly once" means for it."""

from __future__ import annotations

import datetime as dt

from evaluations.models import Publication, Score
from evaluations.services.lifecycle import (
    stage_finalize,
    stage_schedule_announcement,
    stage_submit_for_review,
)
from evaluations.services.scores import score_confirm, score_save
from programs.models import Stage
from tests.builders import ScoringScenario, build_scoring_stage, marks_for


def finalized_stage(
    *, announcement_at: dt.datetime, slug: str = "stage-1", order: int = 2
) -> ScoringScenario:
    """A stage taken to finalized through the services, as the evaluation office would."""
    scenario = build_scoring_stage(slug=slug, order=order)
    for participation, criterion, evaluator, value in marks_for(scenario):
        score_save(
            participation_id=participation.pk,
            criterion_id=criterion.pk,
            evaluator_code=evaluator,
            value=value,
            user=scenario.clerk,
        )
    for score in Score.objects.filter(participation__stage=scenario.stage):
        score_confirm(score_id=score.pk, user=scenario.verifier, expected_version=score.version)
    stage_id = scenario.stage.pk
    stage_submit_for_review(stage_id=stage_id, user=scenario.admin)
    stage_finalize(stage_id=stage_id, user=scenario.admin)
    stage_schedule_announcement(
        stage_id=stage_id, user=scenario.admin, announcement_at=announcement_at
    )
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.FINALIZED
    return scenario


def assert_published_once(scenario: ScoringScenario) -> None:
    publications = list(Publication.objects.filter(stage=scenario.stage))
    assert [(p.sequence, p.corrects_id) for p in publications] == [(1, None)]
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.PUBLISHED
    assert scenario.stage.published_at == publications[0].published_at
