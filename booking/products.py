"""Consultation types are sold through the shop: each type is two Oscar products of the class
``consultation``, one at the regular price and one at the first-timer price, so a basket, its
vouchers, the order, the invoice and a refund treat a consultation like anything else sold here.

Two products rather than a price computed per shopper: the order line then says which rate was
paid, the invoice shows it, and nothing in the shop's pricing has to know about bookings.

The German row of a type is the source (prices and length are shared by its translations); its
``translation_key`` keys the products (UPC ``consultation-<key>`` and ``consultation-<key>-first``).
A product is never deleted, only withdrawn (no stock record), because order lines point at it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from oscar.apps.catalogue.models import Option, Product, ProductClass
from oscar.apps.partner.models import StockRecord
from wagtail.models import Locale

from booking.models import ConsultationType
from shop.catalogue.services import stockrecord_set

PRODUCT_CLASS = "consultation"
# Each hold's basket line carries the hold's id as this Oscar option: the line is then that
# hold's own (Oscar keys lines on product + options) and the order line tells which booking it paid.
HOLD_OPTION = "booking_hold"


def product_upc(type_key, *, first_timer: bool) -> str:
    return f"consultation-{type_key}" + ("-first" if first_timer else "")


def hold_option() -> Option:
    option, _ = Option.objects.get_or_create(
        code=HOLD_OPTION, defaults={"name": "Consultation booking", "type": Option.TEXT, "required": False}
    )
    return option


def _source(consultation_type: ConsultationType) -> ConsultationType:
    if consultation_type.locale_id == Locale.get_default().pk:
        return consultation_type
    return ConsultationType.objects.get(
        translation_key=consultation_type.translation_key, locale=Locale.get_default()
    )


@transaction.atomic
def products_sync(consultation_type: ConsultationType) -> tuple[Product | None, Product | None]:
    """Make the type's two products match its German row; return (regular, first-timer).

    An inactive type, or one without a first-timer price, has the product(s) withdrawn. Safe to
    call any number of times.
    """
    source = _source(consultation_type)
    product_class, _ = ProductClass.objects.get_or_create(
        slug=PRODUCT_CLASS,
        defaults={"name": "Consultation", "requires_shipping": False, "track_stock": False},
    )
    hold_option()
    wanted = {False: source.price if source.is_active else None}
    wanted[True] = source.first_timer_price if source.is_active else None
    made: dict[bool, Product | None] = {}
    for first_timer, price in wanted.items():
        upc = product_upc(source.translation_key, first_timer=first_timer)
        title = f"{source.title} ({source.duration_minutes} min)" + (" – Erstberatung" if first_timer else "")
        made[first_timer] = _product_set(upc=upc, title=title, product_class=product_class, price=price)
    return made[False], made[True]


def _product_set(
    *, upc: str, title: str, product_class: ProductClass, price: Decimal | None
) -> Product | None:
    product = Product.objects.select_for_update().filter(upc=upc).first()
    if price is None:
        if product is not None:
            if product.is_public:
                product.is_public = False
                product.save(update_fields=["is_public", "date_updated"])
            StockRecord.objects.filter(product=product).delete()
        return product
    if product is None:
        product = Product.objects.create(
            upc=upc, title=title, product_class=product_class, structure=Product.STANDALONE, is_public=True
        )
    elif (product.title, product.is_public) != (title, True):
        product.title = title
        product.is_public = True
        product.save()
    stockrecord_set(product=product, partner_sku=upc, price=price)
    return product


def product_for(consultation_type: ConsultationType, *, first_timer: bool) -> Product | None:
    """The product a hold of this type puts in the basket, or ``None`` when it cannot be sold."""
    upc = product_upc(consultation_type.translation_key, first_timer=first_timer)
    return Product.objects.filter(upc=upc, is_public=True, stockrecords__isnull=False).first()
