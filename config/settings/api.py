"""The REST API and its OpenAPI document, CORS, health checks and logging."""

from config.settings.environment import FRONTEND_URL, TRUSTED_PROXY_COUNT, env

# ------------------------------------------------------------------------------
# REST framework, OpenAPI, CORS
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    # Anonymous throttles key on the client's address: never on hops the client wrote itself.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="600/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Phialo Portal API",
    "DESCRIPTION": "The headless API the Astro site talks to. Errors always have the shape "
    '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/(v1|shop)",
    # Our API and oscar-api's basket; not Wagtail's admin-internal endpoints.
    "PREPROCESSING_HOOKS": ["config.api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.without_database_ranges",
    ],
    # Swagger UI from our own static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Its deploy check turns oscar-api's schema hints into warnings we cannot fix there; the
    # schema's validity is a test instead (tests/config/test_schema.py).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[FRONTEND_URL])
CORS_ALLOW_CREDENTIALS = True
# Local media too, where players fetch segments and captions cross-origin (hls.js uses XHR); on
# S3/R2 the bucket's or CDN's own CORS rules do this.
CORS_URLS_REGEX = r"^/(api|_allauth|media/hls|media/captions)/.*$"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-csrftoken",
    "x-session-token",
)

# ------------------------------------------------------------------------------
# Health
# ------------------------------------------------------------------------------
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=3.0)

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
# Every handler redacts tokens, codes and keys from what it writes (core/logs.py); Django's own
# loggers get no handlers of their own (its defaults have no filter) and write through root's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.logs.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "health_check": {"level": "ERROR"},
        "oscar.alerts": {"level": "WARNING"},
        # Wagtail runs its search-index and reference-index updates as tasks and logs each twice.
        "django_tasks": {"level": "WARNING"},
    },
}
# The worker logs through LOGGING too, so its lines are redacted like the web's.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
