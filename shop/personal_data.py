"""The shop's part of a person's data export and erasure, handed to ``accounts.registry`` in
``ShopConfig.ready()``.

Orders are kept for accounting when a person is erased: number, date, status, lines and amounts
stay; who placed them does not (no user, no e-mail, addresses emptied but for the country, which
says where VAT on digital goods was due). Everything else the shop (Oscar) holds about the person
is deleted: saved addresses, open baskets, wish lists, stock alerts, reviews, e-mails and
notifications sent, browsing history, statistics, saved cards. So are the person's grants (what
they may watch): nobody can log in to an erased account, and the orders that paid for them stay.
The person's Stripe customer is deleted, which ends their subscriptions in Stripe at once.
Invoices and credit notes issued are kept as issued, buyer's name included: German law keeps
invoices for ten years (§ 147 AO, § 14b UStG), and a document once issued may not change. The
export lists them with each order.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from oscar.apps.address.models import UserAddress
from oscar.apps.analytics.models import UserProductView, UserRecord, UserSearch
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.reviews.models import ProductReview, Vote
from oscar.apps.communication.models import Email, Notification
from oscar.apps.customer.models import ProductAlert
from oscar.apps.order.models import BillingAddress, Order, OrderNote, ShippingAddress
from oscar.apps.payment.models import Bankcard
from oscar.apps.voucher.models import VoucherApplication
from oscar.apps.wishlists.models import WishList
from rest_framework import serializers

from accounts import registry
from cms.selectors.served import titles_by_key
from core.money import money
from shop.models import Grant
from shop.subscriptions.services import subscriptions_erase, subscriptions_export

ADDRESS_FIELDS = ("title", "first_name", "last_name", "line1", "line2", "line3", "line4", "state", "postcode")
ORDER_ADDRESS_FIELDS = (*ADDRESS_FIELDS, "country_id")

# Records that are the person's alone: (export key, model, the field naming the person, fields exported).
PERSONAL_RECORDS: tuple[tuple[str, type[Model], str, tuple[str, ...]], ...] = (
    (
        "addresses",
        UserAddress,
        "user",
        (
            *ADDRESS_FIELDS,
            "country_id",
            "phone_number",
            "notes",
            "is_default_for_shipping",
            "is_default_for_billing",
            "date_created",
        ),
    ),
    ("product_alerts", ProductAlert, "user", ("product__title", "email", "status", "date_created")),
    (
        "reviews",
        ProductReview,
        "user",
        ("product__title", "score", "title", "body", "name", "email", "homepage", "status", "date_created"),
    ),
    ("review_votes", Vote, "user", ("review__title", "delta", "date_created")),
    ("emails", Email, "user", ("email", "subject", "body_text", "date_sent")),
    ("notifications", Notification, "recipient", ("subject", "body", "date_sent", "date_read")),
    ("product_views", UserProductView, "user", ("product__title", "date_created")),
    ("searches", UserSearch, "user", ("query", "date_created")),
    (
        "statistics",
        UserRecord,
        "user",
        ("num_product_views", "num_basket_additions", "num_orders", "total_spent", "date_last_order"),
    ),
    ("saved_cards", Bankcard, "user", ("card_type", "name", "number", "expiry_date")),
)
# Baskets nobody will pay for any more are deleted; frozen (checkout under way) and submitted ones
# belong to orders and only lose their owner.
DISPOSABLE_BASKET_STATUSES = (Basket.OPEN, Basket.SAVED, Basket.MERGED)


def _plain(value: Any) -> Any:
    """JSON as the API writes it: decimals as strings, phone numbers and the like as text."""
    if value is None or isinstance(value, str | bool | int | float | datetime.date | list | dict):
        return value
    if isinstance(value, Decimal):
        return f"{value}"
    return str(value)


def _rows(queryset: QuerySet, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {name.replace("__", "_").removesuffix("_id"): _plain(value) for name, value in row.items()}
        for row in queryset.order_by("pk").values(*fields)
    ]


def _order_address(address: BillingAddress | ShippingAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {name.removesuffix("_id"): _plain(getattr(address, name)) for name in ORDER_ADDRESS_FIELDS}


def orders_export(user) -> list[dict[str, Any]]:
    orders = (
        Order.objects.filter(user=user)
        .select_related("billing_address", "shipping_address")
        .prefetch_related("lines", "invoices")
        .order_by("-date_placed", "-pk")
    )
    return [
        {
            "number": order.number,
            "date_placed": order.date_placed,
            "status": order.status,
            "email": order.guest_email or None,
            "total": money(order.total_incl_tax, order.currency),
            "total_excl_tax": money(order.total_excl_tax, order.currency),
            "billing_address": _order_address(order.billing_address),
            "shipping_address": _order_address(order.shipping_address),
            "lines": [
                {
                    "title": line.title,
                    "upc": line.upc,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price_incl_tax, order.currency),
                    "line_price": money(line.line_price_incl_tax, order.currency),
                }
                for line in order.lines.all()
            ],
            "invoices": [
                {
                    "number": invoice.number,
                    "kind": invoice.kind,
                    "issued_at": invoice.issued_at,
                    "gross": money(invoice.gross, invoice.currency),
                }
                for invoice in order.invoices.all()
            ],
        }
        for order in orders
    ]


def orders_erase(user) -> None:
    """Keep the orders for the books, without the person: see the module's docstring."""
    orders = Order.objects.filter(user=user)
    addresses = [
        *BillingAddress.objects.filter(order__in=orders),
        *ShippingAddress.objects.filter(order__in=orders),
    ]
    for address in addresses:
        for name in ADDRESS_FIELDS:
            setattr(address, name, "")
        if isinstance(address, ShippingAddress):
            address.phone_number = ""
            address.notes = ""
        address.save()  # also rebuilds Oscar's search text from the emptied fields
    orders.update(user=None, guest_email="")
    OrderNote.objects.filter(user=user).update(user=None)
    VoucherApplication.objects.filter(user=user).update(user=None)


def shop_records_export(user) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: _rows(model.objects.filter(**{owner: user}), fields)
        for key, model, owner, fields in PERSONAL_RECORDS
    }
    baskets = (
        Basket.objects.filter(owner=user, status__in=DISPOSABLE_BASKET_STATUSES + (Basket.FROZEN,))
        .prefetch_related("lines__product")
        .order_by("pk")
    )
    data["baskets"] = [
        {
            "status": basket.status,
            "date_created": basket.date_created,
            "lines": [
                {
                    "product": line.product.get_title() if line.product else None,
                    "quantity": line.quantity,
                    "price": money(line.price_incl_tax, line.price_currency),
                }
                for line in basket.lines.all()
            ],
        }
        for basket in baskets
    ]
    wish_lists = WishList.objects.filter(owner=user).prefetch_related("lines").order_by("pk")
    data["wish_lists"] = [
        {
            "name": wish_list.name,
            "visibility": wish_list.visibility,
            "date_created": wish_list.date_created,
            "lines": [{"title": line.title, "quantity": line.quantity} for line in wish_list.lines.all()],
        }
        for wish_list in wish_lists
    ]
    return data


def shop_records_erase(user) -> None:
    for _key, model, owner, _fields in PERSONAL_RECORDS:
        model.objects.filter(**{owner: user}).delete()
    WishList.objects.filter(owner=user).delete()
    Basket.objects.filter(owner=user, status__in=DISPOSABLE_BASKET_STATUSES).delete()
    Basket.objects.filter(owner=user).update(owner=None)


def grants_export(user) -> list[dict[str, Any]]:
    """What the person may (or, revoked, no longer may) watch, and why."""
    grants = list(
        Grant.objects.filter(user=user).select_related("order_line__order").order_by("created_at", "pk")
    )
    titles = titles_by_key({grant.item_key for grant in grants}, locale=user.locale or "de")
    return [
        {
            "item_id": str(grant.item_key),
            "item_title": titles.get(grant.item_key),
            "source": grant.source,
            "status": grant.status,
            "order_number": grant.order_line.order.number if grant.order_line else None,
            "reason": grant.reason,
            "revoked_reason": grant.revoked_reason,
            "created_at": grant.created_at,
            "changed_at": grant.changed_at,
        }
        for grant in grants
    ]


def grants_erase(user) -> None:
    Grant.objects.filter(user=user).delete()


class GrantExportSerializer(serializers.Serializer):
    """Documentation of the ``grants`` section (built by ``grants_export``)."""

    item_id = serializers.UUIDField(help_text="the translation key of the video, course or bundle")
    item_title = serializers.CharField(allow_null=True)
    source = serializers.CharField(help_text=" | ".join(Grant.Source.values))
    status = serializers.CharField(help_text=" | ".join(Grant.Status.values))
    order_number = serializers.CharField(allow_null=True, help_text="the order that paid for it")
    reason = serializers.CharField(help_text="why staff granted it")
    revoked_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField()


class OrderLineExportSerializer(serializers.Serializer):
    title = serializers.CharField()
    upc = serializers.CharField(allow_null=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.JSONField(help_text='{"amount": "19.00", "currency": "EUR"}')
    line_price = serializers.JSONField(help_text='{"amount": "19.00", "currency": "EUR"}')


class OrderExportSerializer(serializers.Serializer):
    """Documentation of the ``orders`` section (the export is built by ``orders_export``)."""

    number = serializers.CharField()
    date_placed = serializers.DateTimeField()
    status = serializers.CharField()
    email = serializers.EmailField(allow_null=True, help_text="Only for orders placed as a guest.")
    total = serializers.JSONField(help_text='{"amount": "19.00", "currency": "EUR"}')
    total_excl_tax = serializers.JSONField()
    billing_address = serializers.DictField(allow_null=True)
    shipping_address = serializers.DictField(allow_null=True)
    lines = OrderLineExportSerializer(many=True)
    invoices = serializers.ListField(
        child=serializers.DictField(),
        help_text="Invoices and credit notes: number, kind (invoice | credit_note), issued_at, gross.",
    )


class SubscriptionExportSerializer(serializers.Serializer):
    """Documentation of the ``subscriptions`` section (from dj-stripe's mirror of Stripe)."""

    id = serializers.CharField(help_text="Stripe's subscription id")
    status = serializers.CharField()
    price = serializers.CharField(help_text="Stripe's price id of the plan")
    current_period_start = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    created = serializers.DateTimeField(allow_null=True)


class ShopRecordsExportSerializer(serializers.Serializer):
    """Documentation of the ``shop`` section: lists of Oscar's records, one key per kind."""

    baskets = serializers.ListField(child=serializers.DictField())
    wish_lists = serializers.ListField(child=serializers.DictField())
    addresses = serializers.ListField(child=serializers.DictField())
    product_alerts = serializers.ListField(child=serializers.DictField())
    reviews = serializers.ListField(child=serializers.DictField())
    review_votes = serializers.ListField(child=serializers.DictField())
    emails = serializers.ListField(child=serializers.DictField())
    notifications = serializers.ListField(child=serializers.DictField())
    product_views = serializers.ListField(child=serializers.DictField())
    searches = serializers.ListField(child=serializers.DictField())
    statistics = serializers.ListField(child=serializers.DictField())
    saved_cards = serializers.ListField(child=serializers.DictField())


def register() -> None:
    registry.register(
        "orders", export=orders_export, erase=orders_erase, schema=OrderExportSerializer(many=True)
    )
    registry.register(
        "grants", export=grants_export, erase=grants_erase, schema=GrantExportSerializer(many=True)
    )
    registry.register(
        "subscriptions",
        export=subscriptions_export,
        erase=subscriptions_erase,
        schema=SubscriptionExportSerializer(many=True),
    )
    registry.register(
        "shop", export=shop_records_export, erase=shop_records_erase, schema=ShopRecordsExportSerializer()
    )
