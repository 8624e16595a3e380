"""Conversion from sign-up to first purchase, by the day, week or month shoppers signed up.

A shopper is an account that is neither staff nor superuser. Their *first purchase* is the
earliest of their first paid order (``Checkout.paid_at``; an order with nothing to pay is not a
purchase) and their first paid subscription invoice with money in it (Stripe's
``status_transitions.paid_at`` in dj-stripe's mirror; a free trial is not a purchase). A refund
later does not undo that the shopper bought.

Each bucket shows the shoppers who signed up in it, how many of them made their first purchase
within the chosen window after signing up (7, 30, 90 days, or ever until now), the rate, and the
median days it took them; beside it, how many first purchases were made in the bucket, whenever
those shoppers signed up. A cohort younger than its window can still convert: its rate grows.

Three queries whatever the range: the first paid order of every buyer and the first paid
subscription invoice of every subscriber (each grouped by shopper in the database), and the
sign-ups of the range. They are put together here, a few thousand small tuples a year: joining a
per-shopper minimum to the sign-ups in SQL needs either a correlated subquery evaluated again by
each aggregate (seconds at 10,000 shoppers and 100,000 orders) or hand-written SQL with a
PostgreSQL-only median; this costs a tenth of that and gives the exact median on any database.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from backoffice.reports.base import Column, Filter, Report, register, share
from backoffice.reports.revenue import paid_stripe_invoices
from shop.models import Checkout

EVER = "ever"
WINDOWS = {"7": 7, "30": 30, "90": 90, EVER: None}
SECONDS_A_DAY = 86400
SHOPPER = {"is_staff": False, "is_superuser": False}


def first_purchases() -> dict[int, datetime]:
    """{user id: when the shopper first bought} for every shopper who ever bought."""
    orders = (
        Checkout.objects.filter(
            paid_at__isnull=False,
            order__user__isnull=False,
            **{f"order__user__{key}": value for key, value in SHOPPER.items()},
        )
        .exclude(provider=Checkout.Provider.FREE)
        .values_list("order__user")
        .annotate(first=Min("paid_at"))
        .order_by()
    )
    subscriptions = (
        paid_stripe_invoices()
        .filter(
            stripe_data__amount_paid__gt=0,
            customer__subscriber__isnull=False,
            **{f"customer__subscriber__{key}": value for key, value in SHOPPER.items()},
        )
        .values_list("customer__subscriber")
        .annotate(first=Min("paid_moment"))
        .order_by()
    )
    found: dict[int, datetime] = {}
    for user_id, first in [*orders, *subscriptions]:
        if user_id not in found or first < found[user_id]:
            found[user_id] = first
    return found


@register
class ConversionReport(Report):
    slug = "conversion"
    title = _("Conversion")
    description = _(
        "Shoppers by when they signed up, and how many of them made a first purchase (an order or a "
        "subscription payment) within the chosen window."
    )
    columns = [
        Column("period", _("Period"), "text"),
        Column("signups", _("Sign-ups"), "int"),
        Column("converted", _("First purchase in window"), "int"),
        Column("rate", _("Conversion rate"), "percent"),
        Column("median_days", _("Median days to first purchase"), "days"),
        Column("first_purchases", _("First purchases made (by purchase date)"), "int"),
    ]
    filters = {
        "window": Filter(
            _("First purchase"),
            (
                ("7", _("within 7 days")),
                ("30", _("within 30 days")),
                ("90", _("within 90 days")),
                (EVER, _("ever")),
            ),
            default="30",
        )
    }

    # ---- Figures -----------------------------------------------------------------------------

    def figures(self) -> dict[date, dict[str, Any]]:
        """{bucket: {"signups", "waits" (days each converted shopper took), "first_purchases"}}, and
        the same for the whole range under ``None``; computed once."""
        if getattr(self, "_figures", None) is not None:
            return self._figures
        period = self.period
        days = WINDOWS[self.options.get("window", "30")]
        window = timedelta(days=days) if days is not None else None
        firsts = first_purchases()
        found: dict[date | None, dict[str, Any]] = defaultdict(
            lambda: {"signups": 0, "waits": [], "first_purchases": 0}
        )
        signed_up = get_user_model().objects.filter(
            date_joined__gte=period.since, date_joined__lt=period.until, **SHOPPER
        )
        rows = signed_up.annotate(bucket=period.trunc("date_joined")).values_list(
            "pk", "date_joined", "bucket"
        )
        for user_id, joined, bucket in rows.order_by():
            found[bucket]["signups"] += 1
            found[None]["signups"] += 1
            first = firsts.get(user_id)
            if first is None:
                continue
            waited = max(first - joined, timedelta(0))  # never negative, whatever the clocks said
            if window is None or waited < window:
                found[bucket]["waits"].append(waited.total_seconds() / SECONDS_A_DAY)
                found[None]["waits"].append(waited.total_seconds() / SECONDS_A_DAY)
        for first in firsts.values():
            if period.since <= first < period.until:
                found[period.bucket(first)]["first_purchases"] += 1
                found[None]["first_purchases"] += 1
        self._figures = found
        return found

    @staticmethod
    def _row(label: str, cell: dict[str, Any]) -> dict[str, Any]:
        signups, waits = cell["signups"], cell["waits"]
        return {
            "period": label,
            "signups": signups,
            "converted": len(waits),
            "rate": share(len(waits), signups),
            "median_days": round(statistics.median(waits), 1) if waits else None,
            "first_purchases": cell["first_purchases"],
        }

    def rows(self) -> list[dict[str, Any]]:
        figures = self.figures()
        return [self._row(self.period.label(bucket), figures[bucket]) for bucket in self.period.buckets()]

    def totals(self) -> dict[str, Any]:
        """The whole range: its median is the median of all its converted shoppers."""
        return self._row(str(_("Total")), self.figures()[None])

    def chart(self) -> dict[str, Any]:
        rows = self.rows()
        return {
            "type": "bar",
            "labels": [row["period"] for row in rows],
            "datasets": [
                {"label": str(_("Sign-ups")), "data": [row["signups"] for row in rows], "yAxisID": "y"},
                {
                    "label": str(_("First purchase in window")),
                    "data": [row["converted"] for row in rows],
                    "yAxisID": "y",
                },
                {
                    "type": "line",
                    "label": str(_("Conversion rate")),
                    "data": [round(row["rate"], 4) for row in rows],
                    "yAxisID": "y1",
                },
            ],
            "y1": {"percent": True},
        }
