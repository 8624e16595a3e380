"""``GET /api/v1/me/orders/`` and ``GET /api/v1/me/orders/{number}/``: the shopper's orders with
their lines, discounts, VAT, status and invoices.

Amounts are gross as the shopper paid them; each line's net and VAT are the ones stored when the
order was placed (``shop.checkout.ordering``), and the totals are the sums of the lines. Another person's
order number answers 404, as an unknown one does. A constant number of queries per page.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from oscar.apps.order.models import Line, Order
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import PersonalApi
from core.api import ERROR
from core.money import money
from core.pagination import PageNumberPagination
from shop.api.serializers import PageQuerySerializer, ShopperOrderListSerializer, ShopperOrderSerializer
from shop.checkout.selectors import orders_of
from shop.models import Checkout, Invoice

ZERO = Decimal("0.00")


def _timestamp(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value else None


def _line(line: Line, currency: str) -> dict[str, Any]:
    product = line.product
    gross, net = line.line_price_incl_tax, line.line_price_excl_tax
    return {
        "title": line.title,
        "kind": product.product_class.slug if product and product.product_class else None,
        "item_id": line.upc or None,
        "quantity": line.quantity,
        "unit_price": money(line.unit_price_incl_tax, currency),
        "discount": money(line.line_price_before_discounts_incl_tax - gross, currency),
        "gross": money(gross, currency),
        "net": money(net, currency),
        "vat": money(gross - net, currency),
        "status": line.status,
    }


def _invoice_url(request: Request, order: Order, invoice: Invoice) -> str:
    if invoice.kind == Invoice.Kind.INVOICE:
        where = reverse("me-order-invoice", kwargs={"number": order.number})
    else:
        where = reverse(
            "me-order-credit-note", kwargs={"number": order.number, "credit_number": invoice.number}
        )
    return request.build_absolute_uri(where)


def _refunded(order: Order) -> Decimal:
    try:
        return order.checkout.amount_refunded
    except Checkout.DoesNotExist:
        return ZERO


def order_answer(order: Order, request: Request) -> dict[str, Any]:
    currency = order.currency
    lines = list(order.lines.all())
    discounts = list(order.discounts.all())
    return {
        "number": order.number,
        "placed_at": _timestamp(order.date_placed),
        "status": order.status,
        "lines": [_line(line, currency) for line in lines],
        "discounts": [
            {
                "voucher_code": discount.voucher_code or None,
                "offer_name": discount.offer_name,
                "amount": money(discount.amount, currency),
            }
            for discount in discounts
        ],
        "totals": {
            "net": money(order.total_excl_tax, currency),
            "vat": money(order.total_incl_tax - order.total_excl_tax, currency),
            "gross": money(order.total_incl_tax, currency),
            "discount": money(sum((discount.amount for discount in discounts), ZERO), currency),
            "refunded": money(_refunded(order), currency),
        },
        "invoices": [
            {
                "number": invoice.number,
                "kind": invoice.kind,
                "issued_at": _timestamp(invoice.issued_at),
                "url": _invoice_url(request, order, invoice),
            }
            for invoice in order.invoices.all()
        ],
    }


class OrderListApi(PersonalApi):
    @extend_schema(
        operation_id="me_orders_list",
        parameters=[PageQuerySerializer],
        responses={200: ShopperOrderListSerializer, 400: ERROR, 401: ERROR},
        description="The caller's orders, newest first, paginated: lines with gross, net, VAT and "
        "discount each, the discounts applied (voucher code, offer), totals (net + VAT = gross, "
        "the sum of the lines) and the invoice and credit notes with their PDF addresses.",
    )
    def get(self, request: Request) -> Response:
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        orders = paginator.paginate_queryset(orders_of(request.user), request, view=self)
        return paginator.get_paginated_response([order_answer(order, request) for order in orders])


class OrderDetailApi(PersonalApi):
    @extend_schema(
        operation_id="me_orders_retrieve",
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH, description="the order number")],
        responses={200: ShopperOrderSerializer, 401: ERROR, 404: ERROR},
        description="One of the caller's orders (404 for an unknown number or someone else's).",
    )
    def get(self, request: Request, number: str) -> Response:
        order = orders_of(request.user).filter(number=number).first()
        if order is None:
            raise Http404
        return Response(order_answer(order, request))
