"""The sample year's subscribers: about one shopper in twelve subscribes (monthly or yearly), a
fifth of them cancel later, and each paid period is a paid Stripe invoice in dj-stripe's mirror."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from djstripe.models import Customer, Invoice, Subscription

from backoffice.reports.base import studio_zone
from demo.sample_year.common import BATCH, ts
from shop.vat import gross_split

PLAN_PRICES = {"month": Decimal("19.00"), "year": Decimal("190.00")}


def subscriptions_create(rng, users, today: date, rate, progress) -> int:
    """About one shopper in twelve subscribes (monthly or yearly); a fifth of them cancel later.
    Each paid period is a paid Stripe invoice in the mirror."""
    livemode = settings.STRIPE_LIVE_MODE
    end_of_today = datetime.combine(today + timedelta(days=1), time.min, tzinfo=studio_zone())
    now = min(timezone.now(), end_of_today)
    chosen = [user for user in users if rng.random() < 1 / 12]
    customers = [_customer(user, livemode) for user in chosen]
    Customer.objects.bulk_create(customers, batch_size=BATCH)
    customer_by_user = {customer.subscriber_id: customer for customer in customers}
    subscriptions, invoices = [], []
    for user in chosen:
        interval = "year" if rng.random() < 0.25 else "month"
        started = user.date_joined + timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 10))
        if started >= now:
            continue
        ends = None
        if rng.random() < 0.2:
            ends = started + timedelta(days=rng.randint(20, 300))
            ends = ends if ends < now else None
        periods = _periods(started, ends or end_of_today, interval)
        customer = customer_by_user[user.pk]
        subscriptions.append(_subscription(user, customer, interval, periods, ends, livemode))
        for number, paid in enumerate(periods):
            if paid > now:
                break
            invoices.append(_invoice(user, customer, interval, number, paid, rate, livemode))
    Subscription.objects.bulk_create(subscriptions, batch_size=BATCH)
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    # dj-stripe keeps the subscription on its invoices as a foreign key too.
    by_id = {subscription.id: subscription for subscription in subscriptions}
    for invoice in invoices:
        invoice.subscription = by_id.get(invoice.stripe_data["subscription"])
    Invoice.objects.bulk_update(invoices, ["subscription"], batch_size=BATCH)
    progress("sample subscriptions", len(subscriptions), len(subscriptions))
    return len(subscriptions)


def _customer(user, livemode: bool) -> Customer:
    customer_id = f"cus_sample{user.pk}"
    return Customer(
        id=customer_id,
        livemode=livemode,
        subscriber=user,
        email=user.email,
        created=user.date_joined,
        stripe_data={
            "id": customer_id,
            "object": "customer",
            "email": user.email,
            "livemode": livemode,
            "created": ts(user.date_joined),
            "metadata": {},
        },
    )


def _step(moment: datetime, interval: str) -> datetime:
    """The start of the period after the one starting at ``moment``."""
    return moment + timedelta(days=365) if interval == "year" else _next_month(moment)


def _periods(started: datetime, until: datetime, interval: str) -> list[datetime]:
    """The starts of the periods from ``started`` until ``until``."""
    periods = []
    period_start = started
    while period_start < until:
        periods.append(period_start)
        period_start = _step(period_start, interval)
    return periods


def _subscription(user, customer: Customer, interval: str, periods, ends, livemode: bool) -> Subscription:
    started, current_start = periods[0], periods[-1]
    subscription_id = f"sub_sample{user.pk}"
    item = {
        "id": f"si_sample{user.pk}",
        "object": "subscription_item",
        "quantity": 1,
        "price": {
            "id": f"price_sample_{interval}",
            "object": "price",
            "currency": "eur",
            "unit_amount": int(PLAN_PRICES[interval] * 100),
            "recurring": {"interval": interval, "interval_count": 1},
            "type": "recurring",
        },
    }
    return Subscription(
        id=subscription_id,
        livemode=livemode,
        created=started,
        customer=customer,
        stripe_data={
            "id": subscription_id,
            "object": "subscription",
            "customer": customer.id,
            "status": "canceled" if ends else "active",
            "created": ts(started),
            "start_date": ts(started),
            "current_period_start": ts(current_start),
            "current_period_end": ts(_step(current_start, interval)),
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": ts(ends) if ends else None,
            "ended_at": ts(ends) if ends else None,
            "currency": "eur",
            "livemode": livemode,
            "metadata": {},
            "items": {"object": "list", "data": [item]},
        },
    )


def _invoice(user, customer: Customer, interval: str, number: int, paid, rate, livemode: bool) -> Invoice:
    """The paid Stripe invoice of the subscription's ``number``-th period, starting at ``paid``."""
    amount = PLAN_PRICES[interval]
    split = gross_split(amount, rate)
    net, vat = split.net, split.vat
    invoice_id = f"in_sample{user.pk}_{number}"
    return Invoice(
        id=invoice_id,
        livemode=livemode,
        created=paid,
        customer=customer,
        stripe_data={
            "id": invoice_id,
            "object": "invoice",
            "customer": customer.id,
            "subscription": f"sub_sample{user.pk}",
            "billing_reason": "subscription_create" if number == 0 else "subscription_cycle",
            "status": "paid",
            "paid": True,
            "currency": "eur",
            "livemode": livemode,
            "created": ts(paid),
            "period_start": ts(paid),
            "period_end": ts(_step(paid, interval)),
            "amount_due": int(amount * 100),
            "amount_paid": int(amount * 100),
            "amount_remaining": 0,
            "subtotal": int(amount * 100),
            "total": int(amount * 100),
            "total_excluding_tax": int(net * 100),
            "tax": int(vat * 100),
            "total_taxes": [{"amount": int(vat * 100), "tax_behavior": "inclusive"}],
            "status_transitions": {"paid_at": ts(paid), "finalized_at": ts(paid)},
            "metadata": {},
        },
    )


def _next_month(moment: datetime) -> datetime:
    month = moment.month % 12 + 1
    year = moment.year + (moment.month == 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month, day=day)
