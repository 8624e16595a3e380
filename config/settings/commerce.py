"""Oscar, Stripe, consultations and the back office: selling, paying, booking, reporting."""

from urllib.parse import urlsplit

from celery.schedules import crontab

from config.settings.background import CELERY_BEAT_SCHEDULE, DEFAULT_FROM_EMAIL
from config.settings.environment import FRONTEND_URL, env

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
