"""Django settings for Reunite.

Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: PostgreSQL (``postgres://…``) or another SQLite file
  (``sqlite:///path``); the default is ``var/reunite.sqlite3`` under the working directory.
- ``REUNITE_DEBUG``: ``1`` for development (the demo turns it on); off by default.
- ``REUNITE_SECRET_KEY``: required when debug is off; in debug a key is generated once and
  kept in ``var/secret_key`` so sessions survive restarts.
- ``REUNITE_ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``REUNITE_VAR_DIR``: where the database, the secret key and uploaded files live (``var/``);
  created readable by its owner only, like the SQLite database and key files in it.
- ``REUNITE_HTTPS_REDIRECT`` (default ``1`` when debug is off): redirect plain HTTP to HTTPS;
  ``REUNITE_HSTS_SECONDS`` (default one year when debug is off) for Strict-Transport-Security;
  ``REUNITE_BEHIND_PROXY=1`` when a reverse proxy terminates TLS and sets X-Forwarded-Proto,
  ``REUNITE_TRUSTED_PROXY_COUNT`` how many proxies to skip in X-Forwarded-For (login lockout).
- ``REUNITE_LOGIN_FAILURE_LIMIT`` (5) and ``REUNITE_LOGIN_COOLOFF_MINUTES`` (15): failed logins
  before an account, or an address, is locked out, and for how long (see docs/security.md).
- Direct channel (``reunite.exchange``, see docs/channel.md): ``REUNITE_KEY_DIR`` (the
  installation's key directory, default ``var/keys``), ``REUNITE_KEY_FILE`` (32-byte file
  that unlocks the private keys, default ``var/channel.secret``) or
  ``REUNITE_KEY_PASSPHRASE`` (a passphrase instead of the key file; read when the keys are
  loaded, never kept in settings), ``REUNITE_BUNDLE_MAX_BYTES``, ``REUNITE_LIST_ANSWER_DAYS``,
  ``REUNITE_SYNC_TIMEOUT`` and ``REUNITE_SYNC_ATTEMPTS``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

# PATHS #
VAR_DIR = Path(os.environ.get("REUNITE_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# CORE #
DEBUG = os.environ.get("REUNITE_DEBUG", "") == "1"


def _secret_key() -> str:
    key = os.environ.get("REUNITE_SECRET_KEY")
    if key:
        return key
    if not DEBUG and not os.environ.get("PYTEST_VERSION"):
        # Without a real key, signed cookies could be forged: refuse to start.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set REUNITE_SECRET_KEY (or REUNITE_DEBUG=1 for development).")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # Created owner-only from the first byte (no window with the umask's permissions).
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("REUNITE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "reunite.accounts",
    "reunite.audit",
    "reunite.registry",
    "reunite.cases",
    "reunite.matching",
    "reunite.verification",
    "reunite.jobs",
    "reunite.reunification",
    "reunite.web",
    "reunite.exchange",
]

# Background jobs (reunite.jobs): django-tasks with its database backend, so the queue
# lives in this database and needs no extra server. `reunite serve` starts a worker,
# `reunite worker` runs one alone (docs/jobs.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Matching runs (docs/matching-app.md): the linkage back-end (duckdb, or spark with
# REUNITE_SPARK_MASTER naming the cluster) and the per-record feature cache.
REUNITE_MATCH_BACKEND = os.environ.get("REUNITE_MATCH_BACKEND", "duckdb")
REUNITE_MATCH_CACHE_DIR = os.environ.get("REUNITE_MATCH_CACHE_DIR") or str(VAR_DIR / "match-cache")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reunite.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "reunite.web.two_factor.RequireTwoFactorMiddleware",
    "reunite.web.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reunite.web.middleware.SecurityHeadersMiddleware",
    "reunite.web.input_rules.OutOfRangeNumberMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the locked-out page
]

ROOT_URLCONF = "reunite.config.urls"
WSGI_APPLICATION = "reunite.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reunite.web.context.membership",
            ],
        },
    },
]

# DATABASE #
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'reunite.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database file (and the journal SQLite creates beside it, which takes the file's
    # permissions) readable by the owner only.
    _sqlite_file = str(DATABASES["default"]["NAME"])
    if _sqlite_file and not _sqlite_file.startswith((":memory:", "file:")):
        _db_path = Path(_sqlite_file)
        if _db_path.parent.is_dir():
            os.close(os.open(_db_path, os.O_CREAT | os.O_WRONLY, 0o600))
            _db_path.chmod(0o600)
    # Wait for a concurrent writer instead of failing at once; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if os.environ.get("REUNITE_TEST_DB_NAME"):
    # A test database of its own per run, so concurrent runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["REUNITE_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AUTHENTICATION #
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# SECURITY #
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "reunite.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A strict policy: no inline scripts or styles; everything is served from our own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Off debug: HTTPS only (a redirect, then HSTS so the browser never tries HTTP again).
# Tests run without debug over plain HTTP and turn the redirect on where they check it.
_PRODUCTION = not DEBUG and not os.environ.get("PYTEST_VERSION")
SECURE_SSL_REDIRECT = os.environ.get("REUNITE_HTTPS_REDIRECT", "1" if _PRODUCTION else "0") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(
    os.environ.get("REUNITE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600))
)
if os.environ.get("REUNITE_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Uploaded files and their directories: owner only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# API tokens are valid this long after they are issued (REUNITE_API_TOKEN_HOURS).
REUNITE_API_TOKEN_HOURS = int(os.environ.get("REUNITE_API_TOKEN_HOURS", str(7 * 24)))

# TWO-FACTOR AUTHENTICATION (django-otp) #
# Required for every role that sees child data; REUNITE_TWO_FACTOR=off exists for the test
# suite (its fixtures log users in directly). See docs/security.md.
REUNITE_TWO_FACTOR_REQUIRED = os.environ.get("REUNITE_TWO_FACTOR", "required") != "off"
OTP_TOTP_ISSUER = "Reunite"

# LOGIN LOCKOUT (django-axes) #
# Failed logins are counted per account and per address, separately: either reaching the
# limit locks out for the cool-off time (429). A success resets the count. Administrators
# unlock with `reunite accounts unlock`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("REUNITE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("REUNITE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail already
AXES_LOCKOUT_CALLABLE = "reunite.web.lockout.lockout_response"
AXES_VERBOSE = False
# The client address: REMOTE_ADDR unless proxies are declared (a forged X-Forwarded-For
# must not let an attacker look like a new address on every try).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("REUNITE_TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# INTERNATIONALISATION #
LANGUAGE_CODE = "en"
# Offered in this order; each name in its own language (see docs/i18n.md).
LANGUAGES = [("uk", "Українська"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English dates in ISO form; Ukrainian and Russian keep Django's (see config/formats/en).
FORMAT_MODULE_PATH = ["reunite.config.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# STATIC AND UPLOADED FILES #
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Uploaded files live outside the web root and are served only by permission-checked views.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# REST API #
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "reunite.accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "reunite.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reunite API",
    "DESCRIPTION": "Registry of separated children, tracing requests and cases. "
    "Every read and write is permission-checked and audited.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps name a choice field "kind" or "decision": give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "EvidenceKindEnum": "reunite.verification.models.EvidenceKind",
        "BidDecisionEnum": "reunite.verification.models.BidDecision",
        "RelationshipDecisionEnum": "reunite.verification.models.Decision",
        "MatchDecisionEnum": "reunite.matching.models.Decision",
        "AttachmentKindEnum": "reunite.registry.models.Attachment.Kind",
        "PairStatusEnum": "reunite.matching.models.PairStatus",
    },
}

# REUNITE #
# Files attached to records: largest accepted size in bytes, and accepted content types.
REUNITE_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
REUNITE_ATTACHMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
# Children this many days from their 18th birthday are flagged as ageing out.
REUNITE_AGE_OUT_WARNING_DAYS = 90
# Import limits (rows and bytes) for CSV/XLSX list files.
REUNITE_IMPORT_MAX_ROWS = 200_000
REUNITE_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# The route network file for the transfer planner (docs/routes.md); empty: the shipped,
# ILLUSTRATIVE network.
REUNITE_ROUTE_NETWORK = os.environ.get("REUNITE_ROUTE_NETWORK", "")

# DIRECT CHANNEL (reunite.exchange; docs/channel.md) #
# Keys live outside the database: the directory is 0700, its files 0600. Put it (and the
# key file) on storage the database backups do not include.
REUNITE_KEY_DIR = Path(os.environ.get("REUNITE_KEY_DIR") or VAR_DIR / "keys")
REUNITE_KEY_FILE = Path(os.environ.get("REUNITE_KEY_FILE") or VAR_DIR / "channel.secret")
# Largest bundle accepted or made (bytes); a parcel (file or HTTP body) may hold several.
REUNITE_BUNDLE_MAX_BYTES = int(os.environ.get("REUNITE_BUNDLE_MAX_BYTES", 8 * 1024 * 1024))
# Days the asked party has to answer a list before its entries count as overdue.
REUNITE_LIST_ANSWER_DAYS = int(os.environ.get("REUNITE_LIST_ANSWER_DAYS", 30))
# HTTP sync: seconds per request, and attempts per peer before it counts as unreachable.
REUNITE_SYNC_TIMEOUT = float(os.environ.get("REUNITE_SYNC_TIMEOUT", 20))
REUNITE_SYNC_ATTEMPTS = int(os.environ.get("REUNITE_SYNC_ATTEMPTS", 3))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
