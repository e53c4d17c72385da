"""A health check for the load balancer and the process supervisor: the database and the cache
answer, or the check fails with 503 naming which one did not."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy", whatever its type
        failed.append("database")
    try:
        cache.set("healthz", "ok", 5)
        if cache.get("healthz") != "ok":
            failed.append("cache")
    except Exception:  # the same for the cache (Redis down, timeouts)
        failed.append("cache")
    return JsonResponse({"ok": not failed, "failed": failed}, status=503 if failed else 200)
