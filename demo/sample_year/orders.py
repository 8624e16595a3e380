"""The sample year's paid orders: the catalogue they sell, the orders (some discounted, some
refunded later), and what the checkout leaves with each: lines with VAT split out, the checkout's
payment facts, the invoice, and a credit note for a refund."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from oscar.apps.catalogue.models import Product, ProductClass
from oscar.apps.order.models import Line, Order

from backoffice.reports.base import studio_zone
from demo.sample_year.common import BATCH, CENT, OrderPlan, Sizes, moment
from shop.models import Checkout, Invoice
from shop.statuses import LineStatus, OrderStatus
from shop.vat import gross_split

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


def products_for_sale() -> dict[str, list]:
    """Products to sell by class slug: the catalogue's own where there are any, else sample ones."""
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


def orders_create(
    rng, sizes: Sizes, users, products, first_day: date, today: date, rate, seed, progress
) -> int:
    """``sizes.orders`` paid orders by two shoppers in five; returns how many were written."""
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
            paid_at = min(moment(rng, day), now)
            items = [rng.choice(products[rng.choice(classes)])]
            if rng.random() < 0.15:
                items.append(rng.choice(products["video"]))
            refunded_at = (
                min(paid_at + timedelta(days=rng.randint(1, 20)), now) if rng.random() < 0.04 else None
            )
            discount = Decimal("0.10") if rng.random() < 0.2 else Decimal("0")
            plans.append(OrderPlan(f"S{seed}{index:07d}", user, paid_at, items, discount, refunded_at))
        orders_write(plans, rate)
        made += len(plans)
        progress("sample orders", made, sizes.orders)
    return made


def orders_write(plans: list[OrderPlan], rate: Decimal) -> dict[str, list]:
    """Paid orders as the checkout leaves them: lines priced after discounts with VAT split out,
    the checkout's payment (and refund) facts, the invoice, and a credit note for a refund.
    Returns each order's lines by its number."""
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
    lines_of = {plan.number: _lines(plan, rate) for plan in plans}
    Line.objects.bulk_create([line for lines in lines_of.values() for line in lines])
    _payments_write(plans, lines_of)
    return lines_of


def _lines(plan: OrderPlan, rate: Decimal) -> list[Line]:
    """The order's lines, each priced after the plan's discount with its VAT split out."""
    lines = []
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
    return lines


def _payments_write(plans: list[OrderPlan], lines_of: dict[str, list]) -> None:
    """Each order's checkout with its payment (and refund) facts, its invoice and credit note."""
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


def _document(kind: str, order, issued_at: datetime, lines, sign: int):
    """An invoice or credit note as shop.invoices writes it (numbers from a sample series)."""
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
