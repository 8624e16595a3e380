"""The video pipeline and Wagtail: how uploads become a ladder, and how editors' pages are served."""

from config.settings.apps import LANGUAGES
from config.settings.environment import BACKEND_URL, DATABASES, FRONTEND_URL, env

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
