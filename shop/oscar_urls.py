"""Oscar's dashboard, and none of Oscar's storefront.

``apps.get_app_config("oscar").urls`` is Oscar's whole HTML shop: catalogue, basket, checkout,
reviews and stock alerts (open to anonymous visitors, mailing any address), and customer accounts
with password sign-up, password log-in, profile edits that change the e-mail unverified, and
password reset. The shop's storefront is the Astro site, and those pages bypassed every rule of
its sign-in and checkout, so only the dashboard is mounted (``dashboard_urls``).

The dashboard's pages and Oscar's models still reverse storefront names: every dashboard page
links ``customer:summary``, a product's and a category's ``get_absolute_url`` point into
``catalogue:``, an offer's into ``offer:``. So every storefront name still resolves, under
``/storefront/``, with its own path and arguments, to one view that sends the visitor to the Astro
site (``storefront_stubs``): no view of Oscar's storefront runs. The stubs are built from Oscar's
own map, so a storefront route added by an upgrade becomes a stub too.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver
from django.views.generic import RedirectView

storefront_redirect = RedirectView.as_view(url=settings.FRONTEND_URL)


def _stubbed(patterns: list) -> list:
    stubs = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "dashboard":
                continue
            stubs.append(
                URLResolver(
                    pattern.pattern,
                    _stubbed(pattern.url_patterns),
                    pattern.default_kwargs,
                    app_name=pattern.app_name,
                    namespace=pattern.namespace,
                )
            )
        else:
            stubs.append(URLPattern(pattern.pattern, storefront_redirect, name=pattern.name))
    return stubs


def dashboard_urls() -> tuple[list, str, str]:
    """For ``path("dashboard/", ...)``: the dashboard app's patterns, in its namespace."""
    return apps.get_app_config("dashboard").urls


def storefront_stubs() -> list:
    """Oscar's storefront map with every view replaced by ``storefront_redirect``."""
    return _stubbed(apps.get_app_config("oscar").urls[0])
