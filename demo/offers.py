"""Demo discounts: the first-timer offer and two codes, as staff would make them in the dashboard.

- "Erstkauf: 10 % auf alles": a site offer for a shopper's first paid order (``shop.offers``).
- ``WILLKOMMEN10``: 10 % off everything, once per customer.
- ``KURS5``: 5 EUR off courses only, as often as anyone likes.

Idempotent: everything is found by its name or code and made only when missing; what staff
changed since is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.apps.catalogue.models import ProductClass
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.voucher.models import Voucher

from shop.offers import first_purchase_condition

FIRST_TIMER_OFFER = "Erstkauf: 10 % auf alles"
CODE_VALIDITY = timedelta(days=365)


def _range(name: str, *, everything: bool = False, product_class: str | None = None) -> Range:
    product_range, _ = Range.objects.get_or_create(name=name, defaults={"includes_all_products": everything})
    if product_class is not None:
        # The page sync makes the class with the first course; the demo may run before that.
        classes = ProductClass.objects.get_or_create(
            slug=product_class,
            defaults={"name": product_class.title(), "requires_shipping": False, "track_stock": False},
        )[0]
        product_range.classes.add(classes)
    return product_range


def _one_of(product_range: Range) -> Condition:
    """The condition "at least one item of ``product_range`` in the basket"."""
    fields = {"range": product_range, "type": Condition.COUNT, "value": Decimal("1")}
    return Condition.objects.filter(**fields).first() or Condition.objects.create(**fields)


def _offer(name: str, *, offer_type: str, condition: Condition, benefit: dict, **fields) -> ConditionalOffer:
    offer = ConditionalOffer.objects.filter(name=name).first()
    if offer is None:
        offer = ConditionalOffer.objects.create(
            name=name,
            offer_type=offer_type,
            condition=condition,
            benefit=Benefit.objects.create(**benefit),
            max_basket_applications=1,
            **fields,
        )
    return offer


def _voucher(code: str, *, name: str, usage: str, offer: ConditionalOffer) -> Voucher:
    voucher = Voucher.objects.filter(code=code).first()
    if voucher is None:
        now = timezone.now()
        voucher = Voucher.objects.create(
            name=name, code=code, usage=usage, start_datetime=now, end_datetime=now + CODE_VALIDITY
        )
        voucher.offers.add(offer)
    return voucher


@transaction.atomic
def seed_offers() -> dict[str, object]:
    """The demo's offer and codes; returns them by name."""
    everything = _range("Alles", everything=True)
    courses = _range("Kurse", product_class="course")
    any_item, any_course = _one_of(everything), _one_of(courses)

    first_timer = _offer(
        FIRST_TIMER_OFFER,
        offer_type=ConditionalOffer.SITE,
        condition=first_purchase_condition(),
        benefit={"range": everything, "type": Benefit.PERCENTAGE, "value": Decimal("10")},
        description="10 % auf deine erste Bestellung.",
    )
    welcome = _voucher(
        "WILLKOMMEN10",
        name="Willkommen: 10 % auf alles",
        usage=Voucher.ONCE_PER_CUSTOMER,
        offer=_offer(
            "Gutschein WILLKOMMEN10",
            offer_type=ConditionalOffer.VOUCHER,
            condition=any_item,
            benefit={"range": everything, "type": Benefit.PERCENTAGE, "value": Decimal("10")},
        ),
    )
    course_code = _voucher(
        "KURS5",
        name="5 € auf Kurse",
        usage=Voucher.MULTI_USE,
        offer=_offer(
            "Gutschein KURS5",
            offer_type=ConditionalOffer.VOUCHER,
            condition=any_course,
            benefit={"range": courses, "type": Benefit.FIXED, "value": Decimal("5.00")},
        ),
    )
    return {"first_timer_offer": first_timer, "WILLKOMMEN10": welcome, "KURS5": course_code}
