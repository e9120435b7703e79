"""Settings, read from the environment with safe local defaults (12-factor)."""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# DJANGO_ENV=production switches every default below to the safe one; each can
# still be set on its own. Development (the default) runs on a laptop as is.
ENVIRONMENT = os.environ.get("DJANGO_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = _env_bool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# A development key is fine on a laptop; a server without DEBUG must bring its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use 32 or more random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'.")

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names in production.")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Behind HTTPS (the production default): cookies only travel encrypted and
# browsers are told to stay on HTTPS. The TLS-terminating proxy must set
# X-Forwarded-Proto. DJANGO_HTTPS=0 serves plain HTTP, e.g. on loopback.
HTTPS = _env_bool("DJANGO_HTTPS", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 86400)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request bodies: a rating is a few bytes and no form has a file field.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "re_sys",
]

# One backend for every sign-in door: canonical usernames and the lock (re_sys/auth_backends.py).
AUTHENTICATION_BACKENDS = ["re_sys.auth_backends.ThrottledModelBackend"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "re_sys.middleware.SignInLockStatus",
    "re_sys.middleware.PersonalAnswersPrivate",
]

# The site has no inline script and loads nothing from another origin; a strict
# policy costs nothing and stops an injected script from running.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "object-src": ["'none'"], "base-uri": ["'self'"],
    "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}}
# No page needs any of these powerful features.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "usb")}

if not DEBUG:
    # Static files straight from the WSGI server, compressed and cache-busted
    # (after `collectstatic`), in production and in the local run alike
    # (scripts/serve.sh); runserver serves them itself with DEBUG on.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "dl_re_web.urls"

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
                "django.template.context_processors.i18n",
                "re_sys.context_processors.served_model",
                "re_sys.context_processors.demo",
                "re_sys.context_processors.dataset",
            ],
        },
    },
]

WSGI_APPLICATION = "dl_re_web.wsgi.application"
ASGI_APPLICATION = "dl_re_web.asgi.application"

DATA_DIR = Path(os.environ.get("RE_SYS_DATA_DIR", BASE_DIR / "data"))
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")))}
except ValueError as exc:  # dj_database_url's UnknownSchemeError is a ValueError
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL ({exc}); use e.g. postgres://USER:PASSWORD@HOST:5432/NAME "
        "or sqlite:////absolute/path.sqlite3.") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while an import or a rating writes; the busy
    # timeout makes a writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        # Well under gunicorn's 30 s timeout, with the retries of services/ratings.py
        # bounded too: a request that cannot write answers 503 while its client still waits.
        "timeout": 5,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The default cache holds the insights page's aggregates. gunicorn's workers are
# separate processes, so production shares a folder between them (computed
# once, not per worker); development keeps them in memory. Sign-in counts live
# in the database (services/signin.py), where a row lock makes them exact.
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.environ.get("RE_SYS_CACHE_DIR", str(DATA_DIR / "cache")),
} if PRODUCTION else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-process memory for API answers that depend only on the served run (re_sys/api.py).
CACHES["answers"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                     "LOCATION": "answers", "OPTIONS": {"MAX_ENTRIES": 20000}}
# API rate limits (django-ratelimit), counted in each worker's memory: locking
# increments are atomic there and cost no I/O per request. With N gunicorn
# workers a client gets at most N times the rate; there is no shared memcached
# or Redis to count in one place, hence the silenced check.
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
RATELIMIT_USE_CACHE = "ratelimit"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RE_SYS_API_RATE = os.environ.get("RE_SYS_API_RATE", "300/m")  # per client address
# The reverse proxies in front of the site (addresses or networks): X-Forwarded-For
# is believed only from these, and the client is the first address left of them
# (re_sys/services/clients.py). Loopback by default, where nginx or Caddy usually runs.
RE_SYS_TRUSTED_PROXIES = _env_list("RE_SYS_TRUSTED_PROXIES", "127.0.0.1,::1")
RE_SYS_API_TOKEN_RATE = os.environ.get("RE_SYS_API_TOKEN_RATE", "600/m")  # per member's token

CSRF_FAILURE_VIEW = "re_sys.api.csrf_failure"
# Messages live in the session, not a cookie: one of them shows a new API token once.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The seeds' users read Chinese: the interface is in both. MovieLens titles
# stay as they are; Douban's Chinese title is shown beside them when known.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names need `collectstatic`; development serves the files as they are.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Outside production a missing manifest entry (no `collectstatic` yet, DJANGO_DEBUG=0 with
# runserver) falls back to the plain name instead of failing every page.
WHITENOISE_MANIFEST_STRICT = PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "re_sys:for_you"
LOGOUT_REDIRECT_URL = "re_sys:home"

# Where trained runs live: model/runs/<id>/ and the model/current pointer.
# Demo mode lets anyone browse as any MovieLens user (profile and recommendations),
# as the original demos' log-in-by-id did. On for a local run, off in production.
RE_SYS_DEMO = _env_bool("RE_SYS_DEMO", not PRODUCTION)

RE_SYS_MODEL_DIR = Path(os.environ.get("RE_SYS_MODEL_DIR", BASE_DIR / "model"))

# "Viewers also liked" lists only movies at least this many of the movie's fans loved:
# with fewer in common the list would be one or two people's favourites (a member's
# likes, for anyone to read).
RE_SYS_ALSO_LIKED_MIN_FANS = int(os.environ.get("RE_SYS_ALSO_LIKED_MIN_FANS", "3"))

# Where fetch_movielens downloads from; tests and mirrors point it elsewhere.
MOVIELENS_BASE_URL = os.environ.get(
    "MOVIELENS_BASE_URL", "https://files.grouplens.org/datasets/movielens/"
)

# The Douban scraper (fetch_posters). Both hosts can be pointed at a mirror or
# a test server; an empty image base keeps the image URLs the pages give.
DOUBAN_BASE_URL = os.environ.get("DOUBAN_BASE_URL", "https://movie.douban.com")
DOUBAN_IMG_BASE_URL = os.environ.get("DOUBAN_IMG_BASE_URL", "")
# Seconds between two requests: Douban blocks anything much faster.
DOUBAN_DELAY = float(os.environ.get("DOUBAN_DELAY", "3"))

# One line per event; in production one JSON object per line, for log shippers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "dl_re_web.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": os.environ.get("DJANGO_LOG_FORMAT",
                                                         "json" if PRODUCTION else "plain")}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # py4j (Spark's bridge, `train --algo spark-als`) logs every connection at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "py4j": {"level": "WARNING"}},
}
