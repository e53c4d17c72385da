"""Caching of public pages, keyed by the latest publication.

A page's cache key and `ETag` are built from the address, the language, the latest visible
publication (a publication or a correction changes it at once), a record version bumped on
every save of the program record (a team's new member shows without waiting) and the day (a
stage's planned date passing changes what its page says). Answering a repeated request costs one
query; `If-None-Match` / `If-Modified-Since` get a 304.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from evaluations.selectors import publication_state

RECORD_VERSION_KEY = "public:record-changed-at"
# A backstop: a change that bypasses model signals (a queryset `.update()`) shows after this.
PAGE_TTL_SECONDS = 300
# Bump when a template or presenter changes what a page says, so old entries are not served.
RENDERING_VERSION = "3"


def record_changed(**_: Any) -> None:
    """Signal receiver: the program record changed; every cached public page is stale."""
    cache.set(RECORD_VERSION_KEY, time.time(), timeout=None)


def record_changed_at() -> float:
    return float(cache.get(RECORD_VERSION_KEY) or 0.0)


def published_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a GET/HEAD public view and answer conditional requests with 304."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        state = publication_state()
        changed_at = record_changed_at()
        basis = "|".join(
            [
                RENDERING_VERSION,
                request.get_full_path(),
                get_language() or "",
                state.key,
                repr(changed_at),
                timezone.localdate().isoformat(),
            ]
        )
        digest = hashlib.sha256(basis.encode()).hexdigest()
        etag = f'"{digest[:32]}"'
        stamps = [changed_at] if changed_at else []
        if state.latest_at is not None:
            stamps.append(state.latest_at.timestamp())
        last_modified = int(max(stamps)) if stamps else None

        not_modified = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=None
        )
        if not_modified is not None:
            return not_modified

        key = f"public:page:{digest}"
        cached = cache.get(key)
        if cached is not None:
            response = HttpResponse(cached["content"], content_type=cached["content_type"])
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if response.status_code == 200 and not response.streaming:
                cache.set(
                    key,
                    {"content": response.content, "content_type": response["Content-Type"]},
                    PAGE_TTL_SECONDS,
                )
        if response.status_code == 200:
            # A published read: config/published_cache.py may keep it for anonymous visitors.
            response.published_cache = True  # type: ignore[attr-defined]
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=60)
        return response

    return wrapper
