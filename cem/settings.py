"""Settings, read from the environment (django-environ).

With nothing set, a fresh clone runs on its own: SQLite in the project folder,
Celery in eager mode (tasks run inline), email printed to the console, DEBUG on
and a development secret. Each variable below switches one part to its
production shape; the README has the table.
"""

import importlib.util
from pathlib import Path

import environ
import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from cem.api_settings import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: F401 - settings
from cem.celery_schedule import CELERY_BEAT_SCHEDULE  # noqa: F401 - settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the host names this site answers to when DJANGO_DEBUG is off "
        "(comma-separated, e.g. cem.example.com)."
    )

# The public base URL put into emailed links (survey invitations, unsubscribe). `make run`,
# `make worker` and `make beat` set it to the address `make run` serves unless it is set already;
# production always sets it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Served over HTTPS (behind TLS or a terminating proxy): secure cookies, HSTS.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "infra",
    "access",
    "webhooks",
    "touchpoints",
    "journeys",
    "surveys",
    "followups",
    "analytics",
    "workspace",
    "privacy",
    "exports",
    "demo",
    "api",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "infra.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "infra.security.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "access.middleware.StaffLanguageMiddleware",
    "audit.middleware.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cem.urls"

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
                "access.roles.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "cem.wsgi.application"

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica (optional). Only reads inside an `infra.replica.replica_reads`
# scope go there (the dashboards, their downloads, the metrics API), and only while it is no more
# than REPLICA_MAX_LAG_SECONDS behind and the visitor has not written in the last
# REPLICA_PIN_SECONDS; everything else, every write and every migration, uses `default`.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests read the test database through it: no second test database is created.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer costs one request this long a second (then: the primary).
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["infra.db_router.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "infra.replica.ReplicaPinMiddleware"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_PIN_SECONDS = env.float("REPLICA_PIN_SECONDS", default=5.0)
# How long one process trusts its last measurement of the replica's lag.
REPLICA_LAG_CHECK_SECONDS = env.float("REPLICA_LAG_CHECK_SECONDS", default=1.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when REDIS_URL is set) and Celery (RabbitMQ or Redis) --------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cem",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The broker: RabbitMQ for an amqp:// URL (py-amqp), else Redis (REDIS_URL, the cache whichever
# broker carries the tasks), else none: tasks run inline, in the process that enqueued them.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
_BROKER_IS_RABBITMQ = CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://"))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Named queues: a backlog of one kind of work delays no other, and each gets a worker sized for it
# (`celery -A cem worker -Q email`; without -Q, all). Each has its own exchange and routing key
# (sharing them, every queue would get every task). The prefix gives whoever shares the broker (the
# integration tests, a second installation) queues of their own.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
_QUEUES = [
    f"{CELERY_QUEUE_PREFIX}{name}"
    for name in ("default", "email", "metrics", "journeys", "webhooks", "exports")
]
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in _QUEUES]
# Unrouted tasks: the daily retention batch (privacy), which would hold up `metrics` or `email`.
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
# By task name: beat's entries and tasks sent by name (infra.tasks.enqueue_on_commit) follow them too.
CELERY_TASK_ROUTES = {
    "surveys.tasks.invitation*": {"queue": f"{CELERY_QUEUE_PREFIX}email"},  # sends, reminders, sweep
    "followups.tasks.*": {"queue": f"{CELERY_QUEUE_PREFIX}email"},  # emails to staff
    "analytics.tasks.*": {"queue": f"{CELERY_QUEUE_PREFIX}metrics"},  # rollups and the heartbeat
    "journeys.tasks.*": {"queue": f"{CELERY_QUEUE_PREFIX}journeys"},  # assembly from the interactions
    "webhooks.tasks.*": {"queue": f"{CELERY_QUEUE_PREFIX}webhooks"},  # HTTP-bound deliveries
    "exports.tasks.*": {"queue": f"{CELERY_QUEUE_PREFIX}exports"},  # long jobs writing files
}
# A task is acknowledged after it ran, and handed back if its worker dies, so a
# killed worker loses nothing; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
if _BROKER_IS_RABBITMQ:
    # Durable classic queues, persistent messages (Celery's defaults; quorum queues need a cluster
    # to be worth it). A dead worker's tasks come back at once. A delivery held unacknowledged past
    # the server's consumer_timeout (30 min by default) closes its channel: countdowns stop at it
    # less two time limits (infra.tasks.countdown_horizon); a task running longer (an export) needs
    # it raised on the server. Raise it there and here together.
    CELERY_BROKER_CONSUMER_TIMEOUT = env.int("RABBITMQ_CONSUMER_TIMEOUT", default=1800)
    CELERY_BROKER_HEARTBEAT = 60  # RabbitMQ's default; Celery's 120 would be negotiated down to it
else:
    # Redis hands a message unacknowledged past the visibility timeout to another worker, running
    # or not: time limits and countdowns stay well below it. The eager-mode broker ignores it.
    CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat's schedule: cem/celery_schedule.py (imported at the top).

# --- Customers --------------------------------------------------------------------
# Phone numbers are stored in E.164; one written without a country code ("07700 900496") is read
# as a number of this region (ISO 3166 alpha-2). Empty: every number must carry its +country code.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="GB").strip().upper()
if PHONE_DEFAULT_REGION and PHONE_DEFAULT_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(
        f'PHONE_DEFAULT_REGION "{PHONE_DEFAULT_REGION}" is not a region code (e.g. GB, US, CN), nor empty.'
    )

# --- Follow-ups -------------------------------------------------------------------
# A case is due this many hours after it opens; events older than the max age open none.
FOLLOW_UP_SLA_HOURS = env.int("FOLLOW_UP_SLA_HOURS", default=48)
FOLLOW_UP_MAX_AGE_DAYS = env.int("FOLLOW_UP_MAX_AGE_DAYS", default=14)

# --- Surveys ----------------------------------------------------------------------
SURVEY_COMPANY_NAME = env.str("SURVEY_COMPANY_NAME", default="CEM demo company")
SURVEY_INVITATION_EXPIRY_DAYS = env.int("SURVEY_INVITATION_EXPIRY_DAYS", default=60)
# At most one invitation per customer within this many days, across surveys (0 turns the cap off).
SURVEY_FREQUENCY_CAP_DAYS = env.int("SURVEY_FREQUENCY_CAP_DAYS", default=30)
SURVEY_REMINDER_AFTER_DAYS = env.int("SURVEY_REMINDER_AFTER_DAYS", default=3)
# Celery rate limit of the send task per worker process, e.g. "10/s" or "600/m".
SURVEY_SEND_RATE = env.str("SURVEY_SEND_RATE", default="20/s")
SURVEY_TEXT_MAX_LENGTH = 2000  # characters of one free-text answer
# Failed survey-link lookups or submissions allowed per client address and window.
SURVEY_FAILURE_LIMIT = env.int("SURVEY_FAILURE_LIMIT", default=30)
SURVEY_FAILURE_WINDOW_SECONDS = env.int("SURVEY_FAILURE_WINDOW_SECONDS", default=600)

# --- Raw exports -----------------------------------------------------------------
# An export of at most this many rows downloads at once; a larger one runs as a job on the
# `exports` queue and its file waits here (a volume every web and export worker shares) for
# EXPORT_RETENTION_HOURS.
EXPORTS_ROOT = env.str("EXPORTS_ROOT", default=str(BASE_DIR / "var" / "exports"))
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=50_000)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)

# --- Response retention -------------------------------------------------------------
# Responses submitted more than this many days ago are anonymised (free text and the link to the
# customer removed, scores kept: figures unchanged) or deleted (figures recomputed without them)
# by a daily task. 0 keeps responses forever.
RESPONSE_RETENTION_DAYS = env.int("RESPONSE_RETENTION_DAYS", default=0)
RESPONSE_RETENTION_MODE = env.str("RESPONSE_RETENTION_MODE", default="anonymise")
if RESPONSE_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("RESPONSE_RETENTION_DAYS must be 0 (keep forever) or a number of days.")
if RESPONSE_RETENTION_MODE not in ("anonymise", "delete"):
    raise ImproperlyConfigured('RESPONSE_RETENTION_MODE must be "anonymise" or "delete".')

# --- Webhooks ---------------------------------------------------------------------
# Webhook URLs must resolve to public addresses. An operator may allow private networks (an
# on-premises CRM; loopback included) or loopback alone (a local receiver, the tests).
# Link-local, multicast, reserved and unspecified addresses are never allowed.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Seconds before each retry of a failed delivery (±20 % jitter; the last repeats). Retries stop
# 3 days after the event, whatever the schedule. The integration tests set it to 1 second.
WEBHOOK_RETRY_SCHEDULE = env.list(
    "WEBHOOK_RETRY_SCHEDULE", cast=int, default=[5, 300, 1800, 7200, 18000, 36000, 50400, 72000]
)
if not WEBHOOK_RETRY_SCHEDULE or min(WEBHOOK_RETRY_SCHEDULE) < 1:
    raise ImproperlyConfigured("WEBHOOK_RETRY_SCHEDULE must list at least one delay of 1 second or more.")

# --- Email ------------------------------------------------------------------------
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CEM <cem@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins allowed per username, and per client address, within the window (access/signin.py);
# past either limit sign-ins are refused (429) without checking the password.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)

# --- Internationalisation -------------------------------------------------------------
# The language of pages before a user or browser has chosen one, and of management commands.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Each language's name in itself, for the switchers. Adding a language: add it here, then
# `makemessages -l <locale>`, translate locale/<locale>/LC_MESSAGES/django.po, `compilemessages`.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself through whitenoise) -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# plotly.js from the installed plotly package (no CDN), served as static/vendor/plotly/plotly.min.js.
PLOTLY_PACKAGE_DATA = Path(importlib.util.find_spec("plotly").submodule_search_locations[0]) / "package_data"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/plotly", PLOTLY_PACKAGE_DATA)]
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

# --- Security ---------------------------------------------------------------------------
# Headers: infra.security adds the Content-Security-Policy and Permissions-Policy; the public
# survey pages keep their own stricter ones (no script, no referrer).
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the whole domain and its subdomains to HTTPS in browsers for months; the
    # domain's owner opts in (with DJANGO_HSTS_SECONDS of a year or more), the app does not.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "preload is not set": deliberate, see above
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- REST framework ------------------------------------------------------------------------
# REST_FRAMEWORK and SPECTACULAR_SETTINGS: cem/api_settings.py (imported at the top).
# Requests per API key and window: "600/min", "50/s", "10000/hour"; "none" turns the limit off.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
# Idempotency-Key answers are replayed this long; a request still "running" after the lock
# seconds is presumed dead and its key may be taken over.
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
API_IDEMPOTENCY_LOCK_SECONDS = env.int("API_IDEMPOTENCY_LOCK_SECONDS", default=300)

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
