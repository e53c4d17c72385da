"""Settings for the program tracker, driven by environment variables.

With nothing set the project runs as an embedded default: SQLite in the project folder, Celery
tasks run eagerly in-process and a local-memory cache, so `make run` needs no services. Set
`DATABASE_URL` and `REDIS_URL` for PostgreSQL and Redis. Bad values fail loudly at start-up
rather than falling back silently (the healthchecks way).

With `DEBUG` off the embedded default is never chosen by accident: a missing `DATABASE_URL` or
`REDIS_URL` stops the start-up, naming the variable, unless the operator says the embedded
database (`EMBEDDED_DATABASE=true`) or in-process tasks (`EMBEDDED_TASKS=true`) are meant.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the application refuses to start without it."
        )
    # Only for local development (DEBUG on); never used when DEBUG is off.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Throttles repeated failed sign-ins (staff sign-in and the admin alike).
    "axes",
    "programs",
    "teams",
    "evaluations",
    # Interface apps, one per audience; they import the domain apps, never the reverse.
    "public",
    "staff",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware so that CORS headers reach every API response.
    "corsheaders.middleware.CorsMiddleware",
    # Published reads for anonymous visitors, answered before sessions, locale, auth and the
    # views run (config/published_cache.py); inside CORS so each answer gets its own headers.
    "config.published_cache.PublishedResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # /staff/ keeps one URL per screen in both languages; see the module's docstring.
    "staff.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # History records made during a request name its user (services may name one explicitly).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with AXES_LOCKOUT_CALLABLE.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staff.context_processors.staff_frame",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


def require_service_url(name: str, embedded_flag: str, embedded: str) -> None:
    """With DEBUG off, refuse to fall back to the embedded default unless it is asked for."""
    if DEBUG or os.environ.get(name, "").strip() or env_bool(embedded_flag, False):
        return
    raise ImproperlyConfigured(
        f"{name} is not set. With DEBUG off the application refuses to start on {embedded}; "
        f"set {name}, or set {embedded_flag}=true if {embedded} is really meant."
    )


# --- Database -----------------------------------------------------------------------------
require_service_url("DATABASE_URL", "EMBEDDED_DATABASE", "the embedded SQLite database")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
            # SQLite waits for a busy writer instead of failing at once.
            "OPTIONS": {"timeout": 20},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Each test run may pick its own database name (see .ci/run).
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache --------------------------------------------------------------
require_service_url(
    "REDIS_URL", "EMBEDDED_TASKS", "in-process tasks and a per-process cache (no Redis)"
)
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}"
    )


def _cache_url(url: str) -> str:
    """The cache's Redis URL. A parallel test run (pytest-xdist sets PYTEST_XDIST_WORKER=gwN in
    each worker) gives worker N database N + 1, so a test emptying the cache cannot empty it
    under another worker's test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return url
    return urlsplit(url)._replace(path=f"/{int(worker[2:]) + 1}").geturl()


if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, except that Redis being down makes a miss, not a 500
            # (config/cache.py); the timeouts keep a Redis that hangs from hanging requests.
            "BACKEND": "config.cache.OutageTolerantRedisCache",
            "LOCATION": _cache_url(REDIS_URL),
            "KEY_PREFIX": "tracker",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery reads every CELERY_* setting (config/celery.py). Without Redis, tasks run eagerly
# in-process so the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task runs under these two limits (no task sets its own): the soft one raises inside the
# task so it can stop cleanly, the hard one kills the process.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_SOFT_TIME_LIMIT} is not below {CELERY_TASK_TIME_LIMIT}), or a task is "
        "killed before it is asked to stop."
    )
CELERY_TIMEZONE = "Asia/Seoul"
# A save must not hang when the broker is down: publishing fails fast, the stage stays marked
# stale, and the reconcile beat task catches up later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 900)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    # Redis would hand a task still running within its limit to a second worker.
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}) must be above "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task (worker killed) is redelivered after this many seconds.
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BEAT_SCHEDULE = {
    "stage-publish-due": {"task": "evaluations.stage_publish_due", "schedule": 60.0},
    "standings-reconcile": {"task": "evaluations.standings_reconcile", "schedule": 300.0},
    "webhooks-resume": {"task": "api.webhook_deliveries_resume", "schedule": 60.0},
}

# --- History (django-simple-history) ------------------------------------------------------
# Reasons for overrides, corrections and send-backs are sentences, longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin's "revert to this version" would save the object directly, around the services and
# their rules; history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after AXES_FAILURE_LIMIT failed sign-ins for the same username from the same
# address, further attempts are refused for AXES_COOLOFF_MINUTES, with a message saying so.
# Locking by username and address together means a stranger cannot lock a colleague out from
# elsewhere by guessing at their username.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "staff.views.auth.locked_out"
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself: no CDN) --------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Anyone may read; a write needs an authenticated staff user with a staff role.
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOnlyOrStaffRole"],
    # Token first: an anonymous request to a staff endpoint gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
    # Behind N trusted proxies the client address is taken from X-Forwarded-For; 0 = direct.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
}

# --- Published response cache (config/published_cache.py) -----------------------------------
PUBLISHED_CACHE_ENABLED = env_bool("PUBLISHED_CACHE_ENABLED", True)
# How old the public version a web process keys its answers by may be: a publication shows on
# every page within this many seconds (0: looked up on every request).
PUBLISHED_CACHE_VERSION_SECONDS = float(os.environ.get("PUBLISHED_CACHE_VERSION_SECONDS", "1"))
# How long an answer is kept: the backstop for changes no signal reports (a stage status label).
PUBLISHED_CACHE_SECONDS = env_int("PUBLISHED_CACHE_SECONDS", 300)
# Part of every key: set it to the release (a deploy whose templates changed then renders
# afresh instead of serving the previous release's pages); the tests give each test its own.
PUBLISHED_CACHE_NAMESPACE = os.environ.get("PUBLISHED_CACHE_NAMESPACE", "")
# Never looked up here: what a signed-in person or a form may see differently.
PUBLISHED_CACHE_SKIP_PREFIXES = (
    "/staff/",
    "/admin/",
    "/api/v1/staff/",
    "/accounts/",
    "/i18n/",
    "/healthz",
)

# --- REST API (api/) ------------------------------------------------------------------------
# Anonymous requests per minute per client address before a 429 with Retry-After.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "600/min")
# Cache-Control of published read responses: browsers keep them briefly, shared caches longer.
API_MAX_AGE = env_int("API_MAX_AGE", 5)
API_S_MAXAGE = env_int("API_S_MAXAGE", 15)
# Webhook deliveries: attempts before giving up, and the first retry delay (doubling).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)

# Public GETs may be read from any origin (newsroom dashboards); writes never need CORS since
# staff tools send a token, not cookies.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Link"]

SPECTACULAR_SETTINGS = {
    "TITLE": "Sovereign AI Foundation Model program tracker API",
    "DESCRIPTION": (
        "Published results of Korea's Sovereign AI Foundation Model program "
        "(독자 AI 파운데이션 모델 프로젝트) for press dashboards, and writes for ministry staff "
        "tools. Only published data is ever served to the public."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CertaintyEnum": "programs.models.Certainty"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# --- Security headers ---------------------------------------------------------------------
# A Content Security Policy without 'unsafe-inline': scripts and styles come only from this
# site's own static files, so an injected <script> or style attribute does nothing. Enforced in
# development too, so a page that depends on inline code breaks in the tests, not in production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # The embeddable standings view replaces this for itself (public/views).
        "frame-ancestors": ["'none'"],
    }
}

# Every page refuses to be framed except the embeddable standings view, which says so itself.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # Production runs behind a TLS-terminating proxy (load balancer, nginx): it says which
    # requests came over HTTPS in X-Forwarded-Proto, and Django redirects the others.
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health checks from the proxy come over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
