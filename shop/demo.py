"""Demo shop data: the products of the demo pages, and paid orders.

Idempotent: products are the real ones the page sync makes (found by the page's translation key,
the UPC), orders are found by number. The orders go through Oscar's own ``OrderCreator`` so they
look like any real order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.partner.strategy import Selector
from oscar.apps.shipping.methods import Free

from cms.models import CatalogPage
from shop.selectors import purchasable_products_for_pages

DEMO_ORDER_PREFIX = "DEMO"


def seed_products(pages: Sequence[CatalogPage]) -> list[Product]:
    """The products a shopper can buy for ``pages``, in their order (free ones have none).

    The demo publishes its pages as an editor would (cms.demo), so the page sync has already
    made the products; this only looks them up.
    """
    return purchasable_products_for_pages(pages)


def seed_orders(
    count: int,
    shoppers: Sequence,
    products: Sequence[Product],
    progress: Callable[[str, int, int], None],
) -> int:
    """``count`` paid orders of one video each, spread over the shoppers. Returns how many were new."""
    if count and not (shoppers and products):
        raise ValueError("Orders need at least one shopper and one priced video.")
    existing = set(
        Order.objects.filter(number__startswith=DEMO_ORDER_PREFIX).values_list("number", flat=True)
    )
    created = 0
    for index in range(count):
        number = f"{DEMO_ORDER_PREFIX}{index + 1:06d}"
        if number not in existing:
            _place_order(number, shoppers[index % len(shoppers)], products[index % len(products)])
            created += 1
        progress("orders", index + 1, count)
    return created


@transaction.atomic
def _place_order(number: str, user, product: Product) -> Order:
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product)
    method = Free()
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=method,
        shipping_charge=charge,
        user=user,
        order_number=number,
        status="Paid",
    )
    basket.submit()
    return order
