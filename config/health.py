"""A health check for the load balancer and the process supervisor.

Without the database nothing works: 503, and the load balancer takes the process out. Without
the cache (Redis) the site still serves (config/cache.py reads an unreachable Redis as a miss),
only slower: 200, with the cache named as degraded, so a Redis outage does not make every web
process look dead at once and turn a slow site into no site.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    failed, degraded = [], []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy", whatever its type
        failed.append("database")
    try:
        cache.set("healthz", "ok", 5)
        if cache.get("healthz") != "ok":
            degraded.append("cache")
    except Exception:  # the same for the cache (Redis down, timeouts)
        degraded.append("cache")
    return JsonResponse(
        {"ok": not failed, "failed": failed, "degraded": degraded},
        status=503 if failed else 200,
    )
