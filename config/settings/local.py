"""The demo and local development: DEBUG on, and a secret key of this install's own.

The key comes from ``DJANGO_SECRET_KEY`` (environment or ``.env``); when there is none, a
random one is written to ``.env`` on the first start and kept (config/secret_key.py). Never a
constant: with a key everyone knows, anyone forges the demo's tokens.
"""

from config.secret_key import secret_key_for_development

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = secret_key_for_development(BASE_DIR / ".env")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
