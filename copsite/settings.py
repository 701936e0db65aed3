"""Copsite settings: one file, read from the environment.

Layout of this file:
1. Environment and the production switch (DEBUG, SECRET_KEY, hosts).
2. Apps and middleware. The domain apps form layers, bottom to top:
   accounts -> notifications -> communities -> members -> events -> planning ->
   dashboards, digests. An app imports only the apps below it.
3. Database, cache and Celery: SQLite, an in-memory cache and inline tasks by default;
   PostgreSQL, Redis and a real worker once DATABASE_URL and REDIS_URL are set.
4. Accounts (django-allauth), email, internationalisation, static files.
5. Security: everything `manage.py check --deploy` asks for, on whenever DEBUG is off.

Every variable is listed with its default in README.md.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- 1. Environment -----------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)

MIN_SECRET_KEY_LENGTH = 50
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH):
    # Refuse to run a production process with a guessable key: sessions, password-reset
    # links and email confirmations would all be forgeable.
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- 2. Apps and middleware ---------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "django_countries",
    # Ours, bottom layer first.
    "accounts",
    "notifications",
    "communities",
    "members",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ViewerPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "copsite.urls"
WSGI_APPLICATION = "copsite.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Every form, allauth's included, renders with Bootstrap classes and errors at the field.
FORM_RENDERER = "copsite.forms.FormRenderer"

# --- 3. Database, cache, Celery -----------------------------------------------------------

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'copsite.sqlite3'}"),
}
# Persistent connections: opening a PostgreSQL connection per request cost ~13x throughput.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, except that a connection that served a request a moment ago skips
    # the health check's round trip (copsite/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "copsite.postgresql"
    # The planner's default random_page_cost (4) assumes spinning disks. On SSDs, or with
    # the working set in memory, 1.1 is the usual value; with 4 it read half the members
    # table sequentially for a directory search the GIN index answers in 2 ms.
    # Empty: leave it to the server (behind PgBouncer, which refuses startup options).
    _random_page_cost = env.str("PG_RANDOM_PAGE_COST", default="1.1")
    if _random_page_cost:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c random_page_cost={float(_random_page_cost)}"
        ).strip()
    # Parameters bound on the server, and a statement prepared once it has run this many
    # times on a connection: PostgreSQL then skips parsing and planning it. The statements
    # of every request (the person, the access check, an event, a registration) repeat
    # thousands of times; preparing them cut the database's CPU per registration by 43%
    # (bench/registration.py). Empty: client-side binding, nothing prepared (for PgBouncer
    # in transaction mode, unless 1.21+ with max_prepared_statements above 0).
    _prepare_threshold = env.str("PG_PREPARE_THRESHOLD", default="5")
    if _prepare_threshold:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["server_side_binding"] = True
        _options["prepare_threshold"] = int(_prepare_threshold)
    # Optional: a connection pool shared by a process's threads (for threaded servers with
    # more threads than the database should see connections). Pooling replaces persistent
    # connections, so CONN_MAX_AGE is set to 0 with it.
    _pool_size = env.int("DB_POOL_SIZE", default=0)
    if _pool_size:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": _pool_size,
            "timeout": 30,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "copsite.cache.RedisCache",  # Django's, one client per pool
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "copsite",
        }
    }
else:
    # In-process cache: enough for allauth's rate limits in a single development server.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The broker may be a Redis of its own (or another database number of the same one).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# The beat schedule. Later apps add their reminders and digests here.
CELERY_BEAT_SCHEDULE = {
    "notifications-drain-outbox": {
        "task": "notifications.tasks.drain_outbox",
        "schedule": 5.0,  # seconds: nudges after each commit usually come first
        # A worker that was down does not come back to a pile of identical drains.
        "options": {"expires": 5.0},
    },
    "notifications-requeue-pending": {
        "task": "notifications.tasks.requeue_pending_deliveries",
        "schedule": crontab(minute="*/5"),
    },
}

# --- 4. Accounts, email, languages, static files ------------------------------------------

# Django's and allauth's backends, reading the signed-in person with one plain statement.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions read from the cache (Redis in production) and fall back to the database: one
# query less on every signed-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "notifications.account_adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Signing up with an address that already has an account says so at the field. This
# reveals that the address is registered; for a community site, a clear message matters
# more than hiding who is a member. Rate limits below bound how fast anyone can probe.
ACCOUNT_PREVENT_ENUMERATION = False
# allauth's rate limits are on by default (login, failed logins, sign-up, password reset...):
# they count in the cache, which is Redis in production, shared by every web process.

# EMAIL_URL (smtp+tls://user:password@host:587; smtp+ssl:// for port 465) or the usual
# EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; with neither, emails print to the console.
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
elif env.str("EMAIL_HOST", default=""):
    _email = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": env.str("EMAIL_HOST"),
        "EMAIL_PORT": env.int("EMAIL_PORT", default=587),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
        "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
        "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=True),
        "EMAIL_USE_SSL": env.bool("EMAIL_USE_SSL", default=False),
    }
else:
    _email = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Copsite <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[Copsite] ")
# Where the site is reached from outside: links in emails start with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long an invitation link works.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
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
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# --- 5. Security --------------------------------------------------------------------------

# Behind a TLS-terminating proxy (the compose file's, or a load balancer) that sets this.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS is assumed in production. Set HTTPS=false only to try a production build over plain
# HTTP on your own machine; check --deploy will then warn, as it should.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

ADMINS = [("Copsite admin", address) for address in env.list("ADMIN_EMAILS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
