"""Demo shop data: the products of the demo pages, and paid orders.

Idempotent: products are the real ones the page sync makes (found by the page's translation key,
the UPC); each demo order is placed and paid through the shop's own code (``order_place``, then
the payment functions the webhook and the local payment page use), so it has its VAT lines,
grants and invoice like any real order, and is found again by its checkout's idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.apps.order.models import Order
from oscar.core.loading import get_class

from cms.models import CatalogPage
from shop.catalogue.selectors import purchasable_products_for_pages
from shop.checkout.ordering import order_place
from shop.models import Checkout
from shop.payments.services import payment_succeeded

Selector = get_class("partner.strategy", "Selector")
DEMO_ORDER_KEY = "demo-order-"


def seed_products(pages: Sequence[CatalogPage]) -> list[Product]:
    """The products a shopper can buy for ``pages``, in their order (free ones have none).

    The demo publishes its pages as an editor would (demo.catalogue), so the page sync has already
    made the products; this only looks them up.
    """
    return purchasable_products_for_pages(pages)


def seed_orders(
    count: int,
    shoppers: Sequence,
    products: Sequence[Product],
    progress: Callable[[str, int, int], None],
) -> int:
    """``count`` paid orders of one item each, spread over the shoppers. Returns how many were new.

    Nobody is mailed: these orders are history, not purchases happening now.
    """
    if count and not (shoppers and products):
        raise ValueError("Orders need at least one shopper and one priced item.")
    existing = set(
        Checkout.objects.filter(idempotency_key__startswith=DEMO_ORDER_KEY).values_list(
            "idempotency_key", flat=True
        )
    )
    created = 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for index in range(count):
            key = f"{DEMO_ORDER_KEY}{index + 1:06d}"
            if key not in existing:
                _order_paid(key, shoppers[index % len(shoppers)], products[index % len(products)])
                created += 1
            progress("orders", index + 1, count)
    return created


@transaction.atomic
def _order_paid(key: str, user, product: Product) -> Order:
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product)
    order = order_place(basket=basket, user=user, email=user.email)
    checkout = Checkout.objects.create(
        order=order, user=user, idempotency_key=key, provider=Checkout.Provider.LOCAL
    )
    payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=timezone.now())
    return order
