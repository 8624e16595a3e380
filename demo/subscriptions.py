"""Demo subscriptions without Stripe: the monthly and yearly plans, and one subscriber.

Written through the local stand-in for Stripe (``shop.subscriptions.local``): the same mirror rows
Stripe's objects would make, so access, the plan list and the library read them unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from djstripe.models import Customer, Price

from shop.subscriptions.local import customer_put, price_put, subscription_data
from shop.subscriptions.plans import DEFAULT_PLANS, plan_put, plans_for
from shop.subscriptions.services import subscription_mirror
from shop.subscriptions.state import subscription_states


def seed_plans() -> list:
    """The demo's monthly and yearly plans, their prices in the mirror as Stripe would make them."""
    plans = []
    for order, text in enumerate(DEFAULT_PLANS):
        price = price_put(
            key=f"{text.interval}ly",
            name=text.name_en,
            amount_cents=int(text.amount * 100),
            interval=text.interval,
        )
        plans.append(plan_put(text=text, price_id=price.id, sort_order=order))
    return plans


def seed_subscriber(user) -> bool:
    """Give a demo shopper an active monthly subscription (once); ``False`` when they have one or
    Stripe is configured (then subscriptions come from Stripe only)."""
    if settings.STRIPE_SECRET_KEY or subscription_states(user):
        return False
    monthly = next((plan for plan in plans_for("de") if plan.interval == "month"), None)
    if monthly is None:
        return False
    with transaction.atomic():
        customer = Customer.objects.filter(subscriber=user).first() or customer_put(user=user)
        price = Price.objects.get(id=monthly.price_id)
        subscription_mirror(data=subscription_data(customer=customer, price=price, start=timezone.now()))
    return True
