"""Settings read from the environment, with defaults that work on a laptop."""

from pathlib import Path
from typing import Any

import dj_database_url

from undersign.env import email_settings, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("UNDERSIGN_DATA", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("UNDERSIGN_DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
# Key of the email hash that finds duplicate signatures. Kept out of the database so a copy
# of the database cannot test whether an address signed.
EMAIL_DIGEST_KEY = env_str("UNDERSIGN_EMAIL_DIGEST_KEY") or f"email-digest:{SECRET_KEY}"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Absolute address used in mails; the mail worker has no request to read it from.
SITE_URL = env_str("UNDERSIGN_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "undersign",
    "undersign.organisers",
    "undersign.statements",
    "undersign.signatures",
    "undersign.public",
    "undersign.workspace",
]

LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:statements"
LOGOUT_REDIRECT_URL = "workspace:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "undersign.middleware.privacy_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "undersign.urls"
WSGI_APPLICATION = "undersign.wsgi.application"

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


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        db: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
        )
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "undersign.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN, so a transaction that reads before it writes cannot fail half-way with
        # "database is locked"; persistent connections avoid reopening the file per request.
        db["CONN_MAX_AGE"] = None
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

globals().update(email_settings(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str("UNDERSIGN_FROM_EMAIL", "undersign <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("uk", "Українська"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come straight from the app folders: no collectstatic step for `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "undersign.public.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with our own
# forms, which fails the CSRF origin check; same-origin still sends nothing to other sites.
SECURE_REFERRER_POLICY = "same-origin"

# The version of the consent text shown beside the signing form; stored with every signature.
CONSENT_VERSION = "2026-11-1"
SIGNATURES_PER_PAGE = env_int("UNDERSIGN_SIGNATURES_PER_PAGE", 50)
MAIL_MAX_ATTEMPTS = env_int("UNDERSIGN_MAIL_MAX_ATTEMPTS", 8)

# Log lines never carry personal data: services log ids, never emails or names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

COUNTRIES_FIRST = ["DE", "UA", "RU", "GE", "AM", "RS", "PL", "LT", "LV", "EE", "IL", "TR"]
COUNTRIES_FIRST_BREAK = "──────────"
