"""Settings, read from the environment (and an optional `.env`) through django-environ.

Every variable is documented in `.env.example`. Typed getters make a bad value fail loudly
at start-up instead of misbehaving later.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    # Variables already in the process environment win (the one reader of .env: see make run).
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "only DEBUG=true runs with a development key."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: list the host names this site answers to (see .env.example)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "aysekai_site",
    "accounts",
    "meditation",
    # The admin site requires staff to have passed a second factor (aysekai_site.admin).
    "aysekai_site.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Lets whitenoise serve static files under runserver too, exactly as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
]

MIDDLEWARE = [
    "aysekai_site.middleware.RequestIdMiddleware",
    "aysekai_site.middleware.RequestLogMiddleware",
    "aysekai_site.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aysekai_site.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after whitenoise: a visitor's public page (the names, about) answered whole from
    # the cache, as the middleware below made it, without running them (issue 13).
    # Before the stored pages: the page's language from its path (and, on a first visit, the
    # one Accept-Language suggests), which their key holds.
    "aysekai_site.platform.languages.PageLanguageMiddleware",
    "aysekai_site.platform.response_cache.VisitorPagesMiddleware",
    # After whitenoise (which serves static files precompressed) and outside everything that
    # writes the body: gzips pages, with Django's BREACH mitigation (issue 13).
    "aysekai_site.middleware.CompressPagesMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the sessions: marks every response that involves a session `private, no-store`.
    "aysekai_site.platform.cache_control.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.LoadedUserMiddleware",  # request.user itself, not two lazy proxies
    "accounts.middleware.TimeZoneMiddleware",  # the signed-in person's zone (visitors: UTC)
    # A person's Arabic-Indic digits on Arabic pages (inside the compression: the page as made).
    "accounts.middleware.ArabicIndicDigitsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, auth and messages: signs out a session past its absolute lifetime.
    "accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the others, as django-axes requires: turns a lockout raised during sign-in into
    # its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aysekai_site.urls"
WSGI_APPLICATION = "aysekai_site.wsgi.application"
ASGI_APPLICATION = "aysekai_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "aysekai_site.platform.languages.languages",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.preferences",
            ],
            # `{% url %}` and `{% extends %}` doing less per page (platform/template_builtins.py).
            "builtins": [
                "aysekai_site.platform.template_builtins",
                "aysekai_site.platform.template_filters",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL (postgres://user:pass@host:5432/name) selects Postgres.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# psycopg's connection pool in each process, at most this many connections (Postgres only;
# 0: none, and CONN_MAX_AGE keeps one connection per process instead). Measured with
# `make bench`: docs/decisions.md, "Speed (issue 13)".
DATABASE_POOL = env.int("DATABASE_POOL", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that polls the socket before it sends `SELECT 1`
    # (aysekai_site/postgres/base.py): a reused connection costs no round trip (issue 13).
    DATABASES["default"]["ENGINE"] = "aysekai_site.postgres"
    # A database that does not answer is an outage page in seconds, not a hung worker.
    connect_timeout = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", connect_timeout)
    if DATABASE_POOL:
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "DATABASE_POOL needs CONN_MAX_AGE=0: the pool keeps the connections."
            )
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1, "max_size": DATABASE_POOL, "timeout": connect_timeout,
        }  # fmt: skip
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to the same file: WAL and IMMEDIATE transactions
    # keep them from failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# REDIS_URL selects Redis (production); otherwise a per-process memory cache.
CACHES = {"default": env.cache_url("REDIS_URL", default="locmemcache://aysekai")}
# How long the web waits for Redis (cache, broker, result backend) before it counts as down:
# an outage must cost a request a moment, not a hang (issue 12).
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5.0)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Django's, reusing its redis-py clients (aysekai_site/cache.py).
    CACHES["default"]["BACKEND"] = "aysekai_site.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT}
    )

# Versions of cached data (the catalogue's) live in the cache when it is shared by every
# process; with a process-local cache (locmem, dummy) they are read from the database on every
# request instead (aysekai_site/platform/versions.py). None: decided from the backend.
VERSIONS_IN_CACHE: bool | None = None

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "meditation:home"
# Also where account deletion lands (accounts names no other app's URL).
LOGOUT_REDIRECT_URL = "meditation:home"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out pair is refused even with the right password.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in person without building the query.
    "accounts.backends.PersonBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after this much idle time: a request pushes the expiry forward when the last
# push is SESSION_REFRESH_SECONDS old (accounts.middleware), so a signed-in page costs no session
# write, and the idle time is kept to within that interval (issue 13).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60 * 24 * 7) * 60
SESSION_SAVE_EVERY_REQUEST = False
# Read from the shared cache, written through to the database (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_REFRESH_SECONDS = min(
    env.int("SESSION_REFRESH_SECONDS", default=300), SESSION_COOKIE_AGE // 2
)
# ...and this long after signing in, however active (accounts.middleware).
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_DAYS", default=30) * 86400
if SESSION_ABSOLUTE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_ABSOLUTE_DAYS must be at least 1.")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60) * 60
# How long the link that confirms a new e-mail address works.
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT_MINUTES", default=24 * 60) * 60

# Sign-in lockout (django-axes): N failures for one account from one IP within the window
# lock that pair out for the same window. The right password is refused while locked.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Every spelling of an address is one username, so one failure counter (accounts/emails.py).
AXES_USERNAME_CALLABLE = "accounts.emails.axes_username"
AXES_CLIENT_IP_CALLABLE = "aysekai_site.platform.ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The current password asked before a sensitive change, and second-factor codes (at sign-in
# or to turn two-factor off): this many wrong ones within the window lock that check for the
# account, or this many for one IP (across accounts), for the window (accounts/throttle.py).
VERIFY_FAILURE_LIMIT = env.int("VERIFY_FAILURE_LIMIT", default=5)
VERIFY_IP_FAILURE_LIMIT = env.int("VERIFY_IP_FAILURE_LIMIT", default=20)
VERIFY_LOCKOUT_MINUTES = env.int("VERIFY_LOCKOUT_MINUTES", default=30)
if min(VERIFY_FAILURE_LIMIT, VERIFY_IP_FAILURE_LIMIT, VERIFY_LOCKOUT_MINUTES) < 1:
    raise ImproperlyConfigured("VERIFY_* limits and VERIFY_LOCKOUT_MINUTES must be at least 1.")
# How many reverse proxies in front of the site append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Per-IP rate limits through the cache: "count/period" with period s, m, h or d.
SIGNUP_RATE = env.str("SIGNUP_RATE", default="5/h")
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="5/h")
# The public names API's GETs, per client IP (meditation/api/public.py).
API_RATE = env.str("API_RATE", default="300/m")

# Audit events older than this are removed by `manage.py purge_audit_events`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
OTP_TOTP_ISSUER = "Aysekai"

# --- Journal ----------------------------------------------------------------------------
# Fernet keys for journal text at rest, comma-separated: the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: journal text cannot be stored. "
            "See .env.example for how to make a key."
        )
    # Development only: a key derived from the development secret key, so `make run` needs
    # no set-up. (Data written with it is unreadable under any other key.)
    _digest = hashlib.sha256(b"aysekai-field-encryption:" + SECRET_KEY.encode()).digest()
    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_digest).decode()]
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS entry {_position} is not a Fernet key "
            "(32 bytes, url-safe base64). See .env.example for how to make one."
        ) from None
# Exports and uploads live here: outside STATIC_ROOT and any URL, served only through views
# that check the owner.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=VAR_DIR / "private")
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
EXPORT_MAX_UNFINISHED = env.int("EXPORT_MAX_UNFINISHED", default=3)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Uploads up to this size are imported during the request; larger ones by the worker.
IMPORT_INLINE_MAX_BYTES = env.int("IMPORT_INLINE_MAX_BYTES", default=64 * 1024)
# Seconds to pause after each chunk of an export: 0 in use; tests slow exports down with it.
EXPORT_CHUNK_PAUSE = env.float("EXPORT_CHUNK_PAUSE", default=0.0)
# Deleted journal entries are purged after this many days in the trash.
TRASH_RETENTION_DAYS = env.int("TRASH_RETENTION_DAYS", default=30)

ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must be a relative path ending in '/', e.g. 'admin/'.")

# --- Internationalisation ---------------------------------------------------------------
# English at today's URLs; Turkish and Arabic under /tr/ and /ar/ (i18n_patterns without a
# prefix for English, aysekai_site/urls.py). The path alone says a page's language: the
# language cookie and Accept-Language only suggest another (platform/languages.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tr", "Türkçe"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Exports and uploads waiting to be imported (meditation.private_files), always encrypted:
# the file system under PRIVATE_STORAGE_ROOT unless PRIVATE_STORAGE_BACKEND names another
# Django storage, e.g. S3 for several hosts (docs/deployment.md).
PRIVATE_STORAGE = {
    "BACKEND": env.str(
        "PRIVATE_STORAGE_BACKEND", default="meditation.private_files.PrivateStorage"
    ),
    "OPTIONS": env.json("PRIVATE_STORAGE_OPTIONS", default={}),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Outside DEBUG: compressed files with content-hashed names, cached for a year by whitenoise.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # whitenoise's CompressedManifestStaticFilesStorage, remembering each name's URL.
        else "aysekai_site.static_storage.StaticStorage"
    },
    "private": PRIVATE_STORAGE,
}

# --- Security ---------------------------------------------------------------------------
# A strict policy from the first page: nothing inline, nothing evaluated, nothing third-party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by aysekai_site.middleware.SecurityHeadersMiddleware (Django has no setting for them).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "interest-cohort=()"
)
# HTTPS. Outside DEBUG: redirect to HTTPS (except the health and metrics endpoints, which
# orchestrators call over plain HTTP inside the network) and HSTS for a year.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Behind a TLS-terminating proxy: e.g. "HTTP_X_FORWARDED_PROTO,https". Only set it when the
# proxy always sets (and overwrites) that header.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be 'HEADER,value'.")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script needs to read the cookie
if not DEBUG:
    # __Host- cookies are only accepted over HTTPS, for this exact host, on every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Workers and job heartbeats -------------------------------------------------------
# Workers and beat write a heartbeat row every WORKER_HEARTBEAT_SECONDS (aysekai_site/workers.py);
# one unseen for WORKER_STALE_SECONDS counts as gone (/readyz "workers", /metrics).
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=15)
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", default=60)
# A running job touches its heartbeat at least every JOB_HEARTBEAT_SECONDS; one silent for
# JOB_STALE_SECONDS lost its worker, and the sweep (every JOB_SWEEP_SECONDS, from beat) puts an
# export back in the queue, up to EXPORT_MAX_ATTEMPTS runs, or fails it (an import is failed).
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=10)
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=120)
JOB_SWEEP_SECONDS = env.int("JOB_SWEEP_SECONDS", default=60)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=3)
# A job still queued after this long tells the person it is waiting for a worker.
JOB_WAIT_WARNING_SECONDS = env.int("JOB_WAIT_WARNING_SECONDS", default=30)
if min(WORKER_HEARTBEAT_SECONDS, JOB_HEARTBEAT_SECONDS, JOB_SWEEP_SECONDS) < 1:
    raise ImproperlyConfigured(
        "WORKER_HEARTBEAT_SECONDS, JOB_HEARTBEAT_SECONDS and JOB_SWEEP_SECONDS must be at least 1."
    )
if WORKER_STALE_SECONDS <= WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("WORKER_STALE_SECONDS must be longer than WORKER_HEARTBEAT_SECONDS.")
if JOB_STALE_SECONDS <= JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOB_STALE_SECONDS must be longer than JOB_HEARTBEAT_SECONDS.")
if min(EXPORT_MAX_ATTEMPTS, JOB_WAIT_WARNING_SECONDS) < 1:
    raise ImproperlyConfigured(
        "EXPORT_MAX_ATTEMPTS and JOB_WAIT_WARNING_SECONDS must be at least 1."
    )

# --- Celery -----------------------------------------------------------------------------
# With no broker configured, a real worker still runs on kombu's filesystem transport under var/,
# so `make run` needs no service. CELERY_BROKER_URL (redis://127.0.0.1:6379/0) selects a real one.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# The filesystem broker's folders and result files (a test stack keeps its own elsewhere).
CELERY_FILESYSTEM_DIR = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=f"file://{CELERY_FILESYSTEM_DIR / 'results'}"
    if CELERY_BROKER_URL == "filesystem://"
    else CELERY_BROKER_URL,
)
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The longest task (an export) is stopped after EXPORT_TIME_LIMIT; the broker redelivers an
# unacknowledged task (its worker died) after the visibility timeout, which must be longer.
EXPORT_SOFT_TIME_LIMIT = env.int("EXPORT_SOFT_TIME_LIMIT", default=25 * 60)
EXPORT_TIME_LIMIT = env.int("EXPORT_TIME_LIMIT", default=30 * 60)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
if CELERY_VISIBILITY_TIMEOUT <= EXPORT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be longer than EXPORT_TIME_LIMIT.")
if not CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        # Longer than the 1 s BRPOP a waiting worker holds; without it a publish to a broker
        # that vanished without closing the connection would wait forever.
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        # How often (seconds) a worker looks for tasks whose worker died and whose visibility
        # timeout has passed (kombu scans every interval × throttle seconds).
        "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Celery's default is 20 retries a second apart: a request would hang for 19 s.
        "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
    CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TASK_SOFT_TIME_LIMIT = EXPORT_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = EXPORT_TIME_LIMIT
# Publishing gives up quickly when the broker is down, so a request can say so at once (one
# retry after 0.2 s: well within 2 s even for a broker that drops packets).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2,
}  # fmt: skip
# Workers, on the other hand, wait for a lost broker for as long as it takes, and carry on by
# themselves when it is back (Celery gives up after 100 attempts by default).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker goes keeps running (it needs the database, not the broker);
# its acknowledgement is lost, so the broker delivers it again, and the second delivery
# finds the job settled (meditation.jobs.start).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
# Jobs keep their state in their own rows, so no task stores a result, and queuing one never
# touches the result backend (only `aysekai_site.ping`, which check_worker waits on, does).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-trash": {"task": "meditation.purge_trash", "schedule": datetime.timedelta(hours=6)},
    "expire-exports": {
        "task": "meditation.expire_exports",
        "schedule": datetime.timedelta(hours=1),
    },
    "fail-stuck-jobs": {
        "task": "meditation.fail_stuck_jobs",
        "schedule": datetime.timedelta(seconds=JOB_SWEEP_SECONDS),
    },
    "purge-audit-events": {
        "task": "accounts.purge_audit_events",
        "schedule": datetime.timedelta(days=1),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# --- E-mail ---------------------------------------------------------------------------
# EMAIL_URL: consolemail:// (prints to the terminal, the default) or
# smtp+tls://user:password@host:587 . Django 6.1 mailers (EMAIL_BACKEND is deprecated).
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"]}}
if _email.get("EMAIL_HOST"):
    MAILERS["default"]["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or "",
        "password": _email.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aysekai <no-reply@localhost>")

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# JSON lines in production (one object per line, for the log pipeline); plain text locally.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "aysekai_site.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "aysekai_site.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own console handler so that each record is written once.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # runserver's access lines carry query strings (search terms): not logged.
        "django.server": {"handlers": [], "propagate": False},
        # Axes logs every sign-in at INFO; lockouts and failures are in the audit trail.
        "axes": {"level": "WARNING"},
    },
}

# --- Errors and metrics -----------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from aysekai_site.sentry import init_sentry

    init_sentry(
        SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE or None,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )  # fmt: skip
# /metrics answers a bearer token or an allowed address; nobody else learns it exists.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
