"""The published response cache: announcement-day reads answered before the rest of Django runs.

On announcement day every newsroom and many readers ask for the same few published pages and
API responses within seconds. Those responses change only when something the public sees
changes: a publication (or correction) becomes visible, the program record is edited, or the
day turns. So the anonymous GET answers of the views that say they are published reads (the
public pages through `public.caching.published_page`, the API's public reads through
`api.caching.PublishedCacheMixin`, each marking its response `published_cache`) are kept under a
key made of that *public version* and the request, and served from this middleware, placed
right after WhiteNoise and CORS: no session, locale, CSRF, authentication, URL resolution or view
runs for a hit, and a matching `If-None-Match` gets its 304 here too.

Why this cannot break the embargo: a response is only ever rendered by a view from what is
visible at that moment; the key only decides which already rendered response is reused. A key
computed from a version up to `PUBLISHED_CACHE_VERSION_SECONDS` old can therefore serve a
response from before a publication for that long (late, as a CDN's `s-maxage` is), never one
from before it was published.

Two levels: a small per-process table (most hits cost no network at all) in front of Django's
shared cache (Redis in production), which every web process and machine shares, so a response
is rendered once per version, not once per process. Both are bounded: the local table by entry
count and size, both by `PUBLISHED_CACHE_SECONDS` (5 minutes), the backstop for changes that
bypass the signals behind the version (a stage's status label, changed by a queryset update,
shows within that time, as it did in the page cache before).

Each kept answer is also kept gzip-compressed (text of 1 KiB or more), compressed once per
version rather than per request, and served so to clients that accept it (`Vary:
Accept-Encoding`, a weak `ETag` for the compressed form): an announcement-day page costs the
network a quarter of its size. Answers that miss are sent as the views made them.

Anonymous only: a request with a session cookie or an `Authorization` header goes through the
whole stack, so a signed-in person's page (which may differ) is never stored or served here.
Throttling (api/throttling.py) therefore applies to requests that reach the application; a
cached published response is served to everyone, as a CDN would.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from api.models import PublicDataVersion
from evaluations.selectors import publications_version
from public.caching import RENDERING_VERSION, record_changed_at

# Stored responses keep these headers (the others are added again on the way out, or are
# per request: Date, Set-Cookie, CORS headers from the middleware outside this one).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Link",
)
# What a 304 repeats of its 200 (RFC 9110 15.4.5; as django.utils.cache does).
NOT_MODIFIED_HEADERS = frozenset(
    ["Cache-Control", "Content-Location", "ETag", "Expires", "Last-Modified", "Vary"]
)
# Kept compressed as well (once per version, not per request): text of at least this size.
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")
COMPRESS_MIN_BYTES = 1024
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Part of every key: bump it when `Entry` changes, so no process reads another's old entries.
ENTRY_FORMAT = "2"
LOCAL_ENTRIES = 512
LOCAL_BYTES = 32 * 2**20


@dataclass(frozen=True, slots=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None
    last_modified: int | None
    expires: float  # time.time() after which it is not served
    gzipped: bytes | None = None  # the body compressed once, for clients that accept gzip

    @property
    def size(self) -> int:
        return len(self.content) + len(self.gzipped or b"")


class _Version:
    """The public version, recomputed at most every `PUBLISHED_CACHE_VERSION_SECONDS`."""

    def __init__(self) -> None:
        self.value = ""
        self.expires = 0.0
        self.lock = threading.Lock()

    def get(self) -> str:
        now = time.monotonic()
        if now < self.expires:
            return self.value
        with self.lock:
            if now >= self.expires:
                self.value = public_version_compute()
                self.expires = now + float(settings.PUBLISHED_CACHE_VERSION_SECONDS)
        return self.value

    def forget(self) -> None:
        self.expires = 0.0


def public_version_compute() -> str:
    """Everything a published read depends on besides the request (two small queries and one
    cache read): the newest visible publication, the API's reference-data token, the record's
    change stamp, the rendering version and the day in Seoul."""
    publications = publications_version()
    data = PublicDataVersion.current()
    return "|".join(
        [
            RENDERING_VERSION,
            publications.key,
            data.token,
            repr(record_changed_at()),
            timezone.localdate().isoformat(),
        ]
    )


class _LocalTable:
    """A least-recently-used table bounded by entry count and total bytes; thread-safe."""

    def __init__(self, entries: int, size: int) -> None:
        self.entries, self.size = entries, size
        self.table: OrderedDict[str, Entry] = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.table.get(key)
            if entry is None:
                return None
            if entry.expires <= time.time():
                del self.table[key]
                self.used -= entry.size
                return None
            self.table.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if entry.size > self.size // 8:
            return  # a very large export stays in the shared cache only
        with self.lock:
            old = self.table.pop(key, None)
            if old is not None:
                self.used -= old.size
            self.table[key] = entry
            self.used += entry.size
            while self.table and (len(self.table) > self.entries or self.used > self.size):
                _key, dropped = self.table.popitem(last=False)
                self.used -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.table.clear()
            self.used = 0


version = _Version()
local = _LocalTable(LOCAL_ENTRIES, LOCAL_BYTES)


def published_cache_clear() -> None:
    """Forget this process's version and table (tests; the shared cache keys on the version)."""
    version.forget()
    local.clear()


class PublishedResponseCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.eligible(request):
            return self.get_response(request)
        key = self.key(request, version.get())
        entry = local.get(key)
        if entry is None:
            entry = cache.get(key)
            if isinstance(entry, Entry) and entry.expires > time.time():
                local.put(key, entry)
            else:
                entry = None
        if entry is not None:
            return self.serve(request, entry)
        response = self.get_response(request)
        # Kept from GETs only: a server may drop a HEAD answer's body on its way out, and
        # such an answer must never become what a GET is given.
        entry = self.storable(response) if request.method == "GET" else None
        if entry is not None:
            local.put(key, entry)
            cache.set(key, entry, int(settings.PUBLISHED_CACHE_SECONDS))
        return response

    @staticmethod
    def eligible(request: HttpRequest) -> bool:
        if not settings.PUBLISHED_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return False
        if "Authorization" in request.headers or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        return not request.path_info.startswith(settings.PUBLISHED_CACHE_SKIP_PREFIXES)

    @staticmethod
    def key(request: HttpRequest, public_version: str) -> str:
        # The API negotiates its representation and messages by Accept and Accept-Language
        # (its Vary); the public pages carry the language in the path. HEAD shares GET's entry.
        basis = "\n".join(
            [
                ENTRY_FORMAT,
                settings.PUBLISHED_CACHE_NAMESPACE,
                public_version,
                request.get_full_path(),
                request.headers.get("Accept", ""),
                request.headers.get("Accept-Language", ""),
            ]
        )
        return "published:" + hashlib.sha256(basis.encode()).hexdigest()

    @staticmethod
    def storable(response: HttpResponse) -> Entry | None:
        if (
            not getattr(response, "published_cache", False)
            or response.status_code != 200
            or response.streaming
            or response.cookies
        ):
            return None
        headers = tuple((name, response[name]) for name in KEPT_HEADERS if name in response)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        expires = time.time() + float(settings.PUBLISHED_CACHE_SECONDS)
        content = bytes(response.content)
        compressible = response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
        gzipped = (
            gzip.compress(content, compresslevel=6, mtime=0)
            if compressible and len(content) >= COMPRESS_MIN_BYTES
            else None
        )
        if gzipped is not None and len(gzipped) >= len(content):
            gzipped = None
        return Entry(200, content, headers, response.get("ETag"), last_modified, expires, gzipped)

    @staticmethod
    def serve(request: HttpRequest, entry: Entry) -> HttpResponse:
        compressed = entry.gzipped is not None and bool(
            ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
        )
        # The compressed body is another representation: its tag is weak, as Django's own
        # GZipMiddleware makes it, and If-None-Match compares tags weakly either way.
        etag = entry.etag
        if compressed and etag is not None and not etag.startswith("W/"):
            etag = "W/" + etag
        sent = request.headers.get("If-None-Match")
        if etag is not None and sent is not None and sent in (etag, entry.etag):
            # The common revalidation (a client or CDN sends back the tag it was given): the
            # 304 is made without copying the body; other forms go through Django's rules.
            not_modified = HttpResponseNotModified()
            for name, value in entry.headers:
                if name in NOT_MODIFIED_HEADERS:
                    not_modified[name] = value
            not_modified["ETag"] = etag
            if entry.gzipped is not None:
                patch_vary_headers(not_modified, ("Accept-Encoding",))
            not_modified["X-Cache"] = "hit"
            return not_modified
        body = entry.gzipped if compressed and entry.gzipped is not None else entry.content
        response = HttpResponse(body, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        if entry.gzipped is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
        if compressed:
            response["Content-Encoding"] = "gzip"
            if etag is not None:
                response["ETag"] = etag
        response["X-Cache"] = "hit"
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=entry.last_modified, response=response
        )
        return not_modified if not_modified is not None else response
