"""The demo and local development: DEBUG on, a fixed development secret."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-phialo-local-development-only")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
