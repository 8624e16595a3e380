"""Offers beside plain vouchers: the first-timer offer, and what an offer applies to.

The first-timer offer is an ordinary Oscar offer, made and changed in the dashboard's offer
wizard, whose condition is :class:`FirstPurchaseCondition`: "this shopper has no paid order yet".
Its benefit is any of Oscar's own (10 % off everything, 5 EUR off courses, ...). The condition is
a proxy of Oscar's ``Condition`` named by ``proxy_class``, as Oscar's ``create_condition`` makes
it; migration ``shop/0002`` creates the condition row so the wizard offers it under "Custom
condition".

What counts as a paid order is decided here once (:func:`has_paid_order`): an order that reached
"paid", even if it was refunded later. Pending and cancelled orders do not count. The booking
issue asks the same question for a first consultation (``product_class="consultation"``).

One first-timer discount per shopper: an unpaid order that carries it holds it (the basket of a
second order no longer gets it), and order placement checks again with the shopper's row locked
(``shop.checkout.ordering.order_place``), so two checkouts at once cannot both take it. When the unpaid
order is cancelled the discount is free again.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from oscar.apps.offer.models import Condition, ConditionalOffer, Range
from oscar.apps.order.models import Order

from shop.statuses import PAID_ORDER_STATUSES, OrderStatus
from shop.vat import CENT

# An order in one of these states was paid at some point (a refund does not undo that).


def discount_round(amount: Decimal, currency: str | None = None) -> Decimal:
    """Oscar's offer rounding (``OSCAR_OFFER_ROUNDING_FUNCTION``): half up to the cent."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def has_paid_order(user, product_class: str | None = None) -> bool:
    """Whether ``user`` has ever paid for an order (holding a ``product_class`` item, if given).

    ``product_class`` is an Oscar product class slug (``video``, ``course``, ``bundle``,
    ``consultation``). Anonymous visitors have no orders. One query.
    """
    if user is None or not user.is_authenticated:
        return False
    orders = Order.objects.filter(user_id=user.pk, status__in=PAID_ORDER_STATUSES)
    if product_class is not None:
        orders = orders.filter(lines__product__product_class__slug=product_class)
    return orders.exists()


def first_timer_offers() -> QuerySet[ConditionalOffer]:
    return ConditionalOffer.objects.filter(condition__proxy_class=FirstPurchaseCondition.path())


def first_timer_eligible(user) -> bool:
    """Whether the first-timer discount is ``user``'s to take now: logged in, no paid order, and
    no unpaid order already carrying a first-timer discount. One query."""
    if user is None or not user.is_authenticated:
        return False
    holding = Q(status=OrderStatus.PENDING, discounts__offer_id__in=first_timer_offers().values("pk"))
    return (
        not Order.objects.filter(user_id=user.pk).filter(Q(status__in=PAID_ORDER_STATUSES) | holding).exists()
    )


class FirstPurchaseCondition(Condition):
    """Oscar offer condition: the basket's owner has no paid order yet (see :func:`first_timer_eligible`).

    Anonymous baskets never meet it; once the visitor logs in, the basket is priced again for them.
    Pair it with a benefit whose offer has "max basket applications" 1.
    """

    name = "First purchase: the shopper has no paid order yet"
    description = name
    # Told to a shopper whose voucher carries this condition and who does not meet it.
    requirement = "only for a first purchase, by a logged-in shopper without a paid order"

    class Meta:
        proxy = True
        verbose_name = "First-purchase condition"
        verbose_name_plural = "First-purchase conditions"

    @classmethod
    def path(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    def is_satisfied(self, offer, basket) -> bool:
        return first_timer_eligible(basket.owner)

    def is_partially_satisfied(self, offer, basket) -> bool:
        return False


def first_purchase_condition() -> Condition:
    """The condition row the first-timer offers share (made by migration ``shop/0002``; made
    again here when a database was emptied)."""
    condition = Condition.objects.filter(proxy_class=FirstPurchaseCondition.path()).first()
    return condition or Condition.objects.create(proxy_class=FirstPurchaseCondition.path())


def is_first_timer_offer(offer: ConditionalOffer) -> bool:
    return offer.condition.proxy_class == FirstPurchaseCondition.path()


def range_applies_to(product_range: Range | None) -> dict[str, Any]:
    """What a range holds, for the API: everything, product classes (``course``) and single
    items (by their catalogue id, the page's translation key). Use with the range's ``classes``
    and ``included_products`` prefetched."""
    if product_range is None:
        return {"name": "", "everything": False, "product_classes": [], "items": []}
    return {
        "name": product_range.name,
        "everything": product_range.includes_all_products,
        "product_classes": sorted(product_class.slug for product_class in product_range.classes.all()),
        "items": [
            {"id": product.upc, "title": product.title}
            for product in sorted(product_range.included_products.all(), key=lambda product: product.pk)
        ],
    }


def site_offers_for_display() -> QuerySet[ConditionalOffer]:
    """Site offers running now, with what they need to describe themselves (benefit and ranges)."""
    return (
        ConditionalOffer.active.filter(offer_type=ConditionalOffer.SITE)
        .select_related("condition", "benefit", "benefit__range", "condition__range")
        .prefetch_related(
            "benefit__range__classes",
            "benefit__range__included_products",
        )
        .order_by("-priority", "pk")
    )
