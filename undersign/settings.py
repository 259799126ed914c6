"""Settings read from the environment, with defaults that work on a laptop."""

from pathlib import Path
from typing import Any

import dj_database_url

from undersign.env import (
    default_data_dir,
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
    site_url,
    transit_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("UNDERSIGN_DATA") or default_data_dir()).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("UNDERSIGN_DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
# Key of the email hash that finds duplicate signatures. Kept out of the database so a copy
# of the database cannot test whether an address signed.
EMAIL_DIGEST_KEY = env_str("UNDERSIGN_EMAIL_DIGEST_KEY") or f"email-digest:{SECRET_KEY}"
# Key of the boxes that hold an address until its confirmation mail went out (contacts.py).
# Several machines must share it, like the secret key.
TRANSIT_KEY = transit_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Absolute address used in mails; the mail worker has no request to read it from.
SITE_URL = site_url(DATA_DIR)

INSTALLED_APPS = [
    "undersign.admin_config.OrganiserAdminConfig",  # django.contrib.admin with two-factor login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "undersign",
    "undersign.organisers",
    "undersign.statements",
    "undersign.signatures",
    "undersign.assemblies",
    "undersign.mailings",
    "undersign.public",
    "undersign.workspace",
    "undersign.room",
]

# Django's ModelBackend, the user of each request read with a prepared query.
AUTHENTICATION_BACKENDS = ["undersign.organisers.backends.OrganiserBackend"]
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:statements"
LOGOUT_REDIRECT_URL = "workspace:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "undersign.middleware.privacy_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A shared copy of a statement page is answered here, before sessions and the rest.
    "undersign.public.page_cache.SharedPages",
    # A signing post is attempted here too, and a recorded one answered (signing_lane.py).
    "undersign.public.signing_lane.SigningLane",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "undersign.public.languages.LanguageFromLink",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "undersign.middleware.session_idle_timeout",
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
                "undersign.public.languages.languages",
            ],
        },
    },
]


SQLITE = "undersign.sqlite"


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        db: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
        )
    else:
        db = {"ENGINE": SQLITE, "NAME": str(DATA_DIR / "undersign.sqlite3")}
    if db["ENGINE"] in (SQLITE, "django.db.backends.sqlite3"):
        # Django's backend, making the file readable by its owner only (undersign/sqlite).
        db["ENGINE"] = SQLITE
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN, so a transaction that reads before it writes cannot fail half-way with
        # "database is locked"; persistent connections avoid reopening the file per request.
        db["CONN_MAX_AGE"] = None
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete: erased rows (a withdrawal) are overwritten with zeros, not left
            # in free pages; the housekeeping round checkpoints the WAL, where they linger.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA secure_delete=ON;"
            ),
        }
    return db


DATABASES = {"default": _database()}


def _cache() -> dict[str, Any]:
    url = env_str("REDIS_URL")
    if url:
        # One cache for every app process: an invalidation in one is seen by all.
        return {
            "BACKEND": "undersign.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("UNDERSIGN_CACHE_PREFIX", "undersign"),
        }
    # Per process; what it holds expires after PUBLIC_CACHE_SECONDS, so processes agree soon.
    # Room for the rate-limit counters of a surge's many addresses (see undersign/cache.py):
    # two a signing, each lives a minute or an hour; an entry is a few hundred bytes.
    return {
        "BACKEND": "undersign.cache.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("UNDERSIGN_CACHE_ENTRIES", 50_000)},
    }


CACHES = {"default": _cache()}
# How long the statement page's list and counter may be served from the cache. Changes by
# confirm and withdraw clear it at once in this process (in every process with Redis).
PUBLIC_CACHE_SECONDS = env_int("UNDERSIGN_PUBLIC_CACHE_SECONDS", 10)
# The statement page is rendered once and shared (public/page_cache.py); after a confirmation
# the shared copy may show the old counter this long, so a surge re-renders it once a second.
PAGE_COUNTER_LAG_SECONDS = env_int("UNDERSIGN_PAGE_COUNTER_LAG_SECONDS", 1)
# Rows of the public counter per statement: confirmations add to a random one, so concurrent
# confirmations on PostgreSQL rarely wait for the same row lock.
SIGNATURE_COUNT_SHARDS = 16
# The worker re-queues a job that has been running longer than this (its worker died) and
# reconciles the counters with the real rows this often.
JOB_TIMEOUT_SECONDS = env_int("UNDERSIGN_JOB_TIMEOUT", 300)
HOUSEKEEPING_SECONDS = env_int("UNDERSIGN_HOUSEKEEPING_SECONDS", 300)
# A job that failed on a transient error (database, network, mail server) runs again after
# this many seconds, doubling each time, until it has run this many times.
JOB_RETRY_SECONDS = env_int("UNDERSIGN_JOB_RETRY_SECONDS", 15)
JOB_MAX_ATTEMPTS = env_int("UNDERSIGN_JOB_ATTEMPTS", 10)
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
# Dates as readers write them ("30 ноября 2026", "30. November 2026"), times with their zone.
FORMAT_MODULE_PATH = ["undersign.formats"]
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
if env_bool("UNDERSIGN_COLLECTED_STATIC"):
    # `undersign serve` collects them first: hashed names (cached for ever) and gzip/brotli.
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, their row read with a written-out query (organisers/sessions.py).
SESSION_ENGINE = "undersign.organisers.sessions"
# Organiser sessions end after 12 hours, and after 2 hours without a request.
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_IDLE_SECONDS = env_int("UNDERSIGN_SESSION_IDLE_SECONDS", 60 * 60 * 2)
# Every organiser may turn on two-factor login (TOTP); with this, every organiser must.
ORGANISERS_REQUIRE_2FA = env_bool("UNDERSIGN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "undersign"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "undersign.public.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with our own
# forms, which fails the CSRF origin check; same-origin still sends nothing to other sites.
SECURE_REFERRER_POLICY = "same-origin"

# Who runs this site: the imprint (/imprint) and the privacy notice (/privacy) name them.
# Address lines are separated by new lines (or a literal \n). The files hold Markdown; a
# `{lang}` in their path picks the reader's language (ru, uk, de, en).
PUBLISHER_NAME = env_str("UNDERSIGN_PUBLISHER_NAME").strip()
PUBLISHER_ADDRESS = env_str("UNDERSIGN_PUBLISHER_ADDRESS").replace("\\n", "\n").strip()
PUBLISHER_EMAIL = env_str("UNDERSIGN_PUBLISHER_EMAIL").strip()
# More for the imprint (register, responsible person, …), shown under the publisher.
IMPRINT_FILE = env_str("UNDERSIGN_IMPRINT_FILE")
# A privacy notice the operator wrote, instead of the one made from these settings.
PRIVACY_FILE = env_str("UNDERSIGN_PRIVACY_FILE")

# The versions of the two consent texts of the signing form, stored with each signature:
# to store and show the signature (required), and to be contacted by the organisers
# (optional; empty on the signature when not given). Change one when its text changes.
SIGNING_CONSENT_VERSION = "2026-12-1"
CONTACT_CONSENT_VERSION = "2026-12-1"
SIGNATURES_PER_PAGE = env_int("UNDERSIGN_SIGNATURES_PER_PAGE", 50)
MAIL_MAX_ATTEMPTS = env_int("UNDERSIGN_MAIL_MAX_ATTEMPTS", 8)
# Mailings (`undersign.mailings`): at most this many mails a second; a worker that sent none
# for this long is taken to be dead (the one mail it had in hand is counted "not known
# whether sent", never sent again); a sending job hands over to the next after this long.
MAILING_RATE = env_int("UNDERSIGN_MAILING_RATE", 10)
MAILING_LEASE_SECONDS = env_int("UNDERSIGN_MAILING_LEASE_SECONDS", 60)
MAILING_SLICE_SECONDS = env_int("UNDERSIGN_MAILING_SLICE_SECONDS", 10)

# Log lines never carry personal data: services log ids, never emails or names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Privacy and abuse (see CONTRIBUTING.md, "Privacy and security").
# A repeat signing attempt tells the owner of the address at most this many times a day,
# and never within this many minutes of the last mail to them.
SIGNING_NOTICES_PER_DAY = env_int("UNDERSIGN_SIGNING_NOTICES_PER_DAY", 3)
SIGNING_NOTICE_GAP_MINUTES = env_int("UNDERSIGN_SIGNING_NOTICE_GAP_MINUTES", 10)
# Unconfirmed signatures are deleted after this many days by `undersign purge`.
UNCONFIRMED_RETENTION_DAYS = env_int("UNDERSIGN_UNCONFIRMED_DAYS", 7)
# This many days before that, a signer who has not confirmed gets one reminder with the link
# (0: none). Until then the address stays in the transit box, encrypted under the transit key.
UNCONFIRMED_REMINDER_DAYS = env_int("UNDERSIGN_REMINDER_DAYS", 1)
# How often the worker runs the purge by itself.
# How many reverse proxies in front of us append to X-Forwarded-For; 0 = none, trust only
# the socket's address. The client is the address that many hops from the right.
TRUSTED_PROXIES = env_int("UNDERSIGN_TRUSTED_PROXIES", 0)
# Signing attempts per client address: (count, seconds). See undersign/abuse.py. Without
# a proof of work: 5 a minute and 30 an hour, more than one person ever needs.
SIGNING_BURST_LIMIT = (env_int("UNDERSIGN_SIGNING_BURST", 5), 60)
SIGNING_SUSTAINED_LIMIT = (env_int("UNDERSIGN_SIGNING_SUSTAINED", 30), 3600)
# With a solved proof of work, counted apart: a hall of a few hundred people behind one
# address signing after a session (a queue at the QR code: about one a second at most), or a
# busy Tor exit over an hour; a flood from one address still stops at 300 an hour.
SIGNING_PROVEN_LIMITS = [
    (env_int("UNDERSIGN_SIGNING_PROVEN_BURST", 60), 60),
    (env_int("UNDERSIGN_SIGNING_PROVEN", 300), 3600),
]
# With the room code of an open event window, per address and statement: a room of a
# thousand; the window lasts at most EVENT_MAX_HOURS, so even a leaked code has a bound.
SIGNING_EVENT_LIMITS = [
    (env_int("UNDERSIGN_SIGNING_EVENT_BURST", 120), 60),
    (env_int("UNDERSIGN_SIGNING_EVENT", 1000), 3600),
]
EVENT_MAX_HOURS = 24
LOGIN_LIMIT = (env_int("UNDERSIGN_LOGIN_ATTEMPTS", 10), 900)
# Proof of work (ALTCHA): how hard the puzzle is, and how long a challenge stays valid.
ALTCHA_COST = env_int("UNDERSIGN_ALTCHA_COST", 5000)
ALTCHA_EXPIRES_SECONDS = 600
# Keys of the keyed hashes in the cache and of the proof-of-work challenges, derived from
# the secret key so nothing more needs configuring.
RATE_LIMIT_KEY = f"rate-limit:{SECRET_KEY}"
ALTCHA_HMAC_KEY = f"altcha:{SECRET_KEY}"
# Production mode: HTTPS only, cookies only over HTTPS, and the checks in undersign/checks.py
# refuse to start with debug on, a weak secret key or open hosts.
PRODUCTION = env_bool("UNDERSIGN_PRODUCTION", False)
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("UNDERSIGN_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("UNDERSIGN_HSTS_SUBDOMAINS", True)
    # Preloading is a promise to browser vendors that is slow to undo: the operator opts in.
    SECURE_HSTS_PRELOAD = env_bool("UNDERSIGN_HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("UNDERSIGN_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    if TRUSTED_PROXIES:
        # The proxy ends TLS and says so; only trusted when a proxy is declared.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

COUNTRIES_FIRST = ["DE", "UA", "RU", "GE", "AM", "RS", "PL", "LT", "LV", "EE", "IL", "TR"]
COUNTRIES_FIRST_BREAK = "──────────"
