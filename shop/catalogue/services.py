"""Writes to the shop's catalogue: pages make products.

Every purchasable page (a live German video, course or bundle with a price) has exactly one
Oscar ``Product``, keyed on the page's ``translation_key`` (its UPC), so the German page and its
translations sell as one thing. The German page is the source: its title and price are the
product's; publishing a translation changes nothing.

A product is never deleted (order lines point at it). It is withdrawn instead: hidden from the
catalogue (``is_public=False``) and without a stock record. The stock record is what makes it
unbuyable: Oscar's strategy answers "not available to buy" for a product without one, and
oscar-api's add-product, the basket and checkout all ask the strategy, while ``is_public`` alone
is ignored by them. Republishing gives it a stock record again, at the page's current price.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from oscar.apps.catalogue.models import Product, ProductClass
from oscar.apps.partner.models import Partner, StockRecord
from wagtail.models import Locale

from cms.models import BundlePage, CatalogPage, CoursePage, VideoPage
from core.money import CURRENCY
from shop.catalogue.selectors import product_for_page

PARTNER_CODE = "phialo"
PARTNER_NAME = "Phialo"


# Page type -> (product class slug, name). Digital goods: nothing ships, nothing runs out.
PRODUCT_CLASSES: dict[type[CatalogPage], tuple[str, str]] = {
    VideoPage: ("video", "Video"),
    CoursePage: ("course", "Course"),
    BundlePage: ("bundle", "Bundle"),
}


def is_source_page(page: CatalogPage) -> bool:
    """German (the default locale) pages are the source; the others are their translations."""
    return page.locale_id == Locale.get_default().pk


@transaction.atomic
def product_sync_from_page(*, page: CatalogPage) -> Product | None:
    """Make the page's product match the page: create or update it while the page is live and
    priced, withdraw it otherwise. Safe to call any number of times.

    Returns the page's product, or ``None`` when it has none (free or never published). A
    translation or an alias only reads: the German page decides.
    """
    if page.alias_of_id or not is_source_page(page):
        return product_for_page(page)
    key = str(page.translation_key)
    if not page.live or page.is_free:
        return _product_withdraw(translation_key=key)
    slug, name = PRODUCT_CLASSES[type(page)]
    product_class, _ = ProductClass.objects.get_or_create(
        slug=slug, defaults={"name": name, "requires_shipping": False, "track_stock": False}
    )
    product, created = Product.objects.select_for_update().get_or_create(
        upc=key,
        defaults={
            "title": page.title,
            "product_class": product_class,
            "structure": Product.STANDALONE,
            "is_public": True,
        },
    )
    if not created and (
        product.title,
        product.product_class_id,
        product.is_public,
    ) != (page.title, product_class.pk, True):
        product.title = page.title
        product.product_class = product_class
        product.is_public = True
        product.save()
    stockrecord_set(product=product, partner_sku=key, price=page.price)
    return product


@transaction.atomic
def product_withdraw(*, page: CatalogPage) -> Product | None:
    """Stop selling the page's product (the page is gone), keeping it for the orders that hold it.

    Returns the product, or ``None`` when the page had none. A translation or an alias only reads.
    """
    if page.alias_of_id or not is_source_page(page):
        return product_for_page(page)
    return _product_withdraw(translation_key=str(page.translation_key))


def _product_withdraw(*, translation_key: str) -> Product | None:
    """Hide the product and delete its stock record, which also removes it from baskets (Oscar
    cascades basket lines to it): a withdrawn product cannot wait in a basket to be paid for."""
    product = Product.objects.select_for_update().filter(upc=translation_key).first()
    if product is None:
        return None
    if product.is_public:
        product.is_public = False
        product.save(update_fields=["is_public", "date_updated"])
    product.stockrecords.all().delete()
    return product


def stockrecord_set(*, product: Product, partner_sku: str, price: Decimal) -> StockRecord:
    partner, _ = Partner.objects.get_or_create(code=PARTNER_CODE, defaults={"name": PARTNER_NAME})
    stockrecord, created = StockRecord.objects.get_or_create(
        product=product,
        partner=partner,
        defaults={"partner_sku": partner_sku, "price": price, "price_currency": CURRENCY},
    )
    if not created and (stockrecord.partner_sku, stockrecord.price, stockrecord.price_currency) != (
        partner_sku,
        price,
        CURRENCY,
    ):
        stockrecord.partner_sku = partner_sku
        stockrecord.price = price
        stockrecord.price_currency = CURRENCY
        stockrecord.save()
    return stockrecord
