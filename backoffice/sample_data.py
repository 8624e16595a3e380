"""A year of a studio's business, written in bulk, for the reports to show: shoppers signing up,
paid orders (some discounted, some refunded later, with their invoices and credit notes),
subscriptions with their monthly or yearly Stripe invoices in dj-stripe's mirror, consultations
(booked, completed, cancelled, missed) and viewing rolled up per video and day.

Every row has the shape the shop's, booking's and media's own code writes (the same statuses,
the same fields the reports read), but is written with ``bulk_create``: 100,000 orders through the
checkout would take hours. Used by ``seed_demo`` (a small year), the browser tests and the
report benchmark (10,000 shoppers, 100,000 orders). Deterministic for a ``seed``; rows are marked
by their e-mail domain and numbers, so a second run with the same seed adds nothing.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backoffice.reports.base import studio_zone
from shop.vat import gross_split

CENT = Decimal("0.01")
BATCH = 2000
DOMAIN = "sample.phialo.localhost"

# (slug, title, gross price) of the catalogue the sample sells; existing products of these classes
# are used first, so the demo's reports name the demo's own videos.
SAMPLE_ITEMS = [
    ("video", "Ringschiene sägen", Decimal("19.00")),
    ("video", "Fassen einer Krappe", Decimal("24.00")),
    ("video", "Polieren mit Filz", Decimal("14.00")),
    ("video", "Wachsmodell für den Guss", Decimal("29.00")),
    ("course", "Goldschmieden für Einsteiger", Decimal("149.00")),
    ("course", "Steine fassen", Decimal("189.00")),
    ("bundle", "Werkstatt komplett", Decimal("299.00")),
]
PLAN_PRICES = {"month": Decimal("19.00"), "year": Decimal("190.00")}

Progress = Callable[[str, int, int], None]


def _quiet(what: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Sizes:
    customers: int
    orders: int
    days: int = 365


def _moment(rng: random.Random, day: date) -> datetime:
    """A time of day shoppers buy at (08:00 to 23:59 Berlin), as an aware datetime."""
    minutes = rng.randint(8 * 60, 24 * 60 - 1)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=studio_zone())


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def sample_data_create(
    *,
    customers: int,
    orders: int,
    today: date | None = None,
    seed: int = 1,
    days: int = 365,
    progress: Progress = _quiet,
) -> dict[str, int]:
    """Write the sample year ending ``today``; returns how many rows of each kind were added."""
    from django.conf import settings

    today = today or timezone.localdate(timezone.now(), studio_zone())
    rng = random.Random(seed)  # noqa: S311  (sample data, not secrets)
    sizes = Sizes(customers=customers, orders=orders, days=days)
    first_day = today - timedelta(days=days - 1)
    rate = Decimal(settings.SHOP_VAT_RATE)
    with transaction.atomic():
        users = _customers(rng, sizes, first_day, seed, progress)
        added = {"customers": len(users)}
        if not users:
            return {"customers": 0}
        products = _products()
        added["orders"] = _orders(rng, sizes, users, products, first_day, today, rate, seed, progress)
        added["subscriptions"] = _subscriptions(rng, users, today, rate, progress)
        added["bookings"] = _bookings(rng, users, first_day, today, rate, seed, progress)
        added["watch_days"] = _viewing(rng, users, first_day, today, progress)
    return added


def _customers(rng, sizes: Sizes, first_day: date, seed: int, progress: Progress) -> list:
    User = get_user_model()
    prefix = f"s{seed}-"
    if User.objects.filter(email__startswith=prefix, email__endswith=DOMAIN).exists():
        return []
    users = []
    for index in range(sizes.customers):
        joined = _moment(rng, first_day + timedelta(days=rng.randrange(sizes.days))) - timedelta(hours=8)
        users.append(
            User(
                email=f"{prefix}{index:06d}@{DOMAIN}",
                first_name=rng.choice(["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannah"]),
                last_name=rng.choice(["Schmidt", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"]),
                locale=rng.choice(["de", "de", "de", "en"]),
                date_joined=joined,
                password="!",  # noqa: S106  (Django's mark for "no usable password")
            )
        )
    created = []
    for start in range(0, len(users), BATCH):
        created += User.objects.bulk_create(users[start : start + BATCH])
        progress("sample shoppers", min(start + BATCH, len(users)), len(users))
    return created


def _products() -> dict[str, list]:
    """Products to sell by class slug: the catalogue's own where there are any, else sample ones."""
    from oscar.apps.catalogue.models import Product, ProductClass

    found: dict[str, list] = {}
    for slug, title, price in SAMPLE_ITEMS:
        product_class, _ = ProductClass.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "requires_shipping": False, "track_stock": False}
        )
        if slug not in found:
            found[slug] = [
                (product, None)
                for product in Product.objects.filter(product_class=product_class, upc__isnull=False)
                .exclude(upc="")
                .order_by("pk")[:20]
            ]
        if not any(product.title == title for product, _price in found[slug]):
            product, _ = Product.objects.get_or_create(
                upc=str(uuid.uuid5(uuid.NAMESPACE_URL, f"phialo-sample/{title}")),
                defaults={"title": title, "product_class": product_class, "structure": "standalone"},
            )
            found[slug].append((product, price))
    prices = {title: price for _slug, title, price in SAMPLE_ITEMS}
    return {
        slug: [(product, price or prices.get(product.title) or Decimal("19.00")) for product, price in items]
        for slug, items in found.items()
    }


@dataclass
class OrderPlan:
    number: str
    user: object
    paid_at: datetime
    items: list  # (product, gross price before discounts)
    discount: Decimal = Decimal("0")
    refunded_at: datetime | None = None
    order: object = None  # set once written


def _orders(rng, sizes: Sizes, users, products, first_day: date, today: date, rate, seed, progress) -> int:
    classes = ["video"] * 6 + ["course"] * 3 + ["bundle"]
    now = timezone.now()
    # Two shoppers in five ever buy; those who do come back.
    buyers = rng.sample(users, k=max(1, len(users) * 2 // 5))
    made = 0
    for start in range(0, sizes.orders, BATCH):
        plans = []
        for index in range(start, min(start + BATCH, sizes.orders)):
            user = buyers[rng.randrange(len(buyers))]
            # Shoppers buy soon after they sign up, a few much later.
            joined = timezone.localtime(user.date_joined, studio_zone()).date()
            earliest = max(first_day, joined)
            day = earliest + timedelta(days=int(rng.expovariate(1 / 45)))
            if day > today:
                day = earliest + timedelta(days=rng.randrange((today - earliest).days + 1))
            paid_at = min(_moment(rng, day), now)
            items = [rng.choice(products[rng.choice(classes)])]
            if rng.random() < 0.15:
                items.append(rng.choice(products["video"]))
            refunded_at = (
                min(paid_at + timedelta(days=rng.randint(1, 20)), now) if rng.random() < 0.04 else None
            )
            discount = Decimal("0.10") if rng.random() < 0.2 else Decimal("0")
            plans.append(OrderPlan(f"S{seed}{index:07d}", user, paid_at, items, discount, refunded_at))
        _orders_write(plans, rate)
        made += len(plans)
        progress("sample orders", made, sizes.orders)
    return made


def _orders_write(plans: list[OrderPlan], rate: Decimal) -> dict[str, list]:
    """Paid orders as the checkout leaves them: lines priced after discounts with VAT split out,
    the checkout's payment (and refund) facts, the invoice, and a credit note for a refund."""
    from oscar.apps.order.models import Line, Order

    from shop.models import Checkout, Invoice
    from shop.statuses import LineStatus, OrderStatus

    for plan in plans:
        total = sum(((price * (1 - plan.discount)).quantize(CENT) for _p, price in plan.items), Decimal("0"))
        plan.order = Order(
            number=plan.number,
            user=plan.user,
            currency="EUR",
            total_incl_tax=total,
            total_excl_tax=gross_split(total, rate).net,
            shipping_method="No shipping required",
            status=OrderStatus.REFUNDED if plan.refunded_at else OrderStatus.PAID,
            guest_email="",
            date_placed=plan.paid_at,
        )
    Order.objects.bulk_create([plan.order for plan in plans])
    lines_of: dict[str, list] = {}
    for plan in plans:
        lines = lines_of[plan.number] = []
        for product, price in plan.items:
            gross = (price * (1 - plan.discount)).quantize(CENT)
            net = gross_split(gross, rate).net
            lines.append(
                Line(
                    order=plan.order,
                    partner_name="Phialo",
                    partner_sku=product.upc or str(product.pk),
                    partner_line_reference="",
                    partner_line_notes="",
                    product=product,
                    title=product.title,
                    upc=product.upc,
                    quantity=1,
                    line_price_incl_tax=gross,
                    line_price_excl_tax=net,
                    line_price_before_discounts_incl_tax=price,
                    line_price_before_discounts_excl_tax=gross_split(price, rate).net,
                    unit_price_incl_tax=gross,
                    unit_price_excl_tax=net,
                    status=LineStatus.REFUNDED if plan.refunded_at else LineStatus.PAID,
                    num_allocated=0,
                )
            )
    Line.objects.bulk_create([line for lines in lines_of.values() for line in lines])
    checkouts, documents = [], []
    for plan in plans:
        order, lines, refunded = plan.order, lines_of[plan.number], plan.refunded_at is not None
        checkouts.append(
            Checkout(
                order=order,
                user=plan.user,
                idempotency_key=f"sample-{order.number}",
                provider=Checkout.Provider.LOCAL,
                paid_at=plan.paid_at,
                amount_paid=order.total_incl_tax,
                amount_refunded=order.total_incl_tax if refunded else Decimal("0.00"),
                amount_refund_applied=order.total_incl_tax if refunded else Decimal("0.00"),
                refunded_line_ids=[line.pk for line in lines] if refunded else [],
            )
        )
        documents.append(_document(Invoice.Kind.INVOICE, order, plan.paid_at, lines, 1))
        if refunded:
            documents.append(_document(Invoice.Kind.CREDIT_NOTE, order, plan.refunded_at, lines, -1))
    Checkout.objects.bulk_create(checkouts)
    # created_at is auto_now_add: the checkout began when the order was paid, not today.
    Checkout.objects.filter(pk__in=[checkout.pk for checkout in checkouts]).update(created_at=F("paid_at"))
    Invoice.objects.bulk_create(documents)
    return lines_of


def _document(kind: str, order, issued_at: datetime, lines, sign: int):
    """An invoice or credit note as shop.documents.invoices writes it (numbers from a sample series)."""
    from shop.models import Invoice

    rows = []
    for position, line in enumerate(lines, start=1):
        before, gross, net = (
            line.line_price_before_discounts_incl_tax,
            line.line_price_incl_tax,
            line.line_price_excl_tax,
        )
        amounts = {
            "price": before,
            "discount": before - gross,
            "net": net,
            "vat": gross - net,
            "gross": gross,
        }
        rows.append(
            {"position": position, "title": line.title, "quantity": 1}
            | {key: f"{sign * value:.2f}" for key, value in amounts.items()}
        )
    totals = {
        key: f"{sum(Decimal(row[key]) for row in rows):.2f}"
        for key in ("price", "discount", "net", "vat", "gross")
    }
    local = timezone.localtime(issued_at, studio_zone())
    # A series of its own (from 1,000,000,000, by the order's number) so sample documents never
    # take a number the real sequence will give.
    sequence = 1_000_000_000 + int(order.number[1:]) % 1_000_000_000
    number = f"{'SRE' if kind == Invoice.Kind.INVOICE else 'SGS'}-{order.number}"
    return Invoice(
        kind=kind,
        number=number,
        year=local.year,
        sequence=sequence,
        order=order,
        refund_key=f"sample-refund-{order.number}" if kind == Invoice.Kind.CREDIT_NOTE else "",
        issued_at=issued_at,
        net=Decimal(totals["net"]),
        vat=Decimal(totals["gross"]) - Decimal(totals["net"]),
        gross=Decimal(totals["gross"]),
        currency="EUR",
        content={
            "kind": kind,
            "number": number,
            "order_number": order.number,
            "lines": rows,
            "totals": totals,
            "sample": True,
        },
    )


def _subscriptions(rng, users, today: date, rate, progress) -> int:
    """About one shopper in twelve subscribes (monthly or yearly); a fifth of them cancel later.
    Each paid period is a paid Stripe invoice in the mirror."""
    from django.conf import settings
    from djstripe.models import Customer, Invoice, Subscription

    livemode = settings.STRIPE_LIVE_MODE
    end_of_today = datetime.combine(today + timedelta(days=1), time.min, tzinfo=studio_zone())
    now = min(timezone.now(), end_of_today)
    chosen = [user for user in users if rng.random() < 1 / 12]
    customers, subscriptions, invoices = [], [], []
    for user in chosen:
        customer_id = f"cus_sample{user.pk}"
        customers.append(
            Customer(
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
                    "created": _ts(user.date_joined),
                    "metadata": {},
                },
            )
        )
    Customer.objects.bulk_create(customers, batch_size=BATCH)
    customer_by_user = {customer.subscriber_id: customer for customer in customers}
    for user in chosen:
        interval = "year" if rng.random() < 0.25 else "month"
        amount = PLAN_PRICES[interval]
        started = user.date_joined + timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 10))
        if started >= now:
            continue
        step = (lambda moment: moment + timedelta(days=365)) if interval == "year" else _next_month
        ends = None
        if rng.random() < 0.2:
            ends = started + timedelta(days=rng.randint(20, 300))
            ends = ends if ends < now else None
        periods = []
        period_start = started
        while period_start < (ends or end_of_today):
            periods.append(period_start)
            period_start = step(period_start)
        current_start = periods[-1]
        current_end = step(current_start)
        subscription_id = f"sub_sample{user.pk}"
        price_id = f"price_sample_{interval}"
        status = "canceled" if ends else "active"
        subscriptions.append(
            Subscription(
                id=subscription_id,
                livemode=livemode,
                created=started,
                customer=customer_by_user[user.pk],
                stripe_data={
                    "id": subscription_id,
                    "object": "subscription",
                    "customer": customer_by_user[user.pk].id,
                    "status": status,
                    "created": _ts(started),
                    "start_date": _ts(started),
                    "current_period_start": _ts(current_start),
                    "current_period_end": _ts(current_end),
                    "cancel_at_period_end": False,
                    "cancel_at": None,
                    "canceled_at": _ts(ends) if ends else None,
                    "ended_at": _ts(ends) if ends else None,
                    "currency": "eur",
                    "livemode": livemode,
                    "metadata": {},
                    "items": {
                        "object": "list",
                        "data": [
                            {
                                "id": f"si_sample{user.pk}",
                                "object": "subscription_item",
                                "quantity": 1,
                                "price": {
                                    "id": price_id,
                                    "object": "price",
                                    "currency": "eur",
                                    "unit_amount": int(amount * 100),
                                    "recurring": {"interval": interval, "interval_count": 1},
                                    "type": "recurring",
                                },
                            }
                        ],
                    },
                },
            )
        )
        for number, paid in enumerate(periods):
            if paid > now:
                break
            split = gross_split(amount, rate)
            net, vat = split.net, split.vat
            invoice_id = f"in_sample{user.pk}_{number}"
            invoices.append(
                Invoice(
                    id=invoice_id,
                    livemode=livemode,
                    created=paid,
                    customer=customer_by_user[user.pk],
                    stripe_data={
                        "id": invoice_id,
                        "object": "invoice",
                        "customer": customer_by_user[user.pk].id,
                        "subscription": subscription_id,
                        "billing_reason": "subscription_create" if number == 0 else "subscription_cycle",
                        "status": "paid",
                        "paid": True,
                        "currency": "eur",
                        "livemode": livemode,
                        "created": _ts(paid),
                        "period_start": _ts(paid),
                        "period_end": _ts(step(paid)),
                        "amount_due": int(amount * 100),
                        "amount_paid": int(amount * 100),
                        "amount_remaining": 0,
                        "subtotal": int(amount * 100),
                        "total": int(amount * 100),
                        "total_excluding_tax": int(net * 100),
                        "tax": int(vat * 100),
                        "total_taxes": [{"amount": int(vat * 100), "tax_behavior": "inclusive"}],
                        "status_transitions": {"paid_at": _ts(paid), "finalized_at": _ts(paid)},
                        "metadata": {},
                    },
                )
            )
    Subscription.objects.bulk_create(subscriptions, batch_size=BATCH)
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    # dj-stripe keeps the subscription on its invoices as a foreign key too.
    by_id = {subscription.id: subscription for subscription in subscriptions}
    for invoice in invoices:
        invoice.subscription = by_id.get(invoice.stripe_data["subscription"])
    Invoice.objects.bulk_update(invoices, ["subscription"], batch_size=BATCH)
    progress("sample subscriptions", len(subscriptions), len(subscriptions))
    return len(subscriptions)


def _next_month(moment: datetime) -> datetime:
    month = moment.month % 12 + 1
    year = moment.year + (moment.month == 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month, day=day)


def _bookings(rng, users, first_day: date, today: date, rate: Decimal, seed: int, progress) -> int:
    """A consultant working Monday to Friday 10:00 to 16:00 (Berlin) with a 60 minute type, and two or
    three bookings on most working days of the year: completed, no-show, cancelled (refunded) or
    coming, each paid through an order of the type's Oscar product."""
    from booking.models import Booking, Consultant, ConsultationType, WorkingHours
    from booking.products import product_for, products_sync

    User = get_user_model()
    consultant_user, _ = User.objects.get_or_create(
        email=f"consultant-s{seed}@{DOMAIN}",
        defaults={"first_name": "Mara", "last_name": "Goldmann", "password": "!"},
    )
    consultant, created = Consultant.objects.get_or_create(
        user=consultant_user,
        defaults={"display_name": "Mara Goldmann (sample)", "time_zone": "Europe/Berlin"},
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(consultant=consultant, weekday=weekday, start_time=time(10), end_time=time(16))
            for weekday in range(5)
        )
    consultation_type = ConsultationType.objects.filter(consultant=consultant).first()
    if consultation_type is None:
        from wagtail.models import Locale

        locale = Locale.objects.get_or_create(language_code="de")[0]
        consultation_type = ConsultationType.objects.create(
            consultant=consultant,
            title="Werkstattgespräch (Beispiel)",
            duration_minutes=60,
            price=Decimal("89.00"),
            first_timer_price=Decimal("69.00"),
            locale=locale,
        )
    product = product_for(consultation_type, first_timer=False) or products_sync(consultation_type)[0]
    zone = studio_zone()
    now = timezone.now()
    rows, plans = [], []
    day = first_day
    while day <= today + timedelta(days=14):
        if day.weekday() < 5:
            for hour in rng.sample([10, 11, 13, 14, 15], k=rng.randint(0, 3)):
                start = datetime.combine(day, time(hour), tzinfo=zone)
                if start > now:
                    status = Booking.Status.CONFIRMED
                else:
                    status = rng.choices(
                        [Booking.Status.COMPLETED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED],
                        weights=[85, 5, 10],
                    )[0]
                booked_at = min(start - timedelta(days=rng.randint(2, 20)), now - timedelta(hours=1))
                cancelled = status == Booking.Status.CANCELLED
                # Cancelled well before the meeting: the whole price went back (booking.policy).
                cancelled_at = booked_at + timedelta(hours=12) if cancelled else None
                user = users[rng.randrange(len(users))]
                plan = OrderPlan(
                    f"S{seed}9{len(rows):06d}", user, booked_at, [(product, consultation_type.price)]
                )
                plan.refunded_at = cancelled_at
                plans.append(plan)
                rows.append(
                    Booking(
                        consultant=consultant,
                        type=consultation_type,
                        user=user,
                        status=status,
                        start=start,
                        end=start + timedelta(minutes=60),
                        blocked_from=start,
                        blocked_until=start + timedelta(minutes=60),
                        price=consultation_type.price,
                        confirmed_at=booked_at,
                        cancelled_at=cancelled_at,
                        refund_amount=consultation_type.price if cancelled else Decimal("0.00"),
                        meeting_provider="jitsi",
                        created_at=booked_at,
                    )
                )
        day += timedelta(days=1)
    lines_of = _orders_write(plans, rate)
    for booking, plan in zip(rows, plans, strict=True):
        booking.order = plan.order
        booking.order_line_id = lines_of[plan.number][0].pk
    Booking.objects.bulk_create(rows, batch_size=BATCH)
    progress("sample consultations", len(rows), len(rows))
    return len(rows)


def _viewing(rng, users, first_day: date, today: date, progress) -> int:
    """Viewers watching the catalogue's videos over the year, as the progress reports leave it
    (one WatchDay per viewer, video and day), then rolled up like the beat task does."""
    from media_pipeline.models import WatchDay

    videos = _video_keys()
    rows = []
    viewers = [user for user in users if rng.random() < 0.5]
    for user in viewers:
        for key, duration in rng.sample(videos, k=min(len(videos), rng.randint(1, 4))):
            earliest = max(first_day, timezone.localtime(user.date_joined, studio_zone()).date())
            day = earliest + timedelta(days=rng.randrange(max(1, (today - earliest).days + 1)))
            # Most stop somewhere; the further in, the fewer get there.
            furthest = duration * min(1.0, rng.betavariate(2.2, 1.2))
            watched = 0.0
            sessions = rng.randint(1, 3)
            for session in range(sessions):
                if day > today:
                    break
                part = furthest / sessions
                watched += part
                rows.append(
                    WatchDay(
                        user=user,
                        video_key=key,
                        day=day,
                        seconds=round(part, 1),
                        furthest_seconds=round(furthest if session == 0 else watched, 1),
                        duration_seconds=duration,
                        started=session == 0,
                        completed=session == sessions - 1 and furthest >= 0.9 * duration,
                    )
                )
                day += timedelta(days=rng.randint(1, 6))
    WatchDay.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    progress("sample viewing", len(rows), len(rows))
    try:
        from backoffice.engagement import engagement_roll_up
    except ImportError:  # pragma: no cover - until the roll-up lands
        return len(rows)
    engagement_roll_up()
    return len(rows)


def _video_keys() -> list[tuple[uuid.UUID, float]]:
    """(translation key, duration) of the catalogue's videos; invented ones when there are none."""
    from cms.models import VideoPage

    found = []
    for page in VideoPage.objects.filter(locale__language_code="de").order_by("pk")[:40]:
        duration = None
        video = getattr(page, "video", None)
        if video is not None:
            duration = getattr(video, "duration_seconds", None) or getattr(video, "duration", None)
        found.append((page.translation_key, float(duration or 600)))
    if found:
        return found
    return [(uuid.uuid5(uuid.NAMESPACE_URL, f"phialo-sample/video/{n}"), 300.0 + 120 * n) for n in range(8)]
