"""Django settings: every value comes from the typed TongketSettings (tongket.config)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from tongket.config import BASE_DIR, load_settings
from tongket.core.files import private_dir, private_file

CONFIG = load_settings()

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.effective_secret
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves swagger-ui from its own static files (without it ninja calls a CDN)
    "axes",
    "tongket.core",
    "tongket.units",
    "tongket.catalog",
    "tongket.collection",
    "tongket.demo",
    "tongket.factcheck",
    "tongket.analytics",
    "tongket.norms",
    "tongket.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongket.core.middleware.DatabaseBusyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongket.core.audit.ChannelMiddleware",  # which door a change came through (change log)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongket.core.middleware.PrivateCacheMiddleware",
    "tongket.core.middleware.SecurityLogMiddleware",
    "tongket.core.middleware.DomainErrorMiddleware",
    # last, as django-axes asks: it turns a lock-out raised in authenticate() into its page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongket.urls"
WSGI_APPLICATION = "tongket.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# The data directory and the SQLite file hold every school's figures: private to the service
# account (0700 / 0600). SQLite gives its -wal and -shm files the database file's mode.
private_dir(CONFIG.data_dir)
_default_db = f"sqlite:///{CONFIG.data_dir / 'tongket.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(CONFIG.database_url or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets the web server read while a load or demo build writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # a lock held elsewhere: wait this long, then DatabaseBusyMiddleware answers 503
        "timeout": CONFIG.sqlite_busy_timeout,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = CONFIG.language
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "tongket" / "locale"]
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up about a missing one
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # hashed names + compressed copies, served by WhiteNoise with far-future cache headers;
    # in debug the plain storage so runserver needs no collectstatic
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = CONFIG.email_backend
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_upload_mb * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

TONGKET = CONFIG

# ---- security and operations (issue 16; the values come from tongket.config) -------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out user or address is refused before the password is hashed
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = dt.timedelta(minutes=CONFIG.login_cooloff_minutes)
# two separate counters: one per user name (whatever the address), one per address
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "tongket.core.middleware.client_ip"
AXES_VERBOSE = False  # our own security log records lock-outs (tongket.security)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
if CONFIG.proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = CONFIG.ssl_redirect
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_include_subdomains
    SECURE_HSTS_PRELOAD = CONFIG.hsts_preload

# Scripts only from our own static files (htmx, entry.js); the templates carry style
# attributes, so styles allow inline (docs/configuration.md says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

ADMINS = [("", a) for a in CONFIG.admins]
SERVER_EMAIL = CONFIG.server_email
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_host_user
EMAIL_HOST_PASSWORD = CONFIG.email_host_password
EMAIL_USE_TLS = CONFIG.email_use_tls

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "tongket.core.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if CONFIG.log_json else "plain",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # server errors (500) with their traceback, to the log and to ADMINS
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # failed sign-ins, lock-outs, refused access (403), database busy (503)
        "tongket.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "tongket": {"handlers": ["console"], "level": CONFIG.log_level, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
