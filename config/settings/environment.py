"""The environment: where the settings read it from, the project's addresses, the database and cache."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only local/test settings get a working default; production.py refuses to start without one.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
SITE_ID = 1
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now; silences a warning from dj-stripe
# How many proxies of ours sit in front of this back end (1 behind the TLS proxy). Each appends
# the address it saw to X-Forwarded-For; everything left of those hops was written by the client.
# 0 trusts no header. One value for DRF's throttles, allauth's limits and core.http.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The public base URL of this back end (links in e-mails, Stripe return URLs, admin links).
BACKEND_URL = env("BACKEND_URL", default="http://localhost:8000").rstrip("/")
# The Astro site; e-mails and Stripe send shoppers back there.
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:4321").rstrip("/")


def database_config(url: str) -> dict:
    """A DATABASES entry from a URL, with the options every environment wants."""
    config = environ.Env.db_url_config(url)
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the demo server read while a Celery-eager write is running; a busy timeout
        # turns "database is locked" into a short wait. IMMEDIATE transactions take the write
        # lock at BEGIN, so a check-then-insert (a booking hold) is serialised with every other
        # writer: SQLite's stand-in for PostgreSQL's exclusion constraint.
        config.setdefault("OPTIONS", {}).update(
            {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
        )
    return config


DATABASES = {"default": database_config(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://phialo")}
