"""Settings for the Living Lab Portal, read from environment variables.

With no variable set the portal runs on a newcomer's laptop with nothing else installed: SQLite,
the in-memory channel layer, Celery tasks run inline, the local-memory cache and debug on. Each
variable below switches one part to the real service; a value that cannot be used raises
ImproperlyConfigured naming the variable, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.csp import content_security_policy

# Lets the typed generics that mypy checks (ModelAdmin[Pilot], QuerySet[Device]) run as written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def redact(url: str) -> str:
    """`url` with its password, if any, replaced by `***`, for quoting in error messages.

    Everything between the user's colon and the last `@` goes: a password with an unquoted `/`
    or `@` in it still stays hidden, at worst along with a little of what follows.
    """
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:@/]*:).*@", r"\1***@", url, flags=re.IGNORECASE)


def envurl(name: str, schemes: set[str], *, hostless: frozenset[str] = frozenset()) -> str:
    """The URL in `name`, or "" when unset; anything but a URL with one of `schemes` is refused.

    Schemes in `hostless` may leave the host out as long as the path names something, such as a
    PostgreSQL database reached through its Unix socket.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    try:
        parts = urlsplit(raw)
    except ValueError:  # A malformed IPv6 host, for one.
        raise ImproperlyConfigured(f"{name} is not a valid URL: {redact(raw)!r}") from None
    # A file URL (sqlite:////path) names no host; a network service must name one, unless it can
    # be reached without (a Unix socket) and the path says which database.
    names_a_place = (
        bool(parts.hostname)
        or parts.scheme == "sqlite"
        or (parts.scheme in hostless and parts.path.strip("/") != "")
    )
    if parts.scheme not in schemes or not names_a_place:
        expected = ", ".join(sorted(f"{scheme}://" for scheme in schemes))
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {expected}; got {redact(raw)!r}"
        )
    try:
        parts.port  # noqa: B018 - urlsplit validates the port only when it is read.
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port: {redact(raw)!r}") from None
    return raw


def envchoice(name: str, default: str, choices: set[str]) -> str:
    """The value of `name` in capitals, which must be one of `choices`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(sorted(choices))}; got {raw!r}"
        )
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

DEBUG = envbool("DJANGO_DEBUG", True)

if DEBUG:
    SECRET_KEY = (
        os.environ.get("DJANGO_SECRET_KEY") or "insecure-development-key-not-for-production"
    )
    ALLOWED_HOSTS = envlist(
        "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
            "when DJANGO_DEBUG=0"
        )
    ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the portal's host names when DJANGO_DEBUG=0"
        )
    CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])
    # Production sits behind a TLS-terminating proxy that sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    # Before the admin, so that translated fields are edited side by side in it.
    "modeltranslation",
    # daphne first, so that `runserver` serves the ASGI application (HTTP and WebSocket).
    "daphne",
    # Admin modules are imported by PortalConfig.ready: autodiscovery would import
    # leaflet.admin, which needs the GDAL library that the portal does without.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "leaflet",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "portal.notifications",
    "pilots",
    "sensors",
    "portal.reports",
    "portal.spaces",
    "pilots.evaluation",
    "portal.livinglab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so that static files carry the policy too.
    "csp.middleware.CSPMiddleware",
    # gzip for what comes back from below; outside WhiteNoise, which serves static files
    # compressed in production but as they are in development and the demo.
    "portal.compression.CompressionMiddleware",
    # Static files are answered before sessions or languages are looked at: they need neither.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known, so that the refusal speaks it; before any view or form.
    "portal.middleware.UnstorableTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view that finds the database away answers 503 with Retry-After, not 500.
    "portal.middleware.DatabaseAwayMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
            ],
        },
    },
]

AUTH_USER_MODEL = "portal.User"
# django-axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database ---------------------------------------------------------------------------------

# PostgreSQL may be reached through its Unix socket (postgres:///livinglab), naming no host.
_database_url = envurl(
    "DATABASE_URL",
    {"postgres", "postgresql", "sqlite"},
    hostless=frozenset({"postgres", "postgresql"}),
)
if _database_url:
    try:
        # The portal is served over ASGI, where each request runs in a thread of its own: kept
        # connections would pile up one per thread until the server runs out. On PostgreSQL
        # each process shares a pool instead (below), unless DATABASE_CONN_MAX_AGE asks to keep
        # connections the old way.
        DATABASES = {
            "default": dj_database_url.parse(
                _database_url, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0)
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL could not be used: {exc}") from None
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 10, minimum=0)
# Seconds a request waits for one of the pool's connections before it fails: past that the
# database is down or overwhelmed, and piling more requests up behind it helps neither.
DATABASE_POOL_TIMEOUT = envint("DATABASE_POOL_TIMEOUT", 5, minimum=1)
# While the database is away (restarting, failing over) requests answer 503 with Retry-After of
# this many seconds, and MQTT error reports carry it as `retry_after`: a PostgreSQL restart takes
# a few seconds, and clients that come back all at once would only slow its return.
DATABASE_RETRY_AFTER = envint("DATABASE_RETRY_AFTER", 5, minimum=1)
if IS_POSTGRES:
    # libpq waits for an unreachable server as long as the operating system lets it (minutes);
    # 2 s is plenty on a network that works (it is libpq's least). `?connect_timeout=` in
    # DATABASE_URL says otherwise. portal.preflight uses it too.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
if IS_POSTGRES and DATABASE_POOL_SIZE and not DATABASES["default"].get("CONN_MAX_AGE"):
    # Opening a connection for every request or task costs more than a small request itself;
    # psycopg's pool keeps a few per process for all of its threads. 0 turns it off (behind
    # PgBouncer in transaction mode, say).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": DATABASE_POOL_TIMEOUT,
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Readings arrive while pages are read: WAL lets both go on at once. Transactions take the
    # write lock when they begin, so a writer waits its turn (up to the timeout) instead of
    # failing with "database is locked" when it finds another writer got there first.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

# --- Cache and channel layer ------------------------------------------------------------------

REDIS_URL = envurl("REDIS_URL", {"redis", "rediss"})
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # The only traffic on the layer is live-feed batches fanned out to every server process's
    # feed hub (sensors.live.hub): Redis pub/sub delivers a batch with one PUBLISH, where the core
    # layer's per-channel queues cost several commands and a script per message at both ends (a
    # third of a server's CPU at 200 batches a second). Nothing is queued for a process that is
    # away; its hub resyncs its clients from the database when it is back.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Anonymous pages and the API's public lists are kept in the cache and retired as soon as what
# they show changes (portal.cache). These bound how long they are kept all the same: pages with
# live values (newest readings, devices' last-seen times), and the others, which a change made
# outside the services (a SQL shell) leaves stale at most this long. 0 turns the cache off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_LIVE_SECONDS = envint("PAGE_CACHE_LIVE_SECONDS", 10)

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = envurl("CELERY_BROKER_URL", {"redis", "rediss", "amqp", "amqps"})
# Without a broker, tasks run inline in the process that sends them.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
# A late-acknowledged task must not be handed to a second worker while the first still runs it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- MQTT -------------------------------------------------------------------------------------

MQTT_URL = envurl("MQTT_URL", {"mqtt", "mqtts"})

# --- Sensor ingest ----------------------------------------------------------------------------

# Readings older than this many seconds are refused (a device replaying a lost week is a fault).
SENSORS_MAX_READING_AGE = envint("SENSORS_MAX_READING_AGE", 7 * 24 * 3600, minimum=60)
SENSORS_MAX_BATCH = envint("SENSORS_MAX_BATCH", 5_000, minimum=1)
SENSORS_MAX_BODY_BYTES = envint("SENSORS_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
# A device not heard from for this many seconds raises a "device silent" alert.
SENSORS_SILENT_AFTER = envint("SENSORS_SILENT_AFTER", 15 * 60, minimum=60)
# Accepted batches still waiting after this many seconds are handed to the workers again.
SENSORS_REQUEUE_AFTER = envint("SENSORS_REQUEUE_AFTER", 120, minimum=10)
# Readings one device may send in a minute (counted per calendar minute, on every path); past it
# the device is answered 429 with Retry-After. An S-DoT station sends about 9 a minute, a fast
# device ten every two seconds 300: 6,000 leaves room for a device catching up after an outage
# with a full batch (SENSORS_MAX_BATCH). 0 turns the limit off.
SENSORS_DEVICE_READINGS_PER_MINUTE = envint("SENSORS_DEVICE_READINGS_PER_MINUTE", 6_000)
if 0 < SENSORS_DEVICE_READINGS_PER_MINUTE < SENSORS_MAX_BATCH:
    raise ImproperlyConfigured(
        f"SENSORS_DEVICE_READINGS_PER_MINUTE ({SENSORS_DEVICE_READINGS_PER_MINUTE}) must be at "
        f"least SENSORS_MAX_BATCH ({SENSORS_MAX_BATCH}), or 0 for no limit: a full batch would "
        "never be accepted"
    )
# Invalid device tokens one client address (over MQTT: one device topic) may send in a window of
# this many seconds; past them its tokens are not even looked up until the window ends (429 with
# Retry-After). Devices behind one NAT share an address: one of them with a wrong token, sending
# every few seconds, would shut its neighbours out, hence the room. 0 turns it off.
SENSORS_TOKEN_FAILURE_LIMIT = envint("SENSORS_TOKEN_FAILURE_LIMIT", 50)
SENSORS_TOKEN_FAILURE_WINDOW = envint("SENSORS_TOKEN_FAILURE_WINDOW", 300, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sensors-check-silent-devices": {"task": "sensors.check_silent_devices", "schedule": 60.0},
    "sensors-requeue-ingest-batches": {"task": "sensors.requeue_ingest_batches", "schedule": 60.0},
    # Every night at 03:00 (Asia/Seoul), after the day's rollups are complete.
    "evaluation-score-pilots": {
        "task": "evaluation.pilots_score",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- Live sensor feeds ------------------------------------------------------------------------

# How often the city, district and pilot feeds send a coalesced frame, in milliseconds.
SENSORS_LIVE_FRAME_SECONDS = envint("SENSORS_LIVE_FRAME_MS", 250, minimum=50) / 1000
# Messages a WebSocket may have waiting before it is resynced with a fresh snapshot instead.
SENSORS_LIVE_OUTBOX_LIMIT = envint("SENSORS_LIVE_OUTBOX_LIMIT", 200, minimum=1)
# A feed's cached snapshot follows readings and alerts, but not a device made private, moved or
# retired; the next client to connect gets one read anew once it is this many seconds old.
SENSORS_LIVE_SNAPSHOT_MAX_AGE = envint("SENSORS_LIVE_SNAPSHOT_MAX_AGE", 60, minimum=1)
# How often, in seconds, a socket that carries private devices asks again whether its user may
# still see them: the longest a revoked manager goes on receiving their readings.
SENSORS_LIVE_RECHECK_SECONDS = envint("SENSORS_LIVE_RECHECK_SECONDS", 60, minimum=1)
# Layers with per-channel queues (channels' in-memory layer, channels_redis's core layer) drop a
# group member `group_expiry` seconds (a day by default) after it joined; each process's feed hub
# joins again this often, well inside that, so a process whose feeds never empty keeps
# receiving. (The Redis pub/sub layer keeps a subscription for as long as its connection.) Tied to
# the layer, not to the deployment, so not read from the environment.
SENSORS_LIVE_GROUP_REFRESH_SECONDS = 3600

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
# Content that managers write (pilots, surveys, devices' names...) is kept in both languages; a
# version left empty falls back to the other one, so a page never shows a blank.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ko"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ko", "en"), "ko": ("en",), "en": ("ko",)}
# A row created with a translated field's plain name (`Pilot(title=...)`) gets that text in the
# default language's column, so that no row starts without its Korean.
MODELTRANSLATION_AUTO_POPULATE = "default"
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
# Where Django's formats read wrongly in a language (Korean date and time order).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))


def envstorage(name: str, default: str) -> dict[str, object]:
    """A file storage: `name` holds its class's dotted path (any django-storages backend, say
    `storages.backends.s3.S3Storage`), `<name>_OPTIONS` a JSON object of its options."""
    backend = os.environ.get(name, default).strip()
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", backend):
        raise ImproperlyConfigured(
            f"{name} must be the dotted path of a storage class, such as {default}; "
            f"got {backend!r}."
        )
    raw = os.environ.get(f"{name}_OPTIONS", "").strip()
    try:
        options = json.loads(raw) if raw else {}
    except ValueError:
        options = None
    if not isinstance(options, dict):
        raise ImproperlyConfigured(
            f'{name}_OPTIONS must be a JSON object, such as {{"bucket_name": "reports"}}.'
        )
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES = {
    # Uploads (report photos, space photos, application attachments): the file system by
    # default, or any backend of Django's storage API, such as django-storages' S3 or Azure.
    "default": envstorage("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
    # `collectstatic` gives every file a name with its hash and a compressed copy, so WhiteNoise
    # can let browsers keep it for a year. Development (and the tests) keep the plain names.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# --- Maps -------------------------------------------------------------------------------------

MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (37.5665, 126.9780),
    "DEFAULT_ZOOM": 11,
    "MIN_ZOOM": 9,
    "MAX_ZOOM": 18,
    "TILES": [("OpenStreetMap", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})],
    "RESET_VIEW": False,
}

# --- Abuse: throttling and login lockout ------------------------------------------------------

# How many proxies in front of the portal append to X-Forwarded-For: the client's address is the
# one they saw. 0 (the default) takes the address the connection came from, which is the only
# safe choice when nothing strips a forged X-Forwarded-For header.
TRUSTED_PROXY_COUNT = envint("DJANGO_TRUSTED_PROXY_COUNT", 0)


def envrate(name: str, default: str) -> str | None:
    """A DRF throttle rate ("120/minute"); "off" turns the throttle off."""
    raw = os.environ.get(name, "").strip().lower() or default
    if raw == "off":
        return None
    count, _slash, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(
            f"{name} must be a rate like 120/minute (per second, minute, hour or day) or off; "
            f"got {raw!r}"
        )
    return raw


# Requests to the API per client address (anonymous) or per account (logged in); past them the
# API answers 429 with Retry-After.
API_THROTTLE_ANONYMOUS = envrate("API_THROTTLE_ANONYMOUS", "120/minute")
API_THROTTLE_USER = envrate("API_THROTTLE_USER", "600/minute")

# Failed logins, counted per username and, separately, per client address: the next attempt after
# this many, even with the right password, is refused until the cool-off has passed or staff
# unlock it (admin: Access attempts; `manage.py axes_reset_username NAME`, `axes_reset_ip ADDR`).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)
# No banner at the start of every command; failed logins and lockouts are still logged (below).
AXES_VERBOSE = False

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal.rest_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.rest.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Django's session, with a challenge so that anonymous callers hear 401.
        "portal.rest_authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Every parsed body is checked for text the database cannot store (portal.rest_parsing).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.rest_parsing.StorableTextNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonymousThrottle",
        "portal.throttling.UserThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "portal.rest.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    # In the reader's language: the documentation page asks for the schema in it.
    "TITLE": _("Seoul Living Lab open data API"),
    "DESCRIPTION": _(
        "Open data on Seoul's smart-city pilots, their districts, devices and readings."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button, which screen readers
    # cannot reach (axe: nested-interactive); the examples' syntax colours are too faint on
    # their dark background, and plain text reads.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": {"activated": False}},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Boxes that must be ticked (pilots.serializers.AgreementField) share one enum, [true].
    "ENUM_NAME_OVERRIDES": {"AgreementEnum": [(True, True)]},
    # Every operation may answer 429 when its caller is throttled (portal.throttling).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.throttling.document_throttled_responses",
    ],
}

# --- Content-Security-Policy ------------------------------------------------------------------

CONTENT_SECURITY_POLICY = content_security_policy(
    map_tile_url=MAP_TILE_URL,
    report_uri=envurl("CSP_REPORT_URI", {"http", "https"}),
)
if envbool("CSP_REPORT_ONLY", False):
    # Reports violations without blocking anything: for trying a change of policy in production.
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, {}

# --- Accounts: e-mail verification and two-factor authentication ------------------------------

# How long a link to verify an e-mail address (days) or to reset a password (hours) stays valid.
EMAIL_VERIFICATION_DAYS = envint("EMAIL_VERIFICATION_DAYS", 3, minimum=1)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_HOURS", 24, minimum=1) * 3600
# Seconds before a person may ask for another verification e-mail.
EMAIL_VERIFICATION_RESEND_SECONDS = envint("EMAIL_VERIFICATION_RESEND_SECONDS", 60)
# Password-reset and verification e-mails, each kind counted on its own, per account (the address
# typed into the reset form, whether or not an account has it) and per client address, in a
# window of ACCOUNT_EMAIL_WINDOW_MINUTES: enough for a person who lost a mail or two, too few to
# fill someone's inbox from the portal. 0 turns a limit off.
ACCOUNT_EMAILS_PER_ACCOUNT = envint("ACCOUNT_EMAILS_PER_ACCOUNT", 5)
ACCOUNT_EMAILS_PER_ADDRESS = envint("ACCOUNT_EMAILS_PER_ADDRESS", 20)
ACCOUNT_EMAIL_WINDOW_MINUTES = envint("ACCOUNT_EMAIL_WINDOW_MINUTES", 60, minimum=1)
# Staff and pilot managers confirm a one-time code (TOTP app or a backup code) before the admin
# opens. Turn off only where another layer (a single-sign-on proxy) already asks for a second
# factor.
ADMIN_TWO_FACTOR = envbool("DJANGO_ADMIN_TWO_FACTOR", True)
OTP_TOTP_ISSUER = "Seoul Living Lab"

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "livinglab@localhost")

# --- Pilots -----------------------------------------------------------------------------------

# The portal's public address, for links in notification emails.
SITE_URL = envurl("PORTAL_SITE_URL", {"http", "https"}).rstrip("/") or "http://localhost:8000"

# --- Logging ----------------------------------------------------------------------------------

# Checked here: logging would otherwise fail at start-up with a message that names no variable.
LOG_LEVEL = envchoice("DJANGO_LOG_LEVEL", "INFO", {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers would print through their handler and again through the root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Every successful login would be a line; failures and lockouts are warnings.
        "axes": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
