"""Demo shop data: an Oscar product for each priced video, and paid orders.

Idempotent: products are found by their page's translation key (the UPC), orders by number.
The shop issue's product sync and VAT strategy replace the product part; the orders go
through Oscar's own ``OrderCreator`` so they look like any real order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product, ProductClass
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.partner.models import Partner, StockRecord
from oscar.apps.partner.strategy import Selector
from oscar.apps.shipping.methods import Free

from cms.models import VideoPage

DEMO_ORDER_PREFIX = "DEMO"


def seed_video_products(videos: Sequence[VideoPage]) -> list[Product]:
    product_class, _ = ProductClass.objects.get_or_create(
        slug="video",
        defaults={"name": "Video", "requires_shipping": False, "track_stock": False},
    )
    partner, _ = Partner.objects.get_or_create(code="phialo", defaults={"name": "Phialo"})
    products = []
    for page in videos:
        if page.price is None:
            continue
        key = str(page.translation_key)
        product, _ = Product.objects.get_or_create(
            upc=key,
            defaults={
                "title": page.title,
                "product_class": product_class,
                "structure": Product.STANDALONE,
            },
        )
        StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={"partner_sku": key, "price": page.price, "price_currency": "EUR"},
        )
        products.append(product)
    return products


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
