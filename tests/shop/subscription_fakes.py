"""Subscriptions at Stripe's HTTP boundary: plans mirrored from Stripe's price objects, and
subscriptions built from Stripe's example object, at our API version (2024-04-10: the period
on the subscription itself).

Fixtures to import into a test module: ``plans`` (a monthly and a yearly plan, DE and EN, their
prices mirrored through dj-stripe) and ``stripe_sub`` (a :class:`StripeSubscriptions` that answers
Stripe's subscription API like Stripe, one object per subscription, changed by the test).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.conf import settings
from djstripe.models import Price

from shop.subscriptions.plans import DEFAULT_PLANS, Plan, plan_put, plans_for
from stripe_fakes import API, FakeStripe, new_id, stripe_object

ACCOUNT = "acct_test_phialo"


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def price_object(*, key: str, amount: Decimal, interval: str) -> dict[str, Any]:
    product = stripe_object("product", id=f"prod_test_{key}", name=f"Phialo {key}", active=True)
    return stripe_object(
        "price",
        id=f"price_test_{key}",
        active=True,
        currency="eur",
        unit_amount=int(amount * 100),
        unit_amount_decimal=str(int(amount * 100)),
        recurring={
            "interval": interval,
            "interval_count": 1,
            "usage_type": "licensed",
            "meter": None,
            "trial_period_days": None,
        },
        type="recurring",
        tax_behavior="inclusive",
        billing_scheme="per_unit",
        tiers_mode=None,
        transform_quantity=None,
        custom_unit_amount=None,
        lookup_key=key,
        product=product,
    )


def customer_object(user, **overrides: Any) -> dict[str, Any]:
    fields = {
        "id": new_id("cus"),
        "email": user.email,
        "metadata": {"djstripe_subscriber": str(user.pk)},
        "default_source": None,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "sources": None,
        "subscriptions": None,
        "tax_ids": None,
        "test_clock": None,
        "discount": None,
    }
    fields.update(overrides)
    return stripe_object("customer", **fields)


def subscription_object(
    *, customer: str, price: dict, status: str, start: datetime, end: datetime, **overrides: Any
) -> dict[str, Any]:
    subscription_id = overrides.pop("id", None) or new_id("sub")
    bare_price = dict(
        price, product=price["product"]["id"] if isinstance(price["product"], dict) else price["product"]
    )
    item = {
        "id": new_id("si"),
        "object": "subscription_item",
        "created": ts(start),
        "metadata": {},
        "price": bare_price,
        "quantity": 1,
        "subscription": subscription_id,
        "tax_rates": [],
        "discounts": [],
        "billing_thresholds": None,
    }
    fields = {
        "id": subscription_id,
        "customer": customer,
        "status": status,
        "created": ts(start),
        "start_date": ts(start),
        "billing_cycle_anchor": ts(start),
        "current_period_start": ts(start),
        "current_period_end": ts(end),
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "trial_start": None,
        "trial_end": None,
        "currency": "eur",
        "latest_invoice": None,
        "default_payment_method": None,
        "pending_update": None,
        "pending_setup_intent": None,
        "schedule": None,
        "discount": None,
        "discounts": [],
        "metadata": {},
        "items": {
            "object": "list",
            "data": [item],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
    }
    fields.update(overrides)
    subscription = stripe_object("subscription", **fields)
    for key in ("billing_mode", "billing_schedules", "managed_payments", "customer_account"):
        subscription.pop(key, None)
    return subscription


@dataclass
class Plans:
    monthly: Plan
    yearly: Plan
    prices: dict[str, dict]  # interval -> Stripe price object

    def price(self, interval: str) -> dict:
        return self.prices[interval]


class StripeSubscriptions:
    """Stripe's subscription API for one test: what Stripe holds is what the test last set."""

    def __init__(self, api: FakeStripe) -> None:
        self.api = api
        self.held: dict[str, dict] = {}
        api.on("GET", "/v1/account", stripe_object("account", id=ACCOUNT))
        # dj-stripe mirrors a product's features along with it.
        api.mock.add(
            responses.GET,
            re.compile(rf"{re.escape(API)}/v1/products/[^/]+/features"),
            json={"object": "list", "url": "/v1/products/features", "has_more": False, "data": []},
        )

    def customer(self, user) -> dict:
        customer = customer_object(user)
        self.api.now("GET", f"/v1/customers/{customer['id']}", customer)
        return customer

    def hold(self, subscription: dict) -> dict:
        """Stripe now holds ``subscription`` (a retrieve answers it)."""
        self.held[subscription["id"]] = copy.deepcopy(subscription)
        self.api.now("GET", f"/v1/subscriptions/{subscription['id']}", subscription)
        self._list()
        return subscription

    def change(self, subscription_id: str, **fields: Any) -> dict:
        return self.hold({**self.held[subscription_id], **fields})

    def _list(self) -> None:
        if getattr(self, "_listing", False):
            return
        self._listing = True

        def answer(request):
            status = parse_qs(urlparse(request.url).query).get("status", ["all"])[0]
            found = [s for s in self.held.values() if status == "all" or s["status"] == status]
            body = {"object": "list", "url": "/v1/subscriptions", "has_more": False, "data": found}
            return 200, {}, json.dumps(body)

        self.api.mock.add_callback(responses.GET, f"{API}/v1/subscriptions", callback=answer)


@pytest.fixture
def stripe_sub(stripe_api) -> StripeSubscriptions:
    return StripeSubscriptions(stripe_api)


@pytest.fixture
def plans(db, stripe_sub) -> Plans:
    """A monthly (19.00) and a yearly (190.00) plan, DE and EN, their prices mirrored by dj-stripe."""
    prices = {}
    for order, text in enumerate(DEFAULT_PLANS):
        price = price_object(key=text.interval + "ly", amount=text.amount, interval=text.interval)
        Price.sync_from_stripe_data(price, api_key=settings.STRIPE_SECRET_KEY)
        plan_put(text=text, price_id=price["id"], sort_order=order)
        prices[text.interval] = price
    offered = {plan.interval: plan for plan in plans_for("de")}
    return Plans(monthly=offered["month"], yearly=offered["year"], prices=prices)
