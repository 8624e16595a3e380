"""Production: hardening only. Refuses to start without real secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import AWS_STORAGE_BUCKET_NAME, DATABASES, SECRET_KEY, env

DEBUG = False


def _require(name: str, value: str, *, why: str) -> str:
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production ({why}).")
    return value


_require("DJANGO_SECRET_KEY", SECRET_KEY, why="sessions, tokens and signed URLs depend on it")
# A copied .env.example leaves its comment as the value: long enough, and public.
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("django-insecure", "#")) or " " in SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of at least 50 characters.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
_require("STRIPE_SECRET_KEY", env("STRIPE_SECRET_KEY", default=""), why="payments")
_require(
    "STRIPE_WEBHOOK_SECRET",
    env("STRIPE_WEBHOOK_SECRET", default=""),
    why="webhook signatures",
)
_require(
    "CELERY_BROKER_URL",
    env("CELERY_BROKER_URL", default=""),
    why="tasks must not run in web requests",
)
_require(
    "CACHE_URL",
    env("CACHE_URL", default=""),
    why="rate limits and caches shared between processes",
)

if AWS_STORAGE_BUCKET_NAME:
    # Sources, upload chunks and invoices must not sit in the public bucket, nor on one web host's
    # disk that the workers do not see.
    _require(
        "AWS_PRIVATE_STORAGE_BUCKET_NAME",
        AWS_PRIVATE_STORAGE_BUCKET_NAME,
        why="video sources and invoices need a private bucket beside the public media bucket",
    )
    if AWS_PRIVATE_STORAGE_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "AWS_PRIVATE_STORAGE_BUCKET_NAME must name another bucket than AWS_STORAGE_BUCKET_NAME (public)."
        )

DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Errors go to the log (and from there to whatever collects it); never to the browser.

# --- django-allauth headless: the app client's tokens are signed RS256 with this RSA key.
HEADLESS_JWT_PRIVATE_KEY = _require(
    "HEADLESS_JWT_PRIVATE_KEY",
    env.str("HEADLESS_JWT_PRIVATE_KEY", default="", multiline=True),
    why="the app client's access and refresh tokens are signed with it",
)
try:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if not isinstance(load_pem_private_key(HEADLESS_JWT_PRIVATE_KEY.encode(), password=None), RSAPrivateKey):
        raise ValueError("not an RSA key")
except (ValueError, TypeError) as error:
    raise ImproperlyConfigured(
        "HEADLESS_JWT_PRIVATE_KEY must be an unencrypted RSA private key in PEM format."
    ) from error
HEADLESS_JWT_ALGORITHM = "RS256"
