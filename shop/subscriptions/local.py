"""Subscriptions without Stripe, for the demo and development (DEBUG on, no ``STRIPE_SECRET_KEY``).

The same mirror rows Stripe's objects would make (dj-stripe ``Product``, ``Price``, ``Customer``,
``Subscription``), built here in Stripe's shape and written directly, so everything that reads the
mirror — access, the plan list, ``/me/subscription/``, the library — works unchanged. Two local
pages (:mod:`.local_page`) stand in for Stripe Checkout and the customer portal; this module
writes the mirror's rows as Stripe would and signs the links to those pages.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from djstripe.models import Customer, Price, Product, Subscription

SALT = "shop.subscriptions.local"
LINK_MAX_AGE = 24 * 60 * 60


def enabled() -> bool:
    return bool(settings.DEBUG and not settings.STRIPE_SECRET_KEY)


def _local_id(prefix: str) -> str:
    return f"{prefix}_local{secrets.token_hex(8)}"


def _moment(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def _row(model, data: dict, **fields):
    row, _ = model.objects.update_or_create(
        id=data["id"],
        defaults={
            "livemode": False,
            "created": _moment(data.get("created")),
            "metadata": data.get("metadata") or {},
            "stripe_data": data,
            **fields,
        },
    )
    return row


def price_put(*, key: str, name: str, amount_cents: int, interval: str) -> Price:
    """A product and its recurring EUR price, as Stripe would send them (ids stable per ``key``)."""
    now = int(timezone.now().timestamp())
    product_data = {
        "id": f"prod_local_{key}",
        "object": "product",
        "name": name,
        "active": True,
        "created": now,
    }
    product = _row(Product, product_data, name=name, active=True)
    price_data = {
        "id": f"price_local_{key}",
        "object": "price",
        "active": True,
        "currency": "eur",
        "unit_amount": amount_cents,
        "recurring": {"interval": interval, "interval_count": 1},
        "product": product.id,
        "tax_behavior": "inclusive",
        "type": "recurring",
        "lookup_key": key,
        "nickname": name,
        "created": now,
    }
    return _row(
        Price, price_data, active=True, currency="eur", nickname=name, product=product, lookup_key=key
    )


def customer_put(*, user) -> Customer:
    data = {
        "id": _local_id("cus"),
        "object": "customer",
        "email": user.email,
        "created": int(timezone.now().timestamp()),
        "metadata": {"djstripe_subscriber": str(user.pk)},
    }
    return _row(Customer, data, email=user.email, subscriber=user)


def subscription_put(*, data: dict) -> Subscription:
    customer = Customer.objects.get(id=data["customer"])
    return _row(Subscription, data, customer=customer)


def subscription_data(*, customer: Customer, price: Price, start: datetime) -> dict:
    """A new active subscription as Stripe sends it (the fields the shop reads, and a few more)."""
    interval = price.stripe_data["recurring"]["interval"]
    end = start + (relativedelta(years=1) if interval == "year" else relativedelta(months=1))
    subscription_id = _local_id("sub")
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer.id,
        "status": "active",
        "created": int(start.timestamp()),
        "start_date": int(start.timestamp()),
        "current_period_start": int(start.timestamp()),
        "current_period_end": int(end.timestamp()),
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "collection_method": "charge_automatically",
        "currency": "eur",
        "livemode": False,
        "metadata": {"user_id": str(customer.subscriber_id)},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": _local_id("si"),
                    "object": "subscription_item",
                    "price": price.stripe_data,
                    "quantity": 1,
                    "subscription": subscription_id,
                }
            ],
        },
    }


def _token(user, purpose: str, plan_id: str = "") -> str:
    return signing.dumps({"user": user.pk, "purpose": purpose, "plan": plan_id}, salt=SALT)


def checkout_url(*, user, plan) -> str:
    token = _token(user, "subscribe", str(plan.id))
    return f"{settings.BACKEND_URL}{reverse('shop-local-subscription', args=[token])}"


def portal_url(*, user) -> str:
    return f"{settings.BACKEND_URL}{reverse('shop-local-subscription', args=[_token(user, 'portal')])}"


def link_claim(token: str) -> dict:
    """What a signed link to a local page says (404 when disabled, forged or too old)."""
    if not enabled():
        raise Http404
    try:
        return signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise Http404 from error
