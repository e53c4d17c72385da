"""Publication webhooks: signed, retried after a receiver error, de-duplicable by event id,
and never sent for a stage that is not published."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from api import webhooks
from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscriber
from api.tasks import webhook_deliver
from evaluations.services.publication import stage_publish

pytestmark = pytest.mark.django_db


class Receiver:
    """A newsroom's endpoint on the loopback: answers the queued statuses, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def subscriber(receiver: Receiver) -> WebhookSubscriber:
    return WebhookSubscriber.objects.create(name="Newsroom", url=receiver.url, secret="s3cret")


def publish(scenario, capture) -> None:
    with capture(execute=True):
        stage_publish(stage_id=scenario.stage.pk, user=scenario.users["admin"])


def test_publishing_posts_one_signed_event(
    finalized, subscriber, receiver, django_capture_on_commit_callbacks
):
    assert receiver.requests == []  # finalized is not published: nothing was sent
    publish(finalized, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert webhooks.signature_valid(
        secret="s3cret", header=headers["X-Tracker-Signature"], body=body
    )
    assert not webhooks.signature_valid(
        secret="wrong", header=headers["X-Tracker-Signature"], body=body
    )
    assert not webhooks.signature_valid(
        secret="s3cret", header=headers["X-Tracker-Signature"], body=body + b" "
    )
    event = json.loads(body)
    assert headers["X-Tracker-Event"] == event["type"] == "publication.published"
    assert headers["X-Tracker-Event-Id"] == event["id"]
    publication = event["data"]["publication"]
    assert publication["stage"]["slug"] == "stage-1"
    assert publication["published_at"].endswith("+09:00")
    assert len(publication["digest"]) == 64
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_a_receiver_error_is_retried_and_logged(
    finalized, subscriber, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503]
    publish(finalized, django_capture_on_commit_callbacks)
    # Eager tasks retry at once; a worker would wait 30 s, then 60 s.
    assert len(receiver.requests) == 3
    ids = {headers["X-Tracker-Event-Id"] for headers, _ in receiver.requests}
    assert len(ids) == 1  # the same event each time
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    log = list(WebhookAttempt.objects.values_list("number", "status_code", "error"))
    assert log == [(1, 500, "HTTP 500"), (2, 503, "HTTP 503"), (3, 200, "")]


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(
    finalized, subscriber, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscriber.url = "http://127.0.0.1:9/closed"  # nothing listens on the discard port
    subscriber.save()
    publish(finalized, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert delivery.last_error


def test_receivers_can_drop_a_redelivered_event_by_its_id(
    finalized, subscriber, receiver, django_capture_on_commit_callbacks
):
    publish(finalized, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    # A worker died after posting but before recording it: the delivery is sent again.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending", delivered_at=None)
    webhook_deliver.delay(delivery.pk)
    assert len(receiver.requests) == 2
    seen: set[str] = set()
    processed = 0
    for headers, _body in receiver.requests:
        if headers["X-Tracker-Event-Id"] in seen:
            continue
        seen.add(headers["X-Tracker-Event-Id"])
        processed += 1
    assert processed == 1
    # Announcing the same publication again records no second event.
    webhooks.event_record(publication_id=WebhookEvent.objects.get().publication_id)
    assert WebhookEvent.objects.count() == 1


def test_the_resume_beat_sends_what_a_lost_signal_or_task_missed(finalized, subscriber, receiver):
    # Published without running on-commit callbacks: as if the process died right after commit.
    stage_publish(stage_id=finalized.stage.pk, user=finalized.users["admin"])
    assert not WebhookEvent.objects.exists()
    sent = webhooks.deliveries_resume()
    assert len(sent) == 1
    assert len(receiver.requests) == 1
    assert webhooks.deliveries_resume() == []  # delivered: nothing more to send
