"""Redis (the cache and the broker) going down while scores are saved, while an import runs and
while a stage is due to publish: saves and imports still commit whole, the staff screens keep
answering, nothing runs twice, and once Redis is back the work left behind is done exactly once.

Each test runs a Redis of its own (tests/integration/redis_server.py) that this process and the
worker use for both the cache and the broker, and crashes it: the shared Redis stays up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscriber
from api.tasks import webhook_deliveries_resume
from config.celery import app as celery_app
from evaluations.models import Publication, Score, ScoreImport
from evaluations.services.recompute import stages_stale, standings_recompute
from evaluations.tasks import stage_publish_due, standings_reconcile
from programs.models import Stage
from tests.builders import build_scoring_stage, expected_total, scores_enter_with_orm
from tests.integration.conftest import broker_use
from tests.integration.imports import (
    EVALUATORS,
    apply_clicked,
    apply_held,
    assert_equals_clean_run,
    clean_run,
    drill_file,
    file_scores_stored,
    import_checked,
    scored_stage,
    snapshot_current_and_fresh,
    stage_row_lock,
)
from tests.integration.publishing import assert_published_once, finalized_stage
from tests.integration.redis_server import RedisServer
from tests.integration.snapshots import current_snapshot, snapshot_reflects
from tests.integration.webhook_receiver import WebhookReceiver
from tests.integration.worker import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory=tmp_path).start()
    yield server
    server.crash()


@pytest.fixture
def celery_on_test_redis(own_redis: RedisServer, settings: Any) -> Iterator[str]:
    """In place of the conftest's: the cache and the broker of this process, and (through
    `start_worker`) the worker's, are all the test's own Redis."""
    url = own_redis.url()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.task_always_eager = False
    broker_use(url)
    yield url
    celery_app.conf.task_always_eager = saved["task_always_eager"]
    broker_use(saved["broker_url"])


@pytest.fixture
def newsroom() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret="newsroom-secret").start()
    yield receiver
    receiver.close()


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def answers_ping(worker: CeleryWorker) -> bool:
    try:
        return bool(celery_app.control.ping(destination=[worker.nodename], timeout=0.25, limit=1))
    except RedisError:  # this process's broadcast connection from before the outage, dropped
        return False


def back_after_the_outage(
    worker: CeleryWorker, start_worker: Callable[..., CeleryWorker]
) -> CeleryWorker:
    """The worker once Redis is back: reconnected, or started again as the process supervisor
    (docker compose's restart policy) would if it stopped.

    It stops with Celery 5.7 and kombu 5.7 when the broker connection is lost while a task is
    unacknowledged (putting the task back needs the connection just closed: an AttributeError
    in kombu's restore_unacked, "Unrecoverable error"); it finishes its running task first.
    """
    state = wait_until(
        lambda: "stopped" if not worker.running else "back" if answers_ping(worker) else None,
        what=lambda: f"the worker to reconnect or stop:\n{worker.log_text()}",
    )
    return worker if state == "back" else start_worker()


def test_a_score_saved_while_redis_is_down_is_kept_and_the_standings_catch_up_when_it_returns(
    start_worker: Callable[..., CeleryWorker], own_redis: RedisServer, client: Client
) -> None:
    scenario = build_scoring_stage()
    scores_enter_with_orm(scenario)
    before = standings_recompute(stage_id=scenario.stage.pk).snapshot_id
    worker = start_worker()
    first = scenario.participations[0]
    score = first.scores.get(criterion=scenario.user)
    clerk = signed_in(client, scenario.clerk)

    own_redis.crash()
    response = clerk.post(
        f"/staff/stages/{scenario.stage.pk}/scores/cell/",
        {
            "participation": first.pk,
            "criterion": scenario.user.pk,
            "evaluator": "",
            "version": score.version,
            "value": "24",
        },
    )

    assert response.status_code == 200
    score.refresh_from_db()
    assert (score.value, score.version) == (Decimal("24"), 2)
    assert list(stages_stale().values_list("pk", flat=True)) == [scenario.stage.pk]
    assert current_snapshot(scenario.stage).pk == before

    own_redis.start()
    worker = back_after_the_outage(worker, start_worker)
    reconcile = standings_reconcile.delay()  # beat's next tick
    assert worker.wait_for_task(reconcile.id) == f"[{scenario.stage.pk}]"
    expected = {"team-1": expected_total(1, user=Decimal("24")), "team-2": expected_total(2)}
    wait_until(
        lambda: snapshot_reflects(scenario.stage, expected),
        what=lambda: f"the reconciled recompute:\n{worker.log_text()}",
    )
    assert Score.objects.filter(participation=first).count() == 5  # nothing lost, nothing doubled


def test_an_import_running_when_redis_goes_down_is_applied_once_and_nothing_doubles_after(
    start_worker: Callable[..., CeleryWorker],
    own_redis: RedisServer,
    other_session: psycopg.Connection,
    client: Client,
) -> None:
    content = drill_file()
    clean = clean_run(content)
    scenario, previous = scored_stage()
    score_import = apply_clicked(scenario, import_checked(scenario, content))
    stage_row_lock(other_session, scenario.stage)
    worker = start_worker()
    apply_held(score_import, other_session)
    clerk = signed_in(client, scenario.clerk)
    screen = f"/staff/stages/{scenario.stage.pk}/import/{score_import.pk}/"

    own_redis.crash()
    waiting = clerk.get(f"{screen}status/", HTTP_HX_REQUEST="true")  # the polled progress bar
    assert waiting.status_code == 200
    assert 'data-status="queued"' in waiting.content.decode()
    other_session.rollback()

    # The import needs only the database: it commits whole; the progress bar and the queueing of
    # the recompute, which need Redis, do without.
    wait_until(
        lambda: ScoreImport.objects.get(pk=score_import.pk).status == ScoreImport.Status.APPLIED,
        what=lambda: f"the import to be applied without Redis:\n{worker.log_text()}",
    )
    # Its task ends too, once the recompute it queues on commit has failed to reach the broker.
    wait_until(
        lambda: worker.succeeded_count("evaluations.scores_import") == 1,
        what=lambda: f"the import task to end:\n{worker.log_text()}",
    )
    assert file_scores_stored(scenario.stage) == 3 * (EVALUATORS - 3)
    status = clerk.get(f"{screen}status/", HTTP_HX_REQUEST="true")
    assert status.status_code == 200
    assert 'data-status="applied"' in status.content.decode()
    assert clerk.get(screen).status_code == 200
    assert list(stages_stale().values_list("pk", flat=True)) == [scenario.stage.pk]
    assert current_snapshot(scenario.stage).pk == previous

    own_redis.start()
    worker = back_after_the_outage(worker, start_worker)
    # The clerk, unsure what happened, presses apply again: nothing is applied twice.
    again = clerk.post(f"{screen}apply/", follow=True)
    assert again.status_code == 200
    reconcile = standings_reconcile.delay()  # beat's next tick
    assert worker.wait_for_task(reconcile.id) == f"[{scenario.stage.pk}]"
    wait_until(
        lambda: snapshot_current_and_fresh(scenario.stage),
        what=lambda: f"the reconciled recompute:\n{worker.log_text()}",
    )
    score_import.refresh_from_db()
    assert score_import.status == ScoreImport.Status.APPLIED
    assert score_import.attempts == 1
    assert_equals_clean_run(scenario.stage, clean)


def test_stages_due_while_redis_is_down_are_published_once_with_one_webhook_per_event(
    start_worker: Callable[..., CeleryWorker],
    own_redis: RedisServer,
    newsroom: WebhookReceiver,
    client: Client,
) -> None:
    # Stage 1 is announced by beat; stage 2 an administrator publishes at once during the outage.
    due = finalized_stage(announcement_at=timezone.now() - dt.timedelta(minutes=1))
    at_once = finalized_stage(
        announcement_at=timezone.now() + dt.timedelta(days=1), slug="stage-2", order=3
    )
    WebhookSubscriber.objects.create(name="Newsroom", url=newsroom.url, secret=newsroom.secret)
    # The recomputes queued while the stages were built have nothing left to do.
    own_redis.client().flushdb()
    worker = start_worker()

    own_redis.crash()
    with pytest.raises(BrokerOperationalError):
        stage_publish_due.delay()  # beat's tick at the announcement time cannot be sent
    published = signed_in(client, at_once.admin).post(
        f"/staff/stages/{at_once.stage.pk}/publication/publish/"
    )

    assert published.status_code == 302
    assert_published_once(at_once)
    due.stage.refresh_from_db()
    assert due.stage.status == Stage.Status.FINALIZED
    assert not Publication.objects.filter(stage=due.stage).exists()
    # Its webhook is recorded but cannot be queued: it waits, pending.
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]
    assert newsroom.received() == {}

    own_redis.start()
    worker = back_after_the_outage(worker, start_worker)
    # Two beats (or a catch-up tick after the outage): the due stage is published once.
    ticks = [stage_publish_due.delay() for _ in range(2)]
    returned = sorted(worker.wait_for_task(tick.id) for tick in ticks)
    assert returned == sorted(["[]", f"[{due.stage.pk}]"])
    resume = webhook_deliveries_resume.delay()  # beat's webhook catch-up
    worker.wait_for_task(resume.id)
    events = [str(event) for event in WebhookEvent.objects.values_list("id", flat=True)]
    assert len(events) == 2
    wait_until(
        lambda: (
            newsroom.received() == dict.fromkeys(events, 1)
            and not WebhookDelivery.objects.exclude(
                status=WebhookDelivery.Status.DELIVERED
            ).exists()
        ),
        what=lambda: (
            f"one delivery of each event, seen {newsroom.received()}:\n{worker.log_text()}"
        ),
    )
    again = webhook_deliveries_resume.delay()
    assert worker.wait_for_task(again.id) == "[]"  # nothing left to send
    assert_published_once(due)
    assert_published_once(at_once)
    assert newsroom.received() == dict.fromkeys(events, 1)
    assert newsroom.bad_signatures == 0
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [200, 200]
