"""Putting a product into the caller's basket: the one place the shop adds a basket line.

The shop's checks (already in the basket, withdrawn, already owned, overlaps with what is owned)
run before Oscar's ``add_product``; the basket is priced and its offers applied once, after the
addition (oscar-api's own view does both before and after it: 35 queries).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from oscar.apps.basket.models import Basket
from oscar.apps.offer.applicator import Applicator
from oscar.core.loading import get_class
from oscarapi.basket import operations

from cms.selectors.served import titles_by_key
from core.errors import ApiError
from core.locale import resolve_locale
from core.tasks import enqueue
from shop.access import selectors as access
from shop.basket.merge import SESSION_BASKET_KEY

Selector = get_class("partner.strategy", "Selector")

ALREADY_IN_BASKET = "This item is already in the basket."


def _item_key(product) -> uuid.UUID | None:
    try:
        return uuid.UUID(product.upc)
    except (TypeError, ValueError):
        return None  # not a catalogue item (a consultation)


def _items(keys, kinds: dict[uuid.UUID, str], locale: str) -> list[dict[str, Any]]:
    titles = titles_by_key(keys, locale=locale)
    return sorted(
        ({"id": str(key), "type": kinds.get(key), "title": titles.get(key)} for key in keys),
        key=lambda item: (item["type"] != "course", item["title"] or ""),
    )


def basket_add_checks(*, basket: Basket, product, user, locale: str) -> list[dict[str, Any]]:
    """Refuse (``ApiError``) what may not go into ``basket``; answer the warnings for what may."""
    # Reading the lines here also serves Oscar's add_product (the basket's currency).
    if any(line.product_id == product.pk for line in basket.all_lines()):
        raise ApiError("already_in_basket", ALREADY_IN_BASKET, status=409)
    availability = basket.strategy.fetch_for_product(product).availability
    if not availability.is_available_to_buy:
        raise ApiError("item_unavailable", "This item is no longer sold.", status=409)
    key = _item_key(product)
    if key is None:
        return []
    owning = access.ownership(user, key)
    if owning.owned:
        raise ApiError(
            "already_owned",
            "You already own this.",
            status=409,
            extra={"owned_through": _items(owning.owned_through, owning.kinds, locale)},
        )
    if owning.overlaps:
        return [
            {
                "code": "overlaps_owned",
                "message": "You already own part of this.",
                "items": _items(owning.overlaps, owning.kinds, locale),
            }
        ]
    return []


def _basket_of(request: HttpRequest) -> Basket:
    basket = operations.get_basket(request, prepare=False)
    if request.user.is_authenticated and basket.owner_id == request.user.pk:
        basket.owner = request.user  # the offers' conditions ask for it: not a second read
    basket.strategy = getattr(request, "strategy", None) or Selector().strategy(
        request=request, user=request.user
    )
    return basket


def basket_product_add(
    *, request: HttpRequest, product, quantity: int, options: list
) -> tuple[Basket, list[dict[str, Any]]]:
    """Add ``product`` to the caller's basket (a visitor's is remembered in the session); answer
    the basket, priced with its offers applied, and the warnings of the checks."""
    prefetch_related_objects([product], "stockrecords")  # one read for the checks and the line
    basket = _basket_of(request)
    warnings = basket_add_checks(
        basket=basket, product=product, user=request.user, locale=resolve_locale(request)
    )
    lines = basket.all_lines()  # read by the checks above (and Oscar's add_product)
    with transaction.atomic():
        line, created = basket.add_product(product, quantity=quantity, options=options)
        if not created:  # a second request for the same item got here first; undo its +1
            raise ApiError("already_in_basket", ALREADY_IN_BASKET, status=409)
    # Oscar's analytics counters (two or three writes) are kept by a task, off the request.
    enqueue("shop.basket.tasks.basket_addition_record", product.pk, request.user.pk)
    if not request.user.is_authenticated and request.session.get(SESSION_BASKET_KEY) != basket.pk:
        # Only a visitor's basket is found through the session (a shopper's by its owner).
        request.session[SESSION_BASKET_KEY] = basket.pk
    # The lines as read, and the new one (its product and stock record are in hand): Oscar's
    # add_product drops its cache, and reading all lines again would cost three queries.
    line.product = product
    lines._result_cache.append(line)
    basket.reset_offer_applications()
    basket._lines = lines
    Applicator().apply(basket, request.user, request)
    return basket, warnings
