"""Reads of the shopper's placed orders (``GET /api/v1/me/orders/``)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from oscar.apps.order.models import Line, Order

from shop.models import Invoice


def orders_of(user) -> QuerySet[Order]:
    """The user's orders, newest first, with everything an order's answer shows prefetched."""
    return (
        Order.objects.filter(user=user)
        .select_related("checkout")
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.select_related("product__product_class").order_by("pk")),
            "discounts",
            Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at", "pk")),
        )
        .order_by("-date_placed", "-pk")
    )
