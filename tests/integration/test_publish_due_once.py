"""A finalized stage whose announcement time has come is published exactly once, however many
publishers (beat processes, workers) run `stage_publish_due` at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.utils import timezone

from evaluations.models import Publication
from evaluations.services.publication import stage_publish_due
from evaluations.tasks import stage_publish_due as stage_publish_due_task
from programs.models import Stage
from tests.integration.publishing import assert_published_once, finalized_stage
from tests.integration.worker import CeleryWorker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PUBLISHERS = 2


def test_two_publishers_at_once_publish_a_due_stage_exactly_once() -> None:
    announcement = timezone.now() - dt.timedelta(minutes=1)
    scenario = finalized_stage(announcement_at=announcement)
    start = threading.Barrier(PUBLISHERS)
    published: list[list[int]] = []
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            start.wait(timeout=10)
            published.append(stage_publish_due(now=announcement + dt.timedelta(seconds=1)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    publishers = [threading.Thread(target=publish, daemon=True) for _ in range(PUBLISHERS)]
    for publisher in publishers:
        publisher.start()
    for publisher in publishers:
        publisher.join(30)

    assert not any(publisher.is_alive() for publisher in publishers)
    assert errors == []
    assert sorted(published) == [[], [scenario.stage.pk]]
    assert_published_once(scenario)


def test_two_queued_publish_due_tasks_publish_a_due_stage_exactly_once(
    start_worker: Callable[..., CeleryWorker],
) -> None:
    scenario = finalized_stage(announcement_at=timezone.now() - dt.timedelta(minutes=1))
    worker = start_worker(concurrency=2)

    results = [stage_publish_due_task.delay() for _ in range(PUBLISHERS)]

    returned = sorted(worker.wait_for_task(result.id) for result in results)
    assert returned == sorted(["[]", f"[{scenario.stage.pk}]"])  # one published, one found none
    assert_published_once(scenario)
    worker.assert_no_problems()


def test_a_stage_announced_in_the_future_is_not_published() -> None:
    now = timezone.now()
    scenario = finalized_stage(announcement_at=now + dt.timedelta(hours=1))

    assert stage_publish_due(now=now) == []

    assert not Publication.objects.filter(stage=scenario.stage).exists()
    scenario.stage.refresh_from_db()
    assert scenario.stage.status == Stage.Status.FINALIZED
    assert stage_publish_due(now=now + dt.timedelta(hours=1)) == [scenario.stage.pk]
    assert_published_once(scenario)
