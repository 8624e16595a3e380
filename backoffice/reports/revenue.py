"""Revenue by day, week or month: what was sold (single purchases, bundles, subscriptions,
consultations), its net, VAT and gross, and what was given back.

Where the figures come from, and why:

- **Shop sales** are the order lines of orders whose :class:`~shop.models.Checkout` has a
  ``paid_at``, counted in the bucket of that moment. A line carries its final price after
  discounts, VAT included (``line_price_incl_tax``) and excluded (``line_price_excl_tax``), split
  by ``shop.vat`` on the amount actually paid. The invoice (``shop.models.Invoice``) is the legal
  record, but its amounts are a frozen copy of exactly these lines (``shop.documents.invoices._line_rows``),
  so the sums are the same; the lines also say what was sold (the product class) and when it was
  paid, while the invoice holds neither: it is issued by a task after the payment, and its
  ``issued_at`` may fall on the next day. The product class decides the category: ``bundle``,
  ``consultation``, and ``video``/``course`` (or a product since gone) as single purchases.
- **Subscriptions** are the paid invoices of dj-stripe's mirror of Stripe (``invoice.paid`` is
  mirrored), counted in the bucket of Stripe's ``status_transitions.paid_at``. Gross is
  ``amount_paid`` (money received; a balance credit applied was counted when it was paid); the
  VAT is the invoice's tax (``total - total_excluding_tax``, our prices include VAT) in the same
  proportion. One-off purchases go through Checkout in payment mode, which makes no Stripe
  invoice, so every paid Stripe invoice is a subscription's.
- **Refunds** are the credit notes (``Invoice`` of kind ``credit_note``): one per refund, with
  its own net/VAT split, issued when the refund is recorded, so a refund lands in the bucket of
  when it happened, not of the sale. A credit note does not name the category of a partial
  refund, so refunds are one column.
- **Refunds of subscription payments** are made in Stripe's dashboard and have no credit note:
  they are dj-stripe's mirrored ``Refund`` rows of a charge that paid a Stripe invoice
  (``shop.payments.stripe_events.charge_refunded`` mirrors them, failed ones too), counted when
  ``succeeded``, in the bucket of the refund's ``created``. dj-stripe's own ``Charge`` holds only
  the cumulative ``amount_refunded``, which has no date. The VAT is the invoice's tax in
  proportion, as for the payment. A shop order's charge has no invoice (Checkout in payment
  mode), so its refunds are counted once, as its credit notes.

Each figure is one grouped query (four in all), whatever the range or the number of orders.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, DateTimeField, DecimalField, F, Func, Sum, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils.translation import gettext_lazy as _
from djstripe.models import Invoice as StripeInvoice
from djstripe.models import Refund as StripeRefund
from oscar.apps.order.models import Line

from backoffice.reports.base import Column, Filter, Report, register
from shop.models import Invoice

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SINGLE, BUNDLES, SUBSCRIPTIONS, CONSULTATIONS = "single", "bundles", "subscriptions", "consultations"
CATEGORIES = (SINGLE, BUNDLES, SUBSCRIPTIONS, CONSULTATIONS)
CATEGORY_LABELS = {
    SINGLE: _("Single purchases"),
    BUNDLES: _("Bundles"),
    SUBSCRIPTIONS: _("Subscriptions"),
    CONSULTATIONS: _("Consultations"),
}
# Oscar product class slug → category; anything else (video, course, a product since gone) is single.
PRODUCT_CLASS_CATEGORY = {"bundle": BUNDLES, "consultation": CONSULTATIONS}
GROSS, NET = "gross", "net"
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _stripe_cents(key: str, *, data: str = "stripe_data") -> Cast:
    """An integer (cents, a unix time) at ``key`` (``a__b`` for nested keys) of the mirrored JSON
    field ``data``, which may be reached through relations (``charge__invoice__stripe_data``)."""
    *path, last = key.split("__")
    expression = F(data)
    for name in path:
        expression = KeyTransform(name, expression)
    return Cast(KeyTextTransform(last, expression), BigIntegerField())


def _invoice_vat_cents(amount, *, data: str = "stripe_data") -> Round:
    """The VAT in ``amount`` (cents) of a Stripe invoice: its tax (``total - total_excluding_tax``;
    our prices include VAT) in proportion to its total. NULL for a zero total, which has no VAT
    (a sum skips it)."""
    total = _stripe_cents("total", data=data)
    tax = total - Coalesce(_stripe_cents("total_excluding_tax", data=data), total)
    return Round(Cast(amount * tax, MONEY) / NullIf(total, Value(0)))


class UnixTime(Func):
    """A unix time (seconds) as a timestamp: PostgreSQL's ``to_timestamp``; on SQLite (the local
    default) the UTC text Django stores datetimes as."""

    function = "to_timestamp"
    output_field = DateTimeField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="datetime(%(expressions)s, 'unixepoch')", **extra
        )


def stripe_paid_at() -> Func:
    """When Stripe says an invoice was paid (a unix time in the mirrored JSON), as a timestamp."""
    return UnixTime(_stripe_cents("status_transitions__paid_at"))


def paid_stripe_invoices():
    """The mirror's paid invoices, each with ``paid_moment``."""
    return StripeInvoice.objects.filter(stripe_data__status="paid").annotate(paid_moment=stripe_paid_at())


def _sum(field: str):
    return Coalesce(Sum(field), Value(ZERO), output_field=MONEY)


@register
class RevenueReport(Report):
    slug = "revenue"
    title = _("Revenue")
    description = _(
        "Sales by when they were paid, refunds by when they were given back (credit notes, and "
        "Stripe's refunds of subscription payments). Subscriptions are Stripe's paid invoices."
    )
    columns = [
        Column("period", _("Period"), "text"),
        *(Column(key, CATEGORY_LABELS[key], "money") for key in CATEGORIES),
        Column("net", _("Net"), "money"),
        Column("vat", _("VAT"), "money"),
        Column("gross", _("Gross"), "money"),
        Column("refunds", _("Refunds (gross)"), "money"),
        Column("net_after_refunds", _("Net after refunds"), "money"),
        Column("vat_after_refunds", _("VAT after refunds"), "money"),
        Column("gross_after_refunds", _("Gross after refunds"), "money"),
    ]
    filters = {
        "amounts": Filter(
            _("Categories show"),
            ((GROSS, _("Gross (incl. VAT)")), (NET, _("Net (excl. VAT)"))),
            default=GROSS,
        )
    }

    # ---- Queries (one each) --------------------------------------------------------------------

    def _shop_sales(self) -> list[dict[str, Any]]:
        period = self.period
        return list(
            Line.objects.filter(
                order__checkout__paid_at__gte=period.since, order__checkout__paid_at__lt=period.until
            )
            .annotate(bucket=period.trunc("order__checkout__paid_at"), kind=F("product__product_class__slug"))
            .values("bucket", "kind")
            .annotate(gross=_sum("line_price_incl_tax"), net=_sum("line_price_excl_tax"))
            .order_by()
        )

    def _subscription_sales(self) -> list[dict[str, Any]]:
        period = self.period
        paid = _stripe_cents("amount_paid")
        return list(
            paid_stripe_invoices()
            .filter(paid_moment__gte=period.since, paid_moment__lt=period.until)
            .annotate(bucket=period.trunc("paid_moment"))
            .values("bucket")
            # The VAT in what was paid: the invoice's tax, scaled when less than the total was paid.
            .annotate(gross_cents=Sum(paid), vat_cents=Sum(_invoice_vat_cents(paid)))
            .order_by()
        )

    def _refunds(self) -> list[dict[str, Any]]:
        period = self.period
        return list(
            Invoice.objects.filter(
                kind=Invoice.Kind.CREDIT_NOTE, issued_at__gte=period.since, issued_at__lt=period.until
            )
            .annotate(bucket=period.trunc("issued_at"))
            .values("bucket")
            # Credit notes carry negative amounts; a refund is shown as the (positive) money given back.
            .annotate(gross=_sum("gross"), net=_sum("net"), vat=_sum("vat"))
            .order_by()
        )

    def _subscription_refunds(self) -> list[dict[str, Any]]:
        period = self.period
        return list(
            StripeRefund.objects.filter(
                charge__invoice__isnull=False,
                stripe_data__status="succeeded",
                created__gte=period.since,
                created__lt=period.until,
            )
            .annotate(bucket=period.trunc("created"))
            .values("bucket")
            .annotate(
                gross_cents=Sum("amount"),
                vat_cents=Sum(_invoice_vat_cents(F("amount"), data="charge__invoice__stripe_data")),
            )
            .order_by()
        )

    # ---- Figures -------------------------------------------------------------------------------

    def figures(self) -> dict:
        """{bucket: {category: {"gross", "net"}, "refund": {"gross", "net", "vat"}}}, computed once."""
        if getattr(self, "_figures", None) is not None:
            return self._figures
        found: dict = defaultdict(lambda: defaultdict(lambda: {"gross": ZERO, "net": ZERO, "vat": ZERO}))
        for row in self._shop_sales():
            cell = found[row["bucket"]][PRODUCT_CLASS_CATEGORY.get(row["kind"], SINGLE)]
            # Quantized: SQLite (the demo) sums decimals as floats.
            cell["gross"] += Decimal(row["gross"]).quantize(CENT)
            cell["net"] += Decimal(row["net"]).quantize(CENT)
        for row in self._subscription_sales():
            gross = Decimal(row["gross_cents"] or 0) * CENT
            vat = Decimal(row["vat_cents"] or 0) * CENT
            cell = found[row["bucket"]][SUBSCRIPTIONS]
            cell["gross"] += gross
            cell["net"] += gross - vat
        for row in self._refunds():
            cell = found[row["bucket"]]["refund"]
            for key in ("gross", "net", "vat"):
                cell[key] -= Decimal(row[key]).quantize(CENT)
        for row in self._subscription_refunds():
            gross = Decimal(row["gross_cents"] or 0) * CENT
            vat = Decimal(row["vat_cents"] or 0) * CENT
            cell = found[row["bucket"]]["refund"]
            cell["gross"] += gross
            cell["vat"] += vat
            cell["net"] += gross - vat
        self._figures = found
        return found

    def _row(self, label: str, buckets: list) -> dict[str, Any]:
        figures = self.figures()
        shown = self.options.get("amounts", GROSS)
        row: dict[str, Any] = {"period": label}
        gross = net = ZERO
        for category in CATEGORIES:
            cells = [figures[bucket][category] for bucket in buckets if bucket in figures]
            category_gross = sum((cell["gross"] for cell in cells), ZERO)
            category_net = sum((cell["net"] for cell in cells), ZERO)
            row[category] = category_gross if shown == GROSS else category_net
            gross += category_gross
            net += category_net
        refunds = [figures[bucket]["refund"] for bucket in buckets if bucket in figures]
        refund = {key: sum((cell[key] for cell in refunds), ZERO) for key in ("gross", "net", "vat")}
        row.update(
            net=net,
            vat=gross - net,
            gross=gross,
            refunds=refund["gross"],
            net_after_refunds=net - refund["net"],
            vat_after_refunds=gross - net - refund["vat"],
            gross_after_refunds=gross - refund["gross"],
        )
        return row

    def rows(self) -> list[dict[str, Any]]:
        return [self._row(self.period.label(bucket), [bucket]) for bucket in self.period.buckets()]

    def totals(self) -> dict[str, Any]:
        return self._row(str(_("Total")), self.period.buckets())

    def chart(self) -> dict[str, Any]:
        rows = self.rows()
        datasets = [
            {"label": str(CATEGORY_LABELS[key]), "data": [float(row[key]) for row in rows], "stack": "money"}
            for key in CATEGORIES
        ]
        # Below the axis, in the same stack: what went back in the bucket.
        datasets.append(
            {
                "label": str(_("Refunds")),
                "data": [0.0 - float(row["refunds"]) for row in rows],
                "stack": "money",
            }
        )
        return {
            "type": "bar",
            "labels": [row["period"] for row in rows],
            "datasets": datasets,
            "stacked": True,
        }
