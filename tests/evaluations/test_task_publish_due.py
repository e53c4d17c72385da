"""The `stage_publish_due` beat task publishes a finalized stage once its announcement time has
come; given a clock (`now`), it is deterministic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from evaluations.models import Publication
from evaluations.services.lifecycle import (
    stage_finalize,
    stage_schedule_announcement,
    stage_submit_for_review,
)
from evaluations.tasks import stage_publish_due
from programs.models import Stage
from tests.builders import build_stage, confirm_all, enter_five_teams

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def test_the_beat_task_publishes_at_the_announcement_time_and_not_before(
    django_capture_on_commit_callbacks,
):
    scenario = build_stage()
    admin = scenario.users["admin"]
    announcement = dt.datetime(2026, 8, 7, 14, 0, tzinfo=SEOUL)
    with django_capture_on_commit_callbacks(execute=True):
        enter_five_teams(scenario)
        confirm_all(scenario)
        stage_submit_for_review(stage_id=scenario.stage.pk, user=admin)
        stage_schedule_announcement(
            stage_id=scenario.stage.pk, user=admin, announcement_at=announcement
        )
        stage_finalize(stage_id=scenario.stage.pk, user=admin)

    assert stage_publish_due(now=(announcement - dt.timedelta(seconds=1)).isoformat()) == []
    assert not Publication.objects.exists()
    assert stage_publish_due(now=announcement.isoformat()) == [scenario.stage.pk]
    assert stage_publish_due(now=announcement.isoformat()) == []  # a second beat: nothing
    scenario.refresh()
    assert scenario.stage.status == Stage.Status.PUBLISHED
    assert Publication.objects.get().published_at == announcement
