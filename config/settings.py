"""The tracker's one settings module.

Every difference between the embedded default (SQLite, tasks in process, mail to
files) and production (PostgreSQL, Redis and Celery workers, SMTP) comes from an
environment variable; README.md lists them all.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kombu import Queue

from config.env import (
    ConfigurationError,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY is required unless DJANGO_DEBUG=1; set it to a long random string."
        )
    SECRET_KEY = "embedded-debug-only-key-not-for-any-real-deployment-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "patients",
    "toxicity",
    "notifications",
    "tracker",
    "interop",
    "reports",
    "disease",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A patient account sees the patient pages only (reports/access.py).
    "reports.access.PatientAccountBoundary",
    "config.middleware.SessionLifetimeMiddleware",
    "config.middleware.ClinicTimeZoneMiddleware",
    "config.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.IntegrityErrorMiddleware",
    # Last, as django-axes asks: it answers a locked-out login itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.roles",
            ],
        },
    },
]

# Audit history (django-simple-history): why a clinical record changed is kept in
# full, however long the clinician's reason.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin's history pages only show versions: reverting to one would rewrite a clinical
# record around its service (notifications.admin refuses the POST as well).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/tracker.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request, and in any case
# SESSION_ABSOLUTE_HOURS after login (config.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a (username, IP address) pair after 5 failures, so one
# attacker cannot lock a whole ward out by guessing at every nurse's name.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Reverse proxies put the client address in X-Forwarded-For; read it only when told to.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- HTTPS and browser hardening -----------------------------------------------
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts only from our own static files, never
# inline. plotly.js writes <style> elements at run time, hence inline styles are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Time -------------------------------------------------------------------------
USE_TZ = True  # stored in UTC
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")  # shown to clinicians
LANGUAGE_CODE = "en-gb"  # the language of a site, a user or an email when none is chosen
USE_I18N = True
# The languages pages, emails and patient surveys are written in (locale/: the
# catalogues; docs/translation.md: how a string is added and reviewed).
LANGUAGES = [("en-gb", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One way of writing dates and times, per language (config/formats/<locale>/formats.py):
# templates use |date:"DATETIME_FORMAT", so a new locale brings its own order and words.
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files (plotly.js and Swagger UI are served from here, never a CDN) ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ------------------------------------------------------------------------
_email = email_from_url(env_str("EMAIL_URL", "file:///var/mail"), base_dir=BASE_DIR)
EMAIL_BACKEND = _email.backend
if _email.file_path:
    EMAIL_FILE_PATH = _email.file_path
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- Alert emails (notifications) ----------------------------------------------------
# An urgent alert nobody acknowledges within this time goes to the next person.
ALERT_ESCALATION_MINUTES = env_int("ALERT_ESCALATION_MINUTES", 120, minimum=1)
# A failed send is retried after 1x, 2x, 4x ... this (at most 15 min), up to N attempts;
# then the site administrators get a "delivery failed" alert.
ALERT_RETRY_BASE_SECONDS = env_int("ALERT_RETRY_BASE_SECONDS", 30, minimum=1)
ALERT_DELIVERY_MAX_ATTEMPTS = env_int("ALERT_DELIVERY_MAX_ATTEMPTS", 8, minimum=1)
# The one-time acknowledge link in an alert email works this long after sending.
ALERT_ACK_LINK_HOURS = env_int("ALERT_ACK_LINK_HOURS", 72, minimum=1)
# A toxicity episode with no repeat for this long is over: the next grade 3 is news again.
ALERT_EPISODE_QUIET_DAYS = env_int("ALERT_EPISODE_QUIET_DAYS", 42, minimum=1)
# A dose recommendation undecided for this long goes into the oncologist's daily digest.
ALERT_RECOMMENDATION_PENDING_HOURS = env_int("ALERT_RECOMMENDATION_PENDING_HOURS", 24, minimum=1)

# --- Patients reporting from home (reports) -----------------------------------------
# A nurse's invitation (emailed link or printed code) works this long, once.
PATIENT_INVITATION_HOURS = env_int("PATIENT_INVITATION_HOURS", 72, minimum=1)
# The follow-up to a weekly reminder goes this long after it (clinic wall-clock time),
# only when no survey came in meanwhile: two days leaves the patient a working day or
# a weekend to answer before being asked again, and is still the same week's report.
REMINDER_FOLLOW_UP_HOURS = env_int("REMINDER_FOLLOW_UP_HOURS", 48, minimum=1)

# --- Celery -------------------------------------------------------------------------
# No broker configured: tasks run in this process after the transaction commits
# (the embedded default). Same code path, no worker needed.
CELERY_BROKER_URL = redis_url("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A visit save must not hang on a broker that is down: the periodic sweep picks it up.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 2,
    # A message a killed worker held is delivered again after this long (Redis).
    # Tests lower it to see the redelivery in seconds; keep it above the longest task.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600, minimum=1),
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] < 600:
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# Publishing while the broker is down gives up quickly (the sweep evaluates the visit).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Two queues, both consumed by a plain `celery worker`: the clinic's work, and the
# impact reports' chunks (toxicity/services/impact.py), so that a visit's evaluation
# never waits behind a report of a million visits. docs/operations.md: workers given
# to one queue (`-Q celery` or `-Q impact`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("impact"))
CELERY_TASK_ROUTES = {
    f"toxicity.tasks.{name}": {"queue": "impact"}
    for name in ("plan_impact_report", "evaluate_impact_chunk", "finish_impact_report")
}
CELERY_TIMEZONE = "UTC"
# Visits per task of an impact report: about a second of a worker's time, small enough
# to spread over every process and to lose little to a killed worker, large enough
# that a chunk's few queries cost little beside its evaluations (docs/benchmarks.md).
IMPACT_CHUNK_VISITS = env_int("IMPACT_CHUNK_VISITS", 4000, minimum=1)
# Celery closes the worker's database connection after every task unless told otherwise.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200, minimum=0)
CELERY_BEAT_SCHEDULE: dict = {
    # The safety net for visits saved while the broker was down (toxicity.tasks).
    "sweep-unevaluated-visits": {
        "task": "toxicity.tasks.sweep_unevaluated_visits",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Monitoring checks (BP, liver, urine protein, ...) that became overdue.
    "process-due-checks": {
        "task": "toxicity.tasks.process_due_checks",
        "schedule": 900.0,
        "options": {"expires": 600},
    },
    # Alert emails: retries and lost sends, escalation, daily digests (notifications.tasks).
    "alert-emails-sweep-outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "alert-emails-escalate": {
        "task": "notifications.escalate_alerts",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "alert-emails-digests": {
        "task": "notifications.send_due_digests",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Clinical events into the digests: decided in toxicity.tasks (toxicity.alerts),
    # under the names these beats have always had.
    "alert-emails-pending-recommendations": {
        "task": "notifications.alerts_for_pending_recommendations",
        "schedule": 900.0,
        "options": {"expires": 600},
    },
    "alert-emails-overdue-checks": {
        "task": "notifications.alerts_for_overdue_checks",
        "schedule": 900.0,
        "options": {"expires": 600},
    },
    # Patients' weekly reminder emails and their follow-ups, due (reports.tasks).
    "patient-reminders-sweep": {
        "task": "reports.sweep_reminders",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
}

# --- API --------------------------------------------------------------------------
# An API token (manage.py create_api_token) lasts this many days unless told otherwise,
# and never more than API_TOKEN_MAX_DAYS.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
if API_TOKEN_DAYS > API_TOKEN_MAX_DAYS:
    raise ConfigurationError("API_TOKEN_DAYS cannot be more than API_TOKEN_MAX_DAYS.")

# --- FHIR and SDTM exchange (docs/interoperability.md) -------------------------------
# The site roles that may import and export, and those that may ask for identifiers:
# roles that open patients' records (patients.access.CLINICAL_ROLES), so never the
# site administrator, whose work is memberships and alert routing.
_SITE_ROLES = ("nurse", "oncologist", "pharmacist")
INTEROP_ROLES = env_list("INTEROP_ROLES", ["oncologist"])
# Identifiers leave only for the roles a site names (minimum necessary): none by default.
INTEROP_IDENTIFIER_ROLES = env_list("INTEROP_IDENTIFIER_ROLES", [])
for _name, _roles in (
    ("INTEROP_ROLES", INTEROP_ROLES),
    ("INTEROP_IDENTIFIER_ROLES", INTEROP_IDENTIFIER_ROLES),
):
    if "site_admin" in _roles:
        raise ConfigurationError(
            f"{_name} names site_admin: a site administrator opens no patient records; "
            f"use {', '.join(_SITE_ROLES)}."
        )
    if _unknown := sorted(set(_roles) - set(_SITE_ROLES)):
        raise ConfigurationError(
            f"{_name} names unknown roles {', '.join(_unknown)}; use {', '.join(_SITE_ROLES)}."
        )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call then gets 401 with WWW-Authenticate.
        # Named, expiring tokens stored as a SHA-256 (patients/tokens.py).
        "patients.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # The API is the clinic's: patient accounts are refused (reports/access.py).
        "reports.access.NotPatientAccount",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.error_handler",
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON with a nesting and number-length limit (config/parsers.py); forms for the
    # browsable API and multipart test clients.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The browsable API is a developer's tool: production answers JSON only.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["config.parsers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MKI toxicity tracker API",
    "DESCRIPTION": "Visits, CTCAE v5.0 grades and label-based dose recommendations for "
    "lenvatinib, sorafenib and cabozantinib in radioiodine-refractory thyroid cancer.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The disease course's choice sets, named apart from the toxicity's "drug" and "status".
    "ENUM_NAME_OVERRIDES": {
        "BoardDecisionDrugEnum": "disease.models.DecisionDrug",
        "BoardEntryStatusEnum": "disease.models.BoardEntryStatus",
        "RecistResponseEnum": "disease.models.ResponseChoice",
        # ... which keep the names they had before.
        "DrugEnum": "patients.models.Drug",
        "StatusEnum": "toxicity.models.RecommendationStatus",
    },
    # The schema and Swagger UI are for signed-in users and API clients, not the internet.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.IsAuthenticated",
        "reports.access.NotPatientAccount",
    ],
}

# --- Logging: no patient identifiers in log records --------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
