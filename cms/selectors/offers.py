"""What would unlock a video, for the media pipeline's 403: the video, courses and bundles a
shopper could buy."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from wagtail.models import Page

from cms.models import frontend_path
from cms.selectors.holdings import video_holding
from cms.selectors.served import SOURCE_LOCALE


def video_offers(video_key: UUID, *, locale: str) -> list[dict[str, Any]]:
    """What a shopper could buy to watch the video: the video itself when it has a price, and
    every live course and bundle holding it, in ``locale`` (German where not translated), the
    video first, then the cheapest. One query (what holds what is cached).

    The media pipeline calls this through ``settings.MEDIA_OFFERS_FUNCTION``: it never imports
    the catalogue.
    """
    kinds = {video_key: "video", **video_holding(video_key).holders}
    rows = (
        Page.objects.live()
        .filter(translation_key__in=kinds, locale__language_code__in={locale, SOURCE_LOCALE})
        .values_list(
            "translation_key",
            "locale__language_code",
            "title",
            "slug",
            "url_path",
            "videopage__price",
            "coursepage__price",
            "bundlepage__price",
        )
    )
    offers: dict[UUID, dict[str, Any]] = {}
    for key, language, title, slug, url_path, *prices in rows:
        price = next((price for price in prices if price is not None), None)
        if not price or (key in offers and language != locale):
            continue
        offers[key] = {
            "key": key,
            "kind": kinds[key],
            "title": title,
            "slug": slug,
            "price": price,
            "url_path": frontend_path(url_path, language),
            "locale": language,
        }
    return sorted(
        offers.values(), key=lambda offer: (offer["kind"] != "video", offer["price"], offer["title"])
    )
