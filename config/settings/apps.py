"""The applications, middleware, templates, sign-in backends, languages, static, media and private files."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import BASE_DIR, env

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
