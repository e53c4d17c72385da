"""The API's own records: the public data version that keys conditional requests and caches,
and publication webhooks (subscribers, events, deliveries and the log of each attempt).

Webhooks: when the evaluations app announces a publication (`publication_made`), one
`WebhookEvent` is recorded per publication, with a unique id receivers de-duplicate on, and one
`WebhookDelivery` per active subscriber. A Celery task posts it, signed, and retries with
backoff; a beat task picks up any delivery whose worker died or whose task was lost, so each
subscriber gets every event at least once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class DataVersion:
    token: str
    changed_at: dt.datetime


class PublicDataVersion(models.Model):
    """One row: a new random token whenever public reference data changes."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public data version")

    def __str__(self) -> str:
        return f"{self.token} at {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def current(cls) -> DataVersion:
        row = cls.objects.filter(pk=1).values_list("token", "changed_at").first()
        if row is None:
            return cls.bump()
        return DataVersion(token=row[0], changed_at=row[1])

    @classmethod
    def bump(cls) -> DataVersion:
        # A random token rather than a counter: a counter restarts when a database is rebuilt
        # and would then match an old cache entry.
        version = DataVersion(
            token=uuid.uuid4().hex, changed_at=timezone.now().replace(microsecond=0)
        )
        updated = cls.objects.filter(pk=1).update(
            token=version.token, changed_at=version.changed_at
        )
        if not updated:
            try:
                with transaction.atomic():
                    cls.objects.create(pk=1, token=version.token, changed_at=version.changed_at)
            except IntegrityError:  # another process created it first: take over its row
                cls.objects.filter(pk=1).update(token=version.token, changed_at=version.changed_at)
        return version


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscriber(models.Model):
    name = models.CharField(max_length=200, help_text=_("Who receives it, e.g. a newsroom."))
    url = models.URLField(max_length=500, help_text=_("HTTPS address the events are posted to."))
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text=_("Shared secret for the HMAC-SHA256 signature; give it to the receiver."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscriber")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class WebhookEvent(models.Model):
    class Kind(models.TextChoices):
        PUBLISHED = "publication.published", _("Stage results published")
        CORRECTED = "publication.corrected", _("Correction published")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    publication_id = models.PositiveBigIntegerField(unique=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook event")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Claimed by a worker until then; a worker that dies leaves a claim that simply expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-event__created_at", "subscriber__name"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscriber_id}: {self.status}"


class WebhookAttempt(models.Model):
    """The delivery log: one row per HTTP attempt."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"
