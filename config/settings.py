"""Settings for the energy customer portal platform.

Everything is read from environment variables; the defaults suit local development on a machine
with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. With ``DEBUG`` off, the secrets
below are mandatory and the start-up fails loudly if one is missing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


# Off unless asked for: a deployment that forgets DEBUG gets production's strict checks, not debug
# pages, open metrics and the demo. `make run`, `make test` and the benchmarks set DEBUG=1.
DEBUG = env_bool("DEBUG", False)
# The test suite (and servers it starts) run with cheap password hashing and their own Redis keys.
TESTING = env_bool("TESTING", "pytest" in sys.modules)

_DEV_SECRET = "insecure-development-secret-key-change-me"  # noqa: S105 - only used with DEBUG on
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be a unique value of at least 32 characters in production.")
# Rotation: the previous key(s), comma-separated, keep sessions and signed values valid meanwhile.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

# The platform-operator API lives on this host; every other host is an organisation's portal.
PLATFORM_DOMAIN = (env("PLATFORM_DOMAIN", "platform.localhost") or "").lower()
# Tenant hosts are validated against the Domain table, so Django's own host check lets all through.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")

# --- Applications -------------------------------------------------------------------------------
# Shared apps live in the public schema; tenant apps get their tables in every organisation's
# schema. docs/architecture.md explains each choice.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "operators",  # onboarding and the operator API (no tables)
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",  # also in TENANT_APPS: each schema has its own session table
    "django.contrib.staticfiles",
    "django.contrib.messages",
    "csp",
    "rest_framework",
    "dj_rest_auth",
    "drf_spectacular",
    "django_filters",
    "credentials",  # also in TENANT_APPS: tokens exist only in the schema that issued them
    "communications",  # also in TENANT_APPS: each schema has its own outbox
    "health",
    "observability",
    "staff_console",  # the browser console for staff and operators, on every host (no models)
]
# The demo (seed_demo, published passwords) exists only in development, never on a real platform.
if DEBUG:
    SHARED_APPS.append("demo")

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "credentials",
    "communications",
    "memberships",
    "activity",
    "configuration",
    "customers",
    "contracts",
    "invoicing",
    "documents",
    "integration",
    "moves",
    "support",
    "consumption",
    "notifications",
    "portal_api",
    "portal_web",
    "personal_data",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Organisation"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New organisations are cloned from this migrated schema instead of running every migration.
TENANT_TEMPLATE_SCHEMA = env("TENANT_TEMPLATE_SCHEMA", "tenant_template")
TENANT_MULTIPROCESSING_MAX_PROCESSES = env_int("TENANT_MIGRATION_PROCESSES", 4)
TENANT_MULTIPROCESSING_CHUNKS = 2
# `SET search_path` once per connection and schema switch, not before every query: django-tenants
# forgets the path on every set_tenant/set_schema, rollback and close, and the only raw `SET
# search_path` (tenants.snapshot) tells it so. Halves a resident request's statements (issue 20).
TENANT_LIMIT_SET_CALLS = True
# Schemas cloned ahead of time so that onboarding is a rename (tenants.provisioning).
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 0 if TESTING else 2)

MIDDLEWARE = [
    "observability.middleware.RequestIdMiddleware",
    "observability.middleware.MetricsEndpointMiddleware",
    "health.middleware.HealthCheckMiddleware",
    "tenants.middleware.OrganisationMiddleware",
    "observability.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "staff_console.assets.ConsoleWhiteNoiseMiddleware",  # WhiteNoise, plus the console's /staff/assets/
    "csp.middleware.CSPMiddleware",
    # Refuses what cannot be read safely (invalid characters, deep JSON, oversized bodies) before
    # sessions, CSRF, authentication, throttles and views; after routing for branded pages.
    "core.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.locale.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session ends with the access token its login issued; notes the token's use (throttled).
    "memberships.middleware.SessionTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_platform"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "portal_web.context.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/energy_portal")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# django-tenants' backend plus write tracking for the data versions (tenants.data_versions).
DATABASES["default"]["ENGINE"] = "tenants.postgresql_backend"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", None)}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# A test run keeps its cache keys and Celery queue apart from a development server on the same Redis.
_RUN_ID = f"test{os.getpid()}" if TESTING else "portal"
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", _RUN_ID)
# Resident GETs answered from the cache under data-versioned keys (portal_api.read_cache,
# tenants.data_versions); the expiry only bounds what writes made outside Django could leave stale.
RESIDENT_READ_CACHE = env_bool("RESIDENT_READ_CACHE", True)
RESIDENT_READ_CACHE_SECONDS = env_int("RESIDENT_READ_CACHE_SECONDS", 600)
# Each process also keeps copies of what it read under such keys, up to this many bytes (0: none).
VERSIONED_LOCAL_BYTES = env_int("VERSIONED_LOCAL_BYTES", 4_000_000)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # A Redis outage degrades caching and throttling; it never fails a request.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", _RUN_ID)
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "communications.tasks.sweep_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "spare-schemas": {
        "task": "tenants.tasks.replenish_spare_schemas",
        "schedule": 600,
    },
    "account-request-sweep": {
        "task": "memberships.tasks.sweep_account_requests",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    # Scheduled move-outs and future move-in readings are completed once their day has passed.
    "moves-complete-due": {"task": "moves.tasks.complete_due_moves", "schedule": 3600},
    "moves-purge-drafts": {"task": "moves.tasks.purge_abandoned_drafts", "schedule": 86400},
    # Close impersonations that ran out (and log it); drop handled account requests after retention.
    "impersonation-expiry": {
        "task": "memberships.tasks.close_expired_impersonations",
        "schedule": 60,
    },
    "account-request-purge": {
        "task": "memberships.tasks.purge_account_requests",
        "schedule": 3600,
    },
    # Residents' data archives past their time (or downloaded) lose their file.
    "data-export-expiry": {"task": "personal_data.tasks.expire_data_exports", "schedule": 3600},
    # Account deletion requests whose confirmation link ran out: expired, their address forgotten.
    "account-deletion-expiry": {"task": "personal_data.tasks.expire_account_deletions", "schedule": 3600},
    # New invoices, settlements and refunds, payment reminders and overdue notices (idempotent).
    "notifications-daily": {"task": "notifications.tasks.send_daily_notifications", "schedule": 86400},
}
# Beat touches CELERY_LIVENESS_FILE on every tick (its liveness probe), at least this often.
CELERY_BEAT_SCHEDULER = "observability.celery_liveness:LivenessScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_INTERVAL", 30)

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@platform.localhost")

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Fast hashing keeps the suite quick; production keeps Django's default PBKDF2 parameters.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Lifetimes of single-use tokens sent by email (docs/architecture.md lists them).
TOKEN_LIFETIMES = {
    "invitation": env_int("TOKEN_LIFETIME_INVITATION_HOURS", 7 * 24) * 3600,
    "confirmation": env_int("TOKEN_LIFETIME_CONFIRMATION_HOURS", 48) * 3600,
    "password_reset": env_int("TOKEN_LIFETIME_PASSWORD_RESET_MINUTES", 60) * 60,
    "email_change": env_int("TOKEN_LIFETIME_EMAIL_CHANGE_HOURS", 24) * 3600,
    "move_in_resume": env_int("TOKEN_LIFETIME_MOVE_IN_RESUME_DAYS", 30) * 86400,
    "account_deletion": env_int("TOKEN_LIFETIME_ACCOUNT_DELETION_HOURS", 48) * 3600,
}
# A move-in draft's key (it opens the applicant's personal and bank details) works this long after
# it was issued or last used; abandoned drafts and their photos are purged after the retention,
# which must outlive the resume link above (docs/architecture.md, Tokens).
# How long a resident's data archive ("Download my data") can be downloaded, once, after it is ready.
DATA_EXPORT_DAYS = env_int("DATA_EXPORT_DAYS", 7)
MOVE_IN_DRAFT_KEY_DAYS = env_int("MOVE_IN_DRAFT_KEY_DAYS", 7)
MOVE_IN_DRAFT_RETENTION_DAYS = env_int("MOVE_IN_DRAFT_RETENTION_DAYS", 60)
ACCESS_TOKEN_LIFETIME_SECONDS = env_int("ACCESS_TOKEN_LIFETIME_HOURS", 12) * 3600
IMPERSONATION_MINUTES = env_int("IMPERSONATION_MINUTES", 30)
# How many reverse proxies in front of the app append to X-Forwarded-For (e.g. 1 for the ingress).
# Throttles and the activity log trust exactly that many hops; 0 ignores the client-sent header.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# The scheme the client used, as the trusted proxy forwards it (links, secure cookies, redirects);
# without proxies the header is the client's own word and is ignored, in development as in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES > 0 else None

# Request bodies (core.input_guard, core.parsers): JSON and form fields up to this size (Django's
# own setting, also applied to JSON); a request with files up to MAX_UPLOAD_REQUEST_SIZE (the largest
# upload is 10 MB); the bulk import endpoints declare their own (max_body_bytes). JSON nests at most
# JSON_MAX_DEPTH levels, far deeper than any body the API documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
MAX_UPLOAD_REQUEST_SIZE = env_int("MAX_UPLOAD_REQUEST_SIZE", 12 * 1024 * 1024)
JSON_MAX_DEPTH = 32

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "memberships.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One media type per request body, summaries and descriptions from docstrings (docs/api.md).
    "DEFAULT_SCHEMA_CLASS": "config.openapi_schema.PortalAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: the one place that chooses how API bodies are read. Views that take a file add
    # multipart/form-data to these (core.api_uploads.TakesUploads); the pages are Django forms.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "auth_ip": env("THROTTLE_AUTH_IP", "30/min"),
        "auth_account": env("THROTTLE_AUTH_ACCOUNT", "10/min"),
        # Failed logins, over the whole platform (credentials.login_throttle): per address, per IP.
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", "10/min"),
        "login_ip": env("THROTTLE_LOGIN_IP", "30/min"),
        # Own counters (per organisation and IP) so that moving in or asking for help cannot lock
        # a person out of logging in: the move-in wizard, its address search (as you type),
        # help requests and email-address changes.
        "move_in": env("THROTTLE_MOVE_IN", "120/min"),
        "location_search": env("THROTTLE_LOCATION_SEARCH", "60/min"),
        "tickets": env("THROTTLE_TICKETS", "20/hour"),
        "email_change": env("THROTTLE_EMAIL_CHANGE", "10/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own throttles count the same hops as core.client_ip.
    "NUM_PROXIES": TRUSTED_PROXIES,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

# dj-rest-auth's LoginView and UserDetailsView (memberships/api/login_views.py) with our serializers,
# which call memberships.services.login; the other auth views are ours (docs/architecture.md, "What
# the stack gives"). Tokens are credentials.AccessToken (schema-bound, hashed, expiring), issued by
# log_in; log_in also starts the session, only for a browser's login that passed the CSRF check.
REST_AUTH = {
    "LOGIN_SERIALIZER": "memberships.api.login_serializers.LoginSerializer",
    "TOKEN_MODEL": "credentials.models.AccessToken",
    "TOKEN_CREATOR": "memberships.api.login_serializers.issued_login",
    "TOKEN_SERIALIZER": "memberships.api.login_serializers.TokenResponseSerializer",
    "USER_DETAILS_SERIALIZER": "memberships.api.login_serializers.IdentitySerializer",
    "SESSION_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Energy customer portal API",
    "DESCRIPTION": "Each host serves its own document: the platform domain the operator API, "
    "an organisation's portal domain its resident, staff and integration APIs. Before any operation, "
    "the host itself may be refused, with the same error shape: 404 `unknown_host` (no portal on this "
    "address), 400 `invalid_host`, 403 `organisation_suspended`, 503 `portal_inactive` (residents' "
    "operations while the organisation's portal is switched off). Authenticate with "
    "`Authorization: Token <key>` from `POST /api/auth/login/` on the same host; a key works on no other.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "config.openapi.LANGUAGE_CHOICES",
        "CustomerKindEnum": "customers.models.Customer.Kind",
        "AddressKindEnum": "customers.models.CustomerAddress.Kind",
        "InvoiceKindEnum": "invoicing.models.Invoice.Kind",
        "NotificationKindEnum": "notifications.kinds.KIND_CHOICES",
        "UsageComparisonEnum": "notifications.kinds.COMPARISON_CHOICES",
        "PaymentStatusEnum": "invoicing.models.Invoice.PaymentStatus",
        "TransactionKindEnum": "invoicing.models.Transaction.Kind",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "DocumentCategoryEnum": "documents.models.Document.Category",
        "StaffRoleEnum": "memberships.models.StaffMembership.Role",
        "PeopleRoleEnum": "staff_api.memberships.admin_serializers.PEOPLE_ROLES",
        "StaffStatusEnum": "memberships.models.StaffMembership.Status",
        "OrganisationStatusEnum": "tenants.models.Organisation.Status",
        "PortalStatusEnum": "tenants.models.Organisation.PortalStatus",
        "SchemaMoveStatusEnum": "tenants.models.SchemaMove.Status",
        "PageMessageKindEnum": "configuration.models.PageMessage.Kind",
        "TicketKindEnum": "support.models.Ticket.Kind",
        "TicketStatusEnum": "support.models.Ticket.Status",
        "MoveRequestStatusEnum": "moves.models.RequestStatus",
        "MoveInRequestStatusEnum": "moves.models.MOVE_IN_STATUSES",
        "SubmittedReadingStatusEnum": "consumption.models.SubmittedReading.Status",
        "ServiceEnum": "contracts.energy_services.SERVICE_CHOICES",
        "BillingPreferenceEnum": "customers.models.Customer.BillingPreference",
        "TicketAuthorEnum": "support.models.TicketMessage.Author",
        "LocationConnectionStatusEnum": "contracts.models.Location.ConnectionStatus",
        "BuildingTypeEnum": "contracts.models.Location.BuildingType",
        "ServiceCodeEnum": "config.openapi.SERVICE_CODES",
        "AccountDeletionStatusEnum": "personal_data.models.DeletionRequest.Status",
    },
    # The error answers (400/401/403/404/409/410/413/415/429) of each operation, derived from its
    # view; then what strict tools and client generators need (config/openapi_contract.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi_contract.strict_nullable",
        "config.openapi.document_errors",
        "config.openapi_contract.defaults_beside_alternatives",
        "config.openapi_contract.declare_tags",
        "config.openapi_contract.served_here",
        "config.openapi_contract.drop_unused_components",
        "config.openapi_contract.check_operation_texts",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as dd/mm/yyyy in every language (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# The staff console's Vite build (staff_console/dist, made by `make run`/`make test`/the image).
STAFF_CONSOLE_DIST = Path(env("STAFF_CONSOLE_DIST", str(BASE_DIR / "staff_console" / "dist")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads of each organisation under MEDIA_ROOT/<schema>/ and served from /media/<schema>/ (the
# default MULTITENANT_RELATIVE_MEDIA_ROOT): stored names carry no schema (core/storage.py).
STORAGES = {
    "default": {"BACKEND": "core.storage.OrganisationFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Cookies are host-only (no Domain attribute): each organisation's domain has its own, and the
# sessions behind them live in that organisation's schema.
CSRF_FAILURE_VIEW = "core.web_errors.csrf_failure"
# The portal pages load nothing from elsewhere and run no inline script. Inline style attributes
# are allowed only for the text colours of staff messages, which the sanitiser limits to colours.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],  # Swagger UI loads its scripts from a CDN
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The nonce appears only on pages that use it: the staff console's style tags (emotion).
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
WHITENOISE_MAX_AGE = 3600 if DEBUG else 31536000
# Hashed, compressed static files (collected when the image is built) in production.
if env_bool("STATIC_MANIFEST", not DEBUG):
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # "__Host-" cookies are refused by browsers unless Secure, host-only and for the whole site.
    SESSION_COOKIE_NAME = "__Host-session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = False
    # Health probes come over plain HTTP from the kubelet.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if EMAIL_HOST in ("127.0.0.1", "localhost") and not env_bool("ALLOW_LOCAL_SMTP", False):
        raise ImproperlyConfigured("EMAIL_HOST must point to a real SMTP relay in production.")
    if env("DATABASE_URL") is None:
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off.")

# Where portal links in emails point: the organisation's primary domain with this scheme and port.
PORTAL_URL_SCHEME = env("PORTAL_URL_SCHEME", "http" if DEBUG else "https")
PORTAL_URL_PORT = env("PORTAL_URL_PORT", "8000" if DEBUG else "")

# --- Logs, metrics, error reporting ------------------------------------------------------------
# JSON lines in production (one object per line, with the organisation's schema and the request
# id); readable lines in development. docs/operations.md lists the fields.
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "observability.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(schema)s %(request_id)s] %(message)s"},
        "json": {
            "()": "observability.logs.PortalJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(schema)s %(request_id)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_redis": {"level": "ERROR" if TESTING else "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # One line per request comes from observability.middleware; Django's own would repeat it.
        "django.server": {"level": "WARNING"},
        "portal.request": {"level": env("REQUEST_LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    },
}
# Celery keeps this logging configuration instead of installing its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>" (open only with DEBUG
# when no token is set); Celery workers serve theirs on CELERY_METRICS_PORT.
METRICS_TOKEN = env("METRICS_TOKEN", "")

SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from observability.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
        release=env("RELEASE", None),
    )
