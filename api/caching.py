"""Conditional requests and the response cache for public reads.

Every public read is answered from two cheap facts, never from the body:
1. the public data version: a token that changes whenever reference data the public sees is
   edited (`api.models.PublicDataVersion`, bumped by api/receivers.py), and
2. the publications version: the newest visible publication (evaluations selectors).
The ETag is a hash of both plus the request (path, query, representation), so a conditional
request answers 304 after two small queries, and a cached body is keyed by the same ETag:
a new publication changes the key, so a stale body is never served for the new state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import PublicDataVersion
from evaluations.selectors import publications_version

CACHE_SECONDS = 24 * 3600
PASSED_HEADERS = ("Content-Disposition",)


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: dt.datetime

    @property
    def cache_key(self) -> str:
        return f"api:response:{self.etag.strip(chr(34))}"

    @classmethod
    def for_request(cls, request: Request) -> Validator:
        data = PublicDataVersion.current()
        publications = publications_version()
        query = sorted(request.query_params.lists())
        seed = "|".join(
            [
                data.token,
                publications.key,
                request.path,
                repr(query),
                request.accepted_media_type or "",
            ]
        )
        etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:40] + '"'
        moments = [data.changed_at]
        if publications.latest_at is not None:
            moments.append(publications.latest_at)
        return cls(etag=etag, last_modified=max(moments))

    def is_not_modified(self, request: Request) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match:
            tags = parse_etags(if_none_match)
            # Weak comparison: a proxy may have marked our tag weak (W/"…").
            plain = [tag.removeprefix("W/") for tag in tags]
            return "*" in plain or self.etag in plain
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        return since is not None and int(self.last_modified.timestamp()) <= since

    def decorate(self, response: HttpResponse) -> None:
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified.timestamp())
        response["Cache-Control"] = (
            f"public, max-age={settings.API_MAX_AGE}, s-maxage={settings.API_S_MAXAGE}"
        )
        response["Vary"] = "Accept, Accept-Language"


class _Answer(Exception):
    """Carries a finished response out of `initial()` (a 304 or a cached body)."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class PublishedCacheMixin:
    """For public read views: 304s without building the body, bodies cached by ETag."""

    validator: Validator | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # auth, throttling first
        if request.method not in ("GET", "HEAD"):
            return
        self.validator = Validator.for_request(request)
        if self.validator.is_not_modified(request):
            raise _Answer(HttpResponseNotModified())
        cached = cache.get(self.validator.cache_key)
        if cached is not None:
            content, content_type, headers = cached
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers.items():
                response[name] = value
            response["X-Cache"] = "hit"
            raise _Answer(response)

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, _Answer):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(
        self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        validator = self.validator
        if validator is None or response.status_code not in (200, 304):
            return response
        if isinstance(response, Response) and response.status_code == 200:
            response.render()
            headers = {name: response[name] for name in PASSED_HEADERS if name in response}
            cache.set(
                validator.cache_key,
                (bytes(response.content), response["Content-Type"], headers),
                CACHE_SECONDS,
            )
            response["X-Cache"] = "miss"
        if response.status_code == 200:
            # A published read: config/published_cache.py may keep it for anonymous clients.
            response.published_cache = True  # type: ignore[attr-defined]
        validator.decorate(response)
        return response
