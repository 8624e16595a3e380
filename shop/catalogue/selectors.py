"""Reads of the shop's catalogue: which Oscar product stands for which page."""

from __future__ import annotations

from collections.abc import Iterable

from oscar.apps.catalogue.models import Product
from wagtail.models import Page


def product_for_page(page: Page) -> Product | None:
    """The one product of the page and all its translations (keyed on ``translation_key``), if any."""
    return Product.objects.filter(upc=str(page.translation_key)).first()


def purchasable_products_for_pages(pages: Iterable[Page]) -> list[Product]:
    """The products a shopper can buy for ``pages``, in the pages' order, in one query.

    Pages without a product (free, never published) or whose product is withdrawn are left out;
    translations of one page give its product once.
    """
    keys = list(dict.fromkeys(str(page.translation_key) for page in pages))
    products = {
        product.upc: product
        for product in Product.objects.filter(upc__in=keys, is_public=True, stockrecords__isnull=False)
        .distinct()
        .select_related("product_class")
        .prefetch_related("stockrecords")
    }
    return [products[key] for key in keys if key in products]
