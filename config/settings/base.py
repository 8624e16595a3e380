"""Settings shared by every environment.

Every value is read from the environment (django-environ) with the embedded default that
needs nothing installed: SQLite, eager Celery, local-memory cache, console e-mail, local media.
``production.py`` only hardens; ``test.py`` only speeds up. ``.env.example`` lists every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from oscar.defaults import *  # noqa: F403  (Oscar's settings, overridden below where needed)

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

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
]
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    # Only wagtail_localize.locales, never wagtail.locales as well (duplicate label).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail_headless_preview",
    "modelcluster",
    "taggit",
]
# Oscar's own list minus the Django apps already above; forks replace their entry here.
OSCAR_FORKS = {"oscar.apps.partner.apps.PartnerConfig": "shop.partner.apps.PartnerConfig"}
OSCAR_APPS = [
    OSCAR_FORKS.get(app, app) for app in __import__("oscar").INSTALLED_APPS if app not in DJANGO_APPS
]
THIRD_PARTY_APPS = [
    "oscarapi",
    "djstripe",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.apple",
    "allauth.socialaccount.providers.github",
    "allauth.headless",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "sorl.thumbnail",
]
LOCAL_APPS = [
    "config",
    "accounts",
    "cms",
    "shop",
    "booking",
    "media_pipeline",
    "backoffice",
    "demo",
    # Last: its ready() puts the log redaction on handlers other apps added (core/logs.py).
    "core",
]
INSTALLED_APPS = DJANGO_APPS + WAGTAIL_APPS + OSCAR_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Outermost of our own: sees every response under /api/, including other middleware's errors.
    "core.errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A staff session reaches nothing but the code page until its second factor
    # (accounts/staff_2fa.py); after AccountMiddleware, which allauth's code relies on.
    "accounts.staff_2fa.StaffTwoFactorMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

# One backend: allauth's (e-mail and password, which allauth's code and social logins also sign in
# through), refusing every password but those of people who may reach an admin.
AUTHENTICATION_BACKENDS = ["accounts.backends.PasswordForStaffOnlyBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign in once, through Wagtail's login, and reach all three admins from there.
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "/admin/"

# ------------------------------------------------------------------------------
# Languages and time: German first, English second
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Static and media files
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# The largest video source the admin accepts (media_pipeline.uploads); 20 GiB by default.
MEDIA_UPLOAD_MAX_BYTES = env.int("MEDIA_UPLOAD_MAX_BYTES", default=20 * 1024**3)
# What must never have a public URL (video sources, upload chunks, invoices: core.storage)
# lives here, outside MEDIA_ROOT, served by no URL; with a bucket, in AWS_PRIVATE_STORAGE_BUCKET_NAME.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured("DJANGO_PRIVATE_MEDIA_ROOT must not be inside DJANGO_MEDIA_ROOT (public).")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage (Cloudflare R2, S3, MinIO) for media.
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)  # the CDN host
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = False
    AWS_S3_FILE_OVERWRITE = False
    # django-storages' S3 storage; HLS outputs get immutable cache headers (media_pipeline.s3).
    STORAGES["default"] = {"BACKEND": "media_pipeline.s3.MediaS3Storage"}
    # A bucket of its own, never public: the public bucket's policy or CDN would serve any prefix
    # of it. Unset, the private files stay on this disk (production refuses that with a bucket).
    AWS_PRIVATE_STORAGE_BUCKET_NAME = env("AWS_PRIVATE_STORAGE_BUCKET_NAME", default="")
    # How long a signed URL to a private object (staff's download) lives, in seconds.
    AWS_PRIVATE_QUERYSTRING_EXPIRE = env.int("AWS_PRIVATE_QUERYSTRING_EXPIRE", default=300)
    if AWS_PRIVATE_STORAGE_BUCKET_NAME:
        STORAGES["private"] = {
            "BACKEND": "core.s3.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": AWS_PRIVATE_STORAGE_BUCKET_NAME,
                "querystring_expire": AWS_PRIVATE_QUERYSTRING_EXPIRE,
            },
        }

# ------------------------------------------------------------------------------
# Media pipeline (media_pipeline/): uploads become an encrypted HLS ladder
# ------------------------------------------------------------------------------
# Unset: the system's ffmpeg/ffprobe on the PATH, else the imageio-ffmpeg wheel's ffmpeg and PyAV.
MEDIA_FFMPEG = env("MEDIA_FFMPEG", default="")
MEDIA_FFPROBE = env("MEDIA_FFPROBE", default="")
# x264's speed/size trade-off: veryfast keeps a 2-core worker near real time for a 4-rung ladder.
MEDIA_X264_PRESET = env("MEDIA_X264_PRESET", default="veryfast")
# The free preview: the first N seconds, unencrypted, playable without a login (0: none).
MEDIA_PREVIEW_SECONDS = env.int("MEDIA_PREVIEW_SECONDS", default=30)
# The master playlist lists first the largest rung whose first segment is at most this big.
MEDIA_START_SEGMENT_MAX_BYTES = env.int("MEDIA_START_SEGMENT_MAX_BYTES", default=1_100_000)
# A run that reported no progress for this long is taken to be dead (its worker crashed), and
# beat queues it again, as it does assets that were uploaded or queued that long ago.
MEDIA_PROCESSING_STALLED_AFTER_SECONDS = env.int("MEDIA_PROCESSING_STALLED_AFTER_SECONDS", default=10 * 60)
# Delete a video's source (private storage) once a run has published its HLS output. Off: staff
# can run the pipeline again from the source (a new ladder, a fixed bug); on: less to keep safe.
MEDIA_DELETE_SOURCES_AFTER_PROCESSING = env.bool("MEDIA_DELETE_SOURCES_AFTER_PROCESSING", default=False)
# Seals content keys in the database (media_pipeline.keys); unset, SECRET_KEY. Set it on its own
# in production: changing it (or SECRET_KEY while unset) makes every video unplayable until the
# old value is listed in MEDIA_KEY_SECRET_FALLBACKS.
MEDIA_KEY_SECRET = env("MEDIA_KEY_SECRET", default="")
MEDIA_KEY_SECRET_FALLBACKS = env.list("MEDIA_KEY_SECRET_FALLBACKS", default=[])
# Playback (media_pipeline.playback): how long the signed playlist and key URLs live. The key
# endpoint asks access again anyway; the Astro site starts playback again when they lapse.
MEDIA_PLAYBACK_TTL_SECONDS = env.int("MEDIA_PLAYBACK_TTL_SECONDS", default=2 * 3600)
# What would unlock a video, for a 401/403 (``(video_key, *, locale) -> [offer]``): the shop
# answers (the catalogue's items holding it, and the subscription when it includes the video),
# found by this path as the access function is; the pipeline imports neither.
MEDIA_OFFERS_FUNCTION = "shop.access.selectors.video_offers"

# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Phialo <hallo@phialo.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process so the demo needs nothing installed.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest task (a full transcode) must finish before Redis hands its message to another
# worker: the visibility timeout stays above the hard time limit.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3 * 60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {}
# Media assets whose processing died with its worker, or was never queued, are queued again.
CELERY_BEAT_SCHEDULE["media-assets-requeue-stalled"] = {
    "task": "media_pipeline.tasks.assets_requeue_stalled",
    "schedule": 5 * 60.0,
}

# ------------------------------------------------------------------------------
# Wagtail and wagtail-localize
# ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Phialo"
WAGTAILADMIN_BASE_URL = BACKEND_URL
WAGTAIL_I18N_ENABLED = True
# The admin calls no third party: no Gravatar (it would send staff's address hashes abroad) and
# no check for new Wagtail releases; upgrades are the deployer's decision.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL full-text search with German stemming ("Fassungen" finds "Fassung"). One index
    # serves both languages, so English text is stemmed the German way too.
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "german"
WAGTAILAPI_BASE_URL = BACKEND_URL
WAGTAILAPI_LIMIT_MAX = 100
# Browsers and CDNs may reuse a catalogue answer this long before revalidating with its ETag.
CATALOG_CACHE_MAX_AGE = env.int("CATALOG_CACHE_MAX_AGE", default=60)
# How long the server keeps a computed catalogue answer (a publish makes it unreachable at once).
CATALOG_RESPONSE_CACHE_SECONDS = env.int("CATALOG_RESPONSE_CACHE_SECONDS", default=3600)
# Drafts are previewed on the Astro site, which fetches them with the preview token.
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": env("PREVIEW_URL", default=f"{FRONTEND_URL}/preview")},
    "SERVE_BASE_URL": FRONTEND_URL,
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}

# ------------------------------------------------------------------------------
# Oscar (digital goods in EUR) and oscar-api
# ------------------------------------------------------------------------------
OSCAR_SHOP_NAME = "Phialo"
OSCAR_DEFAULT_CURRENCY = "EUR"  # the one currency (core.money.CURRENCY reads it)
# Offers and vouchers discount the gross price the shopper sees (10 % of 29.00 is 2.90 off 29.00);
# Oscar's default discounts the net price and scales the gross wrongly (25.55 instead of 26.10).
OSCAR_OFFERS_INCL_TAX = True
# A discount is rounded to the cent half up, as each discounted line's price is (10 % of 19.99 is
# 2.00 off, not Oscar's rounded-down 1.99 beside a line that costs 17.99).
OSCAR_OFFER_ROUNDING_FUNCTION = "shop.offers.discount_round"
OSCAR_HOMEPAGE = "/admin/"
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
# Oscar's storefront is not mounted (shop/oscar_urls.py); should its reviews ever be, no anonymous
# ones and none published unread.
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_MODERATE_REVIEWS = True
OSCAR_SEND_REGISTRATION_EMAIL = False
# No stock-alert mail on every stock record save: alerts could be left by anyone, for any address.
OSCAR_EAGER_ALERTS = False
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
# Without this the simple engine warns on every product save.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
OSCARAPI_BLOCK_ADMIN_API_ACCESS = True
# Orders of digital goods: placed unpaid at checkout, then paid, cancelled or refunded as Stripe
# reports (shop.statuses). No shipping states.
OSCAR_INITIAL_ORDER_STATUS = "pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "pending": ("paid", "cancelled"),
    "cancelled": ("paid",),  # a payment that arrives after the checkout was given up still counts
    "paid": ("partially_refunded", "refunded"),
    "partially_refunded": ("refunded",),
    "refunded": (),
}
OSCAR_INITIAL_LINE_STATUS = "pending"
OSCAR_LINE_STATUS_PIPELINE = {
    "pending": ("paid", "cancelled"),
    "cancelled": ("paid",),
    "paid": ("refunded",),
    "refunded": (),
}
# German VAT included in every price an editor sets (shop.vat).
SHOP_VAT_RATE = "0.19"
# The one function deciding whether a user may watch a video: ``(user, video) -> bool``, ``video``
# a VideoPage or its translation key. The media pipeline calls it by this path, never importing shop.
SHOP_ACCESS_FUNCTION = "shop.access.selectors.may_watch"
# The seller printed on invoices and credit notes.
SHOP_SELLER_NAME = env("SHOP_SELLER_NAME", default="Phialo Design")
SHOP_SELLER_ADDRESS = env("SHOP_SELLER_ADDRESS", default="Musterstraße 1\n10115 Berlin\nDeutschland")
SHOP_SELLER_VAT_ID = env("SHOP_SELLER_VAT_ID", default="DE000000000")
SHOP_SELLER_EMAIL = env("SHOP_SELLER_EMAIL", default="hallo@phialo.localhost")
# Who is told about disputed payments and refunds that need a look (comma-separated e-mails).
SHOP_STAFF_EMAILS = env.list("SHOP_STAFF_EMAILS", default=["shop@phialo.localhost"])
# How long a Stripe Checkout Session stays open (Stripe allows 30 minutes to 24 hours).
STRIPE_CHECKOUT_EXPIRY_MINUTES = env.int("STRIPE_CHECKOUT_EXPIRY_MINUTES", default=30)

# ------------------------------------------------------------------------------
# Stripe and dj-stripe
# ------------------------------------------------------------------------------
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE = 300
STRIPE_API_VERSION = "2024-04-10"
# Calls to Stripe (shop.payments.stripe_gateway): a shopper waits on checkout, so fail within seconds;
# network errors are retried with the same idempotency key.
STRIPE_TIMEOUT_SECONDS = 20
STRIPE_MAX_NETWORK_RETRIES = 2
# Webhook events are processed by Celery (shop.payments.tasks); one not processed this long after it
# arrived is queued again by beat, up to this many failed attempts (then it waits for staff).
STRIPE_EVENT_REQUEUE_AFTER_SECONDS = 5 * 60
STRIPE_EVENT_MAX_ATTEMPTS = 10
CELERY_BEAT_SCHEDULE["shop-stripe-events-requeue"] = {
    "task": "shop.payments.tasks.stripe_events_requeue",
    "schedule": 60.0,
}
if STRIPE_LIVE_MODE:
    STRIPE_LIVE_SECRET_KEY = STRIPE_SECRET_KEY
else:
    STRIPE_TEST_SECRET_KEY = STRIPE_SECRET_KEY
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_USE_NATIVE_JSONFIELD = True
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"

# Subscriptions (shop.subscriptions): Stripe owns them, dj-stripe mirrors them.
# A subscriber whose renewal failed (past due) keeps access this many days while Stripe retries.
SUBSCRIPTION_GRACE_DAYS = env.int("SUBSCRIPTION_GRACE_DAYS", default=3)
# A shopper's first subscription: a free trial of this many days and/or a Stripe coupon id.
SUBSCRIPTION_TRIAL_DAYS = env.int("SUBSCRIPTION_TRIAL_DAYS", default=0)
SUBSCRIPTION_FIRST_TIMER_COUPON = env("SUBSCRIPTION_FIRST_TIMER_COUPON", default="")
# "Your subscription ends soon" goes out this many days before a cancelled one ends.
SUBSCRIPTION_ENDING_SOON_DAYS = env.int("SUBSCRIPTION_ENDING_SOON_DAYS", default=3)
# The shop keeps its tasks by concern (shop/<concern>/tasks.py): Celery's autodiscovery
# (``<app>.tasks``) would miss them.
CELERY_IMPORTS = [
    "shop.basket.tasks",
    "shop.documents.tasks",
    "shop.payments.tasks",
    "shop.subscriptions.tasks",
]
CELERY_BEAT_SCHEDULE["shop-subscriptions-reconcile"] = {
    "task": "shop.subscriptions.tasks.subscriptions_reconcile",
    "schedule": crontab(hour=3, minute=17),
}
CELERY_BEAT_SCHEDULE["shop-subscriptions-ending-soon"] = {
    "task": "shop.subscriptions.tasks.subscriptions_ending_soon_notify",
    "schedule": crontab(hour=9, minute=0),
}

# ------------------------------------------------------------------------------
# Consultations (booking/)
# ------------------------------------------------------------------------------
# A chosen time is held this long for the shopper to go to checkout; once they do, for as long
# as the payment may take (the Stripe session's expiry).
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=10)
# Cancelling is refunded in full until this many hours before the start, not later.
BOOKING_FREE_CANCELLATION_HOURS = env.int("BOOKING_FREE_CANCELLATION_HOURS", default=24)
# A consultation can be moved until this many hours before it starts, this many times.
BOOKING_RESCHEDULE_HOURS = env.int("BOOKING_RESCHEDULE_HOURS", default=24)
BOOKING_MAX_RESCHEDULES = env.int("BOOKING_MAX_RESCHEDULES", default=2)
# Meeting links (booking/meetings.py): Jitsi Meet needs nothing; a consultant set to Zoom or
# Google Meet needs that provider's credentials (without them their meetings fall back to Jitsi).
JITSI_BASE_URL = env("JITSI_BASE_URL", default="https://meet.jit.si")
# Zoom: a Server-to-Server OAuth app (Zoom Marketplace), meetings made for ZOOM_USER_ID.
ZOOM_ACCOUNT_ID = env("ZOOM_ACCOUNT_ID", default="")
ZOOM_CLIENT_ID = env("ZOOM_CLIENT_ID", default="")
ZOOM_CLIENT_SECRET = env("ZOOM_CLIENT_SECRET", default="")
ZOOM_USER_ID = env("ZOOM_USER_ID", default="me")
# Google Meet: an OAuth client and a refresh token of the studio's Google account (scope
# https://www.googleapis.com/auth/meetings.space.created).
GOOGLE_MEET_CLIENT_ID = env("GOOGLE_MEET_CLIENT_ID", default="")
GOOGLE_MEET_CLIENT_SECRET = env("GOOGLE_MEET_CLIENT_SECRET", default="")
GOOGLE_MEET_REFRESH_TOKEN = env("GOOGLE_MEET_REFRESH_TOKEN", default="")
# Invites' UIDs are <booking uid>@<this domain>: never change it once invites are out.
BOOKING_ICS_DOMAIN = env("BOOKING_ICS_DOMAIN", default="") or urlsplit(FRONTEND_URL).hostname or "localhost"
CELERY_IMPORTS += ["booking.calendar.tasks"]
CELERY_BEAT_SCHEDULE["booking-holds-lapse"] = {"task": "booking.tasks.holds_lapse", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["booking-reminders-send"] = {
    "task": "booking.tasks.reminders_send",
    "schedule": 5 * 60.0,
}
CELERY_BEAT_SCHEDULE["booking-caldav-busy-pull"] = {
    "task": "booking.calendar.tasks.caldav_busy_pull_all",
    "schedule": 10 * 60.0,
}

# ------------------------------------------------------------------------------
# Back office (backoffice/): reports read viewing rolled up per video and day, never raw rows
# ------------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE["backoffice-engagement-roll-up"] = {
    "task": "backoffice.tasks.roll_up",
    "schedule": crontab(minute="*/15"),
}

# ------------------------------------------------------------------------------
# django-allauth (headless; e-mail is the login identifier)
# ------------------------------------------------------------------------------
# Shoppers never have a password. The e-mailed login code is the way in and the way to sign up:
# a sign-up asks for the address only and must pass the same code stage as a log-in (a sign-up
# has no earlier authentication; a social login has one and skips it). Signing up with an address
# that already has an account mails a login code for that account (accounts/adapters.py), so
# ``POST /_allauth/<client>/v1/auth/signup`` then ``.../auth/code/confirm`` is one flow for
# everyone; returning shoppers may also use ``.../auth/code/request``.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 2  # new codes per request; then the shopper starts over
# Counted in the cache (Redis in production, shared by every process). One budget per address
# for every code mailed to it (requests and sign-ups; resends are capped above) and one per IP.
# ``login_failed`` counts wrong passwords (allauth's login and reauthentication, and the Wagtail
# and Django admin logins through accounts/staff_login.py) and wrong second-factor codes (allauth's
# and /staff/2fa/verify/), per client address and per account; once spent, even the right one is
# refused until the window passes.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": "20/m/ip,3/10m/key",
    "signup": "20/m/ip",
    "login_failed": "10/m/ip,50/h/ip,5/5m/key,20/h/key",
}
# Wagtail's login, the one staff use, spends the same budget.
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.staff_login.StaffLoginForm"
# The per-IP limits key on the client's address as core.http.client_ip finds it.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the subjects name Phialo themselves
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
HEADLESS_ONLY = True
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{FRONTEND_URL}/account/verify-email/{{key}}",
    "account_reset_password_from_key": f"{FRONTEND_URL}/account/password/reset/{{key}}",
    "account_signup": f"{FRONTEND_URL}/account/signup",
    "socialaccount_login_error": f"{FRONTEND_URL}/account/provider/callback",
    # Ours, not allauth's: the page the login-code e-mail links to, with ?code=...&email=... added.
    "account_login_code": f"{FRONTEND_URL}/account/login/code",
}
# The app client gets short-lived JWT access tokens and rotating refresh tokens; the browser
# client keeps Django's session cookie. Tokens are checked against their session, so logging out
# ends them at once. Production signs with RS256 and refuses to start without the RSA key (PEM;
# line breaks may be written as \n). Unset elsewhere, allauth signs with HS256 and SECRET_KEY:
# nothing is generated or written to disk, and tokens die with the development secret.
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"  # noqa: S105 (a class path)
HEADLESS_JWT_PRIVATE_KEY = env.str("HEADLESS_JWT_PRIVATE_KEY", default="", multiline=True)
HEADLESS_JWT_ALGORITHM = "RS256" if HEADLESS_JWT_PRIVATE_KEY else "HS256"
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = 5 * 60
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = 14 * 24 * 60 * 60
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
# A social login whose address the provider reports as verified signs in to the account with that
# address and is connected to it; an unverified address never does (accounts/social.py).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_QUERY_EMAIL = True
# We only need who the person is, not access to their provider account afterwards.
SOCIALACCOUNT_STORE_TOKENS = False
# The redirect URI to register with each provider is {BACKEND_URL}/accounts/<provider>/login/callback/
# (allauth.urls, mounted at accounts/ in config/urls.py); Apple's redirect flow answers there by POST.
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": [
            {
                "client_id": env("GOOGLE_CLIENT_ID", default=""),
                "secret": env("GOOGLE_CLIENT_SECRET", default=""),
            }
        ],
        "SCOPE": ["openid", "email", "profile"],
    },
    "apple": {
        "APPS": [
            {
                "client_id": env("APPLE_CLIENT_ID", default=""),  # the Services ID
                "secret": env("APPLE_KEY_ID", default=""),
                "key": env("APPLE_TEAM_ID", default=""),
                # The .p8 key; in a one-line variable its line breaks may be written as \n.
                "settings": {"certificate_key": env.str("APPLE_PRIVATE_KEY", default="", multiline=True)},
            }
        ],
    },
    "github": {
        "APPS": [
            {
                "client_id": env("GITHUB_CLIENT_ID", default=""),
                "secret": env("GITHUB_CLIENT_SECRET", default=""),
            }
        ],
        "SCOPE": ["user:email"],
    },
}
# A provider is offered only when every credential it needs is configured: a half-configured one
# would be listed to clients and then fail at the token exchange.
SOCIALACCOUNT_PROVIDERS = {
    name: conf
    for name, conf in SOCIALACCOUNT_PROVIDERS.items()
    if all(conf["APPS"][0][field] for field in ("client_id", "secret", "key") if field in conf["APPS"][0])
    and all(conf["APPS"][0].get("settings", {}).values())
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

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
