"""A year of a studio's business, written in bulk, for the reports to show: shoppers signing up,
paid orders (some discounted, some refunded later, with their invoices and credit notes),
subscriptions with their monthly or yearly Stripe invoices in dj-stripe's mirror, consultations
(booked, completed, cancelled, missed) and viewing rolled up per video and day.

Every row has the shape the shop's, booking's and media's own code writes (the same statuses,
the same fields the reports read), but is written with ``bulk_create``: 100,000 orders through the
checkout would take hours. Used by ``seed_demo`` (a small year), the browser tests and the
report benchmark (10,000 shoppers, 100,000 orders). Deterministic for a ``seed``; rows are marked
by their e-mail domain and numbers, so a second run with the same seed adds nothing.

One module per step, named by what it writes: customers, orders (with their invoices),
subscriptions, bookings and viewing; ``common`` holds what they share.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice.reports.base import studio_zone
from demo.sample_year.bookings import bookings_create
from demo.sample_year.common import Progress, Sizes, quiet
from demo.sample_year.customers import customers_create
from demo.sample_year.orders import orders_create, products_for_sale
from demo.sample_year.subscriptions import subscriptions_create
from demo.sample_year.viewing import viewing_create


def sample_data_create(
    *,
    customers: int,
    orders: int,
    today: date | None = None,
    seed: int = 1,
    days: int = 365,
    progress: Progress = quiet,
) -> dict[str, int]:
    """Write the sample year ending ``today``; returns how many rows of each kind were added."""
    today = today or timezone.localdate(timezone.now(), studio_zone())
    rng = random.Random(seed)  # noqa: S311  (sample data, not secrets)
    sizes = Sizes(customers=customers, orders=orders, days=days)
    first_day = today - timedelta(days=days - 1)
    rate = Decimal(settings.SHOP_VAT_RATE)
    with transaction.atomic():
        users = customers_create(rng, sizes, first_day, seed, progress)
        added = {"customers": len(users)}
        if not users:
            return {"customers": 0}
        products = products_for_sale()
        added["orders"] = orders_create(rng, sizes, users, products, first_day, today, rate, seed, progress)
        added["subscriptions"] = subscriptions_create(rng, users, today, rate, progress)
        added["bookings"] = bookings_create(rng, users, first_day, today, rate, seed, progress)
        added["watch_days"] = viewing_create(rng, users, first_day, today, progress)
    return added
