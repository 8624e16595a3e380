"""Subscribers: how many are active at the end of each bucket, who started and who left, and the
monthly recurring revenue (MRR) they stand for.

dj-stripe's mirror keeps each subscription as Stripe holds it *now*, not its history, so a
subscription's life is read back from its present fields as one span ``[started, ended)``:

- ``started``: Stripe's ``start_date`` (else ``created``). A subscription that never got its
  first payment (``incomplete``, ``incomplete_expired``) never started.
- ``ended``: for a subscription that can still give access (``active``, ``trialing``,
  ``past_due``), the moment :meth:`SubscriptionState.access_until` names once that moment has
  passed or a cancellation is scheduled (``cancel_at`` / at the period's end); otherwise it runs on.
  For the rest, Stripe's ``ended_at`` (else ``canceled_at``, else the grace after an unpaid
  renewal, else the period's end). The rules of what "active" means are
  :mod:`shop.subscriptions.state`'s; nothing here re-derives them.

Subscribers are people: the spans of one shopper that touch or overlap (a plan switch made as a
new subscription) are one subscriber, so a switch is neither a churn nor a new subscriber. MRR is
each subscription's list price per month (a yearly plan counts amount/12), times its quantity,
from the end of a trial on (a trial pays nothing, as in Stripe's own MRR), before coupons.

A subscription is active at a bucket's end when it started before that instant and had not ended
before it; it is new in the bucket its span starts in and churned in the one it ends in, so each
bucket's active count is the previous one plus new minus churned.

Two queries whatever the range: the subscriptions overlapping it, then a sweep in Python over
sorted starts and ends (bisection per bucket boundary).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from djstripe.models import Subscription

from backoffice.reports.base import Column, Report, bucket_next, register
from shop.subscriptions.state import ACTIVE, PAST_DUE, SubscriptionState, grace_period, state_fields

CENT = Decimal("0.01")
NEVER_STARTED = ("incomplete", "incomplete_expired")
# Months per billing interval (Stripe's intervals); a week and a day as their share of a month.
MONTHS_PER = {
    "month": Decimal(1),
    "year": Decimal(12),
    "week": Decimal(12) / Decimal(52),
    "day": Decimal(12) / Decimal(365),
}


@dataclass(frozen=True)
class Span:
    """One subscription's life as the mirror tells it, and what it pays a month."""

    person: tuple[str, int]  # the shopper (their Stripe customer when no shopper is linked)
    started: datetime
    ended: datetime | None  # None: runs on
    paying_from: datetime  # the trial's end, if it had one
    per_month: Decimal


def _moment(value) -> datetime | None:
    if value in (None, "", "null"):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def per_month(amount_cents, interval, interval_count, quantity) -> Decimal:
    """A price's monthly equivalent in EUR (unrounded): 190.00 a year is 15.8333…"""
    if amount_cents in (None, "") or interval not in MONTHS_PER:
        return Decimal(0)
    months = MONTHS_PER[interval] * int(interval_count or 1)
    return Decimal(int(amount_cents)) / 100 * int(quantity or 1) / months


def subscription_rows(*, since: datetime, until: datetime):
    """The few fields of every subscription whose span can overlap ``[since, until)`` (one query).

    Every span ends at most a grace period after its period's end, and one that runs on is
    ``active``/``trialing``/``past_due``: those are the ones that can reach into the range."""
    reach = int((since - grace_period()).timestamp())
    return (
        Subscription.objects.filter(livemode=settings.STRIPE_LIVE_MODE)
        .filter(Q(stripe_data__start_date__lt=int(until.timestamp())) | Q(created__lt=until))
        .filter(
            Q(stripe_data__status__in=[*ACTIVE, PAST_DUE]) | Q(stripe_data__current_period_end__gte=reach)
        )
        .exclude(stripe_data__status__in=NEVER_STARTED)
        .values(
            "id",
            "customer_id",
            user_id=F("customer__subscriber_id"),
            **state_fields(),
            start_date=KT("stripe_data__start_date"),
            ended_at=KT("stripe_data__ended_at"),
            canceled_at=KT("stripe_data__canceled_at"),
            trial_end=KT("stripe_data__trial_end"),
            unit_amount=KT("stripe_data__items__data__0__price__unit_amount"),
            interval=KT("stripe_data__items__data__0__price__recurring__interval"),
            interval_count=KT("stripe_data__items__data__0__price__recurring__interval_count"),
            quantity=KT("stripe_data__items__data__0__quantity"),
        )
    )


def span_of(row: dict, *, now: datetime, grace: timedelta) -> Span | None:
    """A subscription's span (see the module's docstring); ``None`` if it never ran."""
    state = SubscriptionState.from_row(row)
    if state.status in NEVER_STARTED:
        return None
    started = _moment(row["start_date"]) or state.created
    if started is None:
        return None
    if state.status in (*ACTIVE, PAST_DUE):
        until = state.access_until(grace)
        scheduled = state.status in ACTIVE and state.ends_at_period_end
        ended = until if until is not None and (until <= now or scheduled) else None
    else:
        ended = (
            _moment(row["ended_at"])
            or _moment(row["canceled_at"])
            or (state.period_start + grace if state.status == "unpaid" and state.period_start else None)
            or state.period_end
            or started
        )
    if ended is not None and ended <= started:
        return None
    trial_end = _moment(row["trial_end"])
    return Span(
        person=("user", row["user_id"]) if row["user_id"] else ("customer", row["customer_id"]),
        started=started,
        ended=ended,
        paying_from=max(started, trial_end) if trial_end else started,
        per_month=per_month(row["unit_amount"], row["interval"], row["interval_count"], row["quantity"]),
    )


def subscriber_spans(spans: list[Span]) -> list[tuple[datetime, datetime | None]]:
    """Each shopper's spans joined where they touch or overlap: one span per stretch as a subscriber."""
    by_person: dict[tuple[str, int], list[Span]] = {}
    for span in spans:
        by_person.setdefault(span.person, []).append(span)
    joined: list[tuple[datetime, datetime | None]] = []
    for own in by_person.values():
        own.sort(key=lambda span: span.started)
        start, end = own[0].started, own[0].ended
        for span in own[1:]:
            if end is None or span.started <= end:
                end = None if end is None or span.ended is None else max(end, span.ended)
            else:
                joined.append((start, end))
                start, end = span.started, span.ended
        joined.append((start, end))
    return joined


class _Sweep:
    """How many spans are running just before an instant, and how many began or ended in an interval."""

    def __init__(self, spans: list[tuple[datetime, datetime | None, Decimal]]) -> None:
        self.starts = sorted(start for start, _end, _weight in spans)
        self.ends = sorted(end for _start, end, _weight in spans if end is not None)
        by_start = sorted((start, weight) for start, _end, weight in spans)
        by_end = sorted((end, weight) for _start, end, weight in spans if end is not None)
        self.start_times = [moment for moment, _weight in by_start]
        self.end_times = [moment for moment, _weight in by_end]
        self.start_weights = [Decimal(0), *accumulate(weight for _moment, weight in by_start)]
        self.end_weights = [Decimal(0), *accumulate(weight for _moment, weight in by_end)]

    def running(self, at: datetime) -> int:
        return bisect.bisect_left(self.starts, at) - bisect.bisect_left(self.ends, at)

    def weight(self, at: datetime) -> Decimal:
        return (
            self.start_weights[bisect.bisect_left(self.start_times, at)]
            - self.end_weights[bisect.bisect_left(self.end_times, at)]
        )

    def began(self, since: datetime, until: datetime) -> int:
        return bisect.bisect_left(self.starts, until) - bisect.bisect_left(self.starts, since)

    def ended(self, since: datetime, until: datetime) -> int:
        return bisect.bisect_left(self.ends, until) - bisect.bisect_left(self.ends, since)


@register
class SubscribersReport(Report):
    slug = "subscribers"
    title = _("Subscribers")
    description = _(
        "Active subscribers at the end of each period, new and churned subscribers, and monthly "
        "recurring revenue (list prices per month, yearly plans as a twelfth, trials not counted)."
    )
    columns = [
        Column("bucket", _("Period"), "text"),
        Column("active", _("Active subscribers"), "int"),
        Column("new", _("New"), "int"),
        Column("churned", _("Churned"), "int"),
        Column("mrr", _("MRR"), "money"),
        Column("mrr_change", _("Net MRR change"), "money"),
    ]

    def _figures(self) -> list[dict[str, Any]]:
        if hasattr(self, "_rows"):
            return self._rows
        period = self.period
        now, grace = timezone.now(), grace_period()
        spans = [
            span
            for row in subscription_rows(since=period.since, until=period.until)
            if (span := span_of(row, now=now, grace=grace)) is not None
        ]
        people = _Sweep([(start, end, Decimal(0)) for start, end in subscriber_spans(spans)])
        paying = _Sweep(
            [
                (span.paying_from, span.ended, span.per_month)
                for span in spans
                if span.ended is None or span.paying_from < span.ended
            ]
        )
        rows = []
        previous = period.since
        mrr_before = paying.weight(previous)
        for bucket in period.buckets():
            boundary = min(
                datetime.combine(bucket_next(bucket, period.grain), time.min, tzinfo=period.zone),
                period.until,
            )
            mrr = paying.weight(boundary)
            rows.append(
                {
                    "bucket": period.label(bucket),
                    "active": people.running(boundary),
                    "new": people.began(previous, boundary),
                    "churned": people.ended(previous, boundary),
                    "mrr": mrr.quantize(CENT, rounding=ROUND_HALF_UP),
                    "mrr_change": (mrr - mrr_before).quantize(CENT, rounding=ROUND_HALF_UP),
                }
            )
            previous, mrr_before = boundary, mrr
        self._rows = rows
        self._mrr_start = paying.weight(period.since)
        return rows

    def rows(self) -> list[dict[str, Any]]:
        return self._figures()

    def totals(self) -> dict[str, Any] | None:
        rows = self._figures()
        if not rows:
            return None
        last = rows[-1]
        return {
            "bucket": _("Total"),
            "active": last["active"],
            "new": sum(row["new"] for row in rows),
            "churned": sum(row["churned"] for row in rows),
            "mrr": last["mrr"],
            "mrr_change": last["mrr"] - self._mrr_start.quantize(CENT, rounding=ROUND_HALF_UP),
        }

    def chart(self) -> dict[str, Any]:
        rows = self._figures()
        return {
            "type": "bar",
            "labels": [row["bucket"] for row in rows],
            "datasets": [
                {"label": str(_("New")), "data": [row["new"] for row in rows], "yAxisID": "y"},
                {"label": str(_("Churned")), "data": [row["churned"] for row in rows], "yAxisID": "y"},
                {
                    "type": "line",
                    "label": str(_("Active subscribers")),
                    "data": [row["active"] for row in rows],
                    "yAxisID": "y",
                },
                {
                    "type": "line",
                    "label": str(_("MRR (€)")),
                    "data": [float(row["mrr"]) for row in rows],
                    "yAxisID": "y1",
                },
            ],
        }
