"""Celery tasks of the API: webhook delivery. Ids in, one service call, safe to run twice.

`acks_late` + `reject_on_worker_lost`: a worker killed mid-delivery leaves the message on the
broker for another worker; the delivery's claim expires, so it is sent again (at least once).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from api import webhooks


@shared_task(
    name="api.webhook_deliver",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    soft_time_limit=60,
    time_limit=90,
)
def webhook_deliver(self, delivery_id: int) -> bool:  # type: ignore[no-untyped-def]
    result = webhooks.delivery_attempt(delivery_id=delivery_id)
    if self.request.is_eager:
        # Run in-process (no broker, or tests): nobody comes back later, so the attempts
        # follow one another at once until delivered or given up.
        while result.retry_in is not None:
            result = webhooks.delivery_attempt(delivery_id=delivery_id)
        return result.delivered
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in, max_retries=settings.WEBHOOK_MAX_ATTEMPTS)
    return result.delivered


@shared_task(
    name="api.webhook_deliveries_resume",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
)
def webhook_deliveries_resume() -> list[int]:
    return webhooks.deliveries_resume()
