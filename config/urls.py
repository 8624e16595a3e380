"""The URL map (see ../shared/API.md). Order matters only at the end: Wagtail's catch-all page
server comes last. tests/config/test_url_allowlist.py holds every route here to a committed list
of who may use it."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from booking.api.urls import feed_urlpatterns
from config.api.views import api_not_found
from config.api.wagtail import api_router
from config.health import HealthzView
from shop.oscar_urls import dashboard_urls, storefront_stubs
from shop.payments.webhooks import stripe_webhook

urlpatterns = [
    path("healthz", HealthzView.as_view(), name="healthz"),
    # Staff's second factor (/staff/2fa/) and the links in e-mails that work without logging in
    # (one-click unsubscribe, /email/unsubscribe/<token>/).
    path("", include("accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("config.api.urls")),
    path("api/v2/", api_router.urls),
    # The part of oscar-api the site uses, chosen view by view (never oscarapi.urls as a whole).
    path("api/shop/", include("shop.api.oscarapi_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, never a slash redirect or Wagtail's page server.
    re_path(r"^api/", api_not_found),
    path("_allauth/", include("config.allauth_urls")),
    # The providers' OAuth callbacks (GitHub, and Google/Apple redirects): HEADLESS_ONLY mounts
    # nothing else here. Register {BACKEND_URL}/accounts/<provider>/login/callback/ with each.
    path("accounts/", include("allauth.urls")),
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    # A consultant's private calendar feed: /booking/feeds/<secret>.ics
    path("", include(feed_urlpatterns)),
    # Without Stripe keys and with DEBUG on: a local page that pays an order like the webhook does.
    path("shop/local-payment/", include("shop.checkout.local_payment")),
    path("shop/local-subscription/", include("shop.subscriptions.local_page")),
    # Staff sign in once, through Wagtail's login (where two-factor is enforced), for all admins.
    path("dashboard/login/", RedirectView.as_view(pattern_name="wagtailadmin_login", query_string=True)),
    # Oscar's dashboard; its storefront's names (which the dashboard links to) only redirect to
    # the Astro site (shop/oscar_urls.py).
    path("dashboard/", dashboard_urls()),
    path("storefront/", include(storefront_stubs())),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
