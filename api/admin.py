"""Administration of webhooks: subscribers (administrators manage them) and the delivery log.

API tokens are managed with DRF's own admin (Auth Token) or `manage.py api_token`.
"""

from __future__ import annotations

from django.contrib import admin

from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscriber


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "at", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscriber", "status", "attempts", "last_status_code", "delivered_at"]
    list_filter = ["status", "subscriber"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "publication_id", "created_at"]
    readonly_fields = ["id", "kind", "publication_id", "payload", "created_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
