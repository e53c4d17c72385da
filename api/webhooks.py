"""Publication webhooks: what is sent, how it is signed, and one delivery attempt.

Every request is a POST of the event's JSON with these headers:

- `X-Tracker-Event`: `publication.published` or `publication.corrected`;
- `X-Tracker-Event-Id`: the event's UUID, the same on every retry: receivers de-duplicate on it
  (delivery is at least once, so the same event can arrive twice);
- `X-Tracker-Timestamp`: Unix seconds when this attempt was signed;
- `X-Tracker-Signature`: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>." + body, keyed
  with the subscriber's secret>`. Receivers recompute it, compare in constant time and refuse
  old timestamps (replays). See the README for a receiver.

A 2xx answer delivers; anything else (an error status, a refused connection, a timeout) is
retried with doubling delays up to `WEBHOOK_MAX_ATTEMPTS`, each attempt logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscriber
from evaluations.chain import seoul_time
from evaluations.selectors import publications_visible

SIGNATURE_HEADER = "X-Tracker-Signature"
USER_AGENT = "sovereign-ai-tracker-webhooks/1"


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(
    *, secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = 300
) -> bool:
    """What a receiver does (also used by the tests): check the signature and its age."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_body(event: WebhookEvent) -> bytes:
    return json.dumps(event.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _event_payload(event_id: uuid.UUID, kind: str, publication: Any) -> dict[str, Any]:
    stage = publication.stage
    return {
        "id": str(event_id),
        "type": kind,
        "created_at": seoul_time(timezone.now()),
        "data": {
            "publication": {
                "id": publication.pk,
                "program": stage.program.slug,
                "stage": {
                    "id": stage.pk,
                    "slug": stage.slug,
                    "name_ko": stage.name_ko,
                    "name_en": stage.name_en,
                },
                "sequence": publication.sequence,
                "is_correction": publication.corrects_id is not None,
                "corrects": publication.corrects_id,
                "published_at": seoul_time(publication.published_at),
                "note_ko": publication.note_ko,
                "note_en": publication.note_en,
                "digest": publication.digest,
                "previous_digest": publication.previous_digest,
                "url": f"/api/v1/publications/{publication.pk}/",
                "standings_url": f"/api/v1/stages/{stage.pk}/standings/",
            }
        },
    }


def event_record(*, publication_id: int) -> WebhookEvent | None:
    """Record the event of a publication once, with a delivery per active subscriber, and
    send them after commit. Only a visible publication makes an event (never a leak); running
    it twice for the same publication changes nothing."""
    publication = (
        publications_visible()
        .filter(pk=publication_id)
        .select_related("stage__program", "corrects")
        .first()
    )
    if publication is None:
        return None
    kind = WebhookEvent.Kind.CORRECTED if publication.corrects_id else WebhookEvent.Kind.PUBLISHED
    event_id = uuid.uuid4()
    with transaction.atomic():
        event, created = WebhookEvent.objects.get_or_create(
            publication_id=publication.pk,
            defaults={
                "id": event_id,
                "kind": kind,
                "payload": _event_payload(event_id, kind, publication),
            },
        )
        if not created:
            return event
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=event, subscriber=subscriber)
            for subscriber in WebhookSubscriber.objects.filter(is_active=True)
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=ids))
    return event


def deliveries_enqueue(*, delivery_ids: list[int]) -> None:
    from api.tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.delay(delivery_id)
        except Exception:
            continue


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: doubling from WEBHOOK_RETRY_SECONDS, at most an hour."""
    return int(min(settings.WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True, slots=True)
class AttemptResult:
    delivered: bool
    retry_in: int | None  # seconds until the next attempt; None when finished or not ours


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> AttemptResult:
    """Claim a pending delivery (compare-and-set), post it once, and record the outcome."""
    now = now or timezone.now()
    claim = dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + claim)
    )
    if not claimed:
        return AttemptResult(delivered=False, retry_in=None)  # delivered, given up, or busy
    delivery = WebhookDelivery.objects.select_related("event", "subscriber").get(pk=delivery_id)
    subscriber, event = delivery.subscriber, delivery.event
    body = event_body(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tracker-Event": event.kind,
        "X-Tracker-Event-Id": str(event.pk),
        "X-Tracker-Timestamp": str(timestamp),
        SIGNATURE_HEADER: sign(secret=subscriber.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        status_code = _post(subscriber.url, body, headers)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc))[:500] or exc.__class__.__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    attempts = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=attempts,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
    )
    fields: dict[str, Any] = {
        "attempts": attempts,
        "claimed_until": None,
        "last_status_code": status_code,
        "last_error": error,
    }
    if not error:
        fields |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": timezone.now()}
        WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
        return AttemptResult(delivered=True, retry_in=None)
    if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        fields["status"] = WebhookDelivery.Status.FAILED
        WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
        return AttemptResult(delivered=False, retry_in=None)
    delay = retry_delay(attempts)
    fields["next_attempt_at"] = timezone.now() + dt.timedelta(seconds=delay)
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    return AttemptResult(delivered=False, retry_in=delay)


def deliveries_resume(*, now: dt.datetime | None = None, catch_up_hours: int = 24) -> list[int]:
    """Beat: make the events a lost signal missed, and re-send pending deliveries that are due
    and not claimed (their task was lost, or their worker died). Returns the delivery ids sent."""
    given = now
    now = now or timezone.now()
    recorded = WebhookEvent.objects.values_list("publication_id", flat=True)
    missed = (
        publications_visible(now=now)
        .filter(published_at__gte=now - dt.timedelta(hours=catch_up_hours))
        .exclude(pk__in=list(recorded))
        .values_list("pk", flat=True)
    )
    for publication_id in list(missed):
        event_record(publication_id=publication_id)
    now = given or timezone.now()  # the deliveries just made are due too
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)
    )
    deliveries_enqueue(delivery_ids=due)
    return due
