"""Settings for ``python -m bench``: the local settings on the benchmark's own database.

DEBUG is off so Django keeps no query log and serves as it would in production; the test client's
host is allowed. The database is ``BENCH_DATABASE_URL`` or a SQLite file beside this module, never
the demo's ``db.sqlite3``.
"""

import warnings
from pathlib import Path

from config.settings.local import *  # noqa: F403
from config.settings.local import LOGGING, REST_FRAMEWORK, STORAGES, database_config, env

BENCH_SQLITE_PATH = Path(__file__).resolve().parent / ".bench.sqlite3"

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": database_config(env("BENCH_DATABASE_URL", default=f"sqlite:///{BENCH_SQLITE_PATH}"))}
# Seeding writes thumbnails and their renditions; they belong to the benchmark, not the demo.
MEDIA_ROOT = Path(__file__).resolve().parent / ".media"
# The sources the media benchmark uploads, likewise (the private storage, outside MEDIA_ROOT).
PRIVATE_MEDIA_ROOT = Path(__file__).resolve().parent / ".private-media"
if STORAGES["private"]["BACKEND"] == "core.storage.PrivateFileSystemStorage":
    STORAGES = {**STORAGES, "private": {**STORAGES["private"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}

# The throttles still run (their cache round trip is part of the cost), but a long run from one
# address must not be answered 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "user": "1000000/minute"},
}

# Seeding logs every page it publishes; only warnings are worth a line here.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}
# Whitenoise looks for collected static files, which a benchmark of JSON endpoints never serves.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
