"""Consultations: bookings, completions, cancellations and no-shows per period (by the meeting's
start, Berlin time), the hours booked against the hours the consultants offered, and what the
bookings brought in.

- Bookings: confirmed, completed and no-show meetings (paid ones; a hold is not a booking).
- Cancellations: bookings cancelled after they were confirmed (a shopper dropping an unpaid hold
  is not one).
- Hours offered: each active consultant's weekly working hours, a date override's windows in place
  of that day's (none on a day off), read day by day in the consultant's own zone by the slot
  engine (:meth:`booking.slots.Rules.windows_on`), so a daylight-saving night has its real length.
  A consultant who is not active offers nothing (the rules keep no history of when they were).
- Utilisation: hours booked / hours offered.
- Revenue: the booked price of the bookings, and what a late cancellation kept (price less refund).

Four queries whatever the range and the number of bookings: the consultants with their hours and
the overrides in the range (three), and the bookings grouped by period (one).
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, Sum
from django.utils.translation import gettext_lazy as _

from backoffice.reports.base import Column, Filter, Period, Report, bucket_next, register, share
from booking import slots
from booking.models import Booking, Consultant, DateOverride

ALL = "all"
BOOKED = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
CANCELLED = Q(status=Booking.Status.CANCELLED, confirmed_at__isnull=False)
HOUR = 3600


def boundaries(period: Period) -> list[datetime]:
    """Where each bucket begins (the first at the range's start) and, last, where the range ends."""
    found = [period.since]
    for bucket in period.buckets():
        found.append(
            min(
                datetime.combine(bucket_next(bucket, period.grain), time.min, tzinfo=period.zone),
                period.until,
            )
        )
    return found


def _merged(ranges: list[slots.Range]) -> list[slots.Range]:
    merged: list[list[datetime]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def offered_seconds(consultants, period: Period) -> list[float]:
    """Seconds of availability per bucket of ``period`` (consultants with their hours and overrides
    prefetched); overlapping windows of one consultant count once."""
    edges = boundaries(period)
    since, until = edges[0].astimezone(UTC), edges[-1].astimezone(UTC)
    per_bucket = [0.0] * (len(edges) - 1)
    for consultant in consultants:
        rules = slots.Rules.from_consultant(consultant)
        day = since.astimezone(rules.tz).date() - timedelta(days=1)
        last = until.astimezone(rules.tz).date() + timedelta(days=1)
        ranges = []
        while day <= last:
            ranges.extend(rules.windows_on(day))
            day += timedelta(days=1)
        for start, end in _merged(ranges):
            start, end = max(start, since), min(end, until)
            while start < end:
                index = bisect.bisect_right(edges, start) - 1
                piece_end = min(end, edges[index + 1])
                per_bucket[index] += (piece_end - start).total_seconds()
                start = piece_end
    return per_bucket


def booking_figures(period: Period, consultant_id: int | None) -> dict[Any, dict[str, Any]]:
    """Per bucket (a date): counts, booked duration and revenue of the meetings starting in it (one query)."""
    booked = Q(status__in=BOOKED)
    queryset = Booking.objects.filter(start__gte=period.since, start__lt=period.until)
    if consultant_id is not None:
        queryset = queryset.filter(consultant_id=consultant_id)
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    rows = (
        queryset.annotate(bucket=period.trunc("start"))
        .values("bucket")
        .order_by("bucket")
        .annotate(
            bookings=Count("pk", filter=booked),
            completed=Count("pk", filter=Q(status=Booking.Status.COMPLETED)),
            cancelled=Count("pk", filter=CANCELLED),
            no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
            booked=Sum(length, filter=booked),
            paid=Sum("price", filter=booked),
            kept=Sum(F("price") - F("refund_amount"), filter=CANCELLED),
        )
    )
    return {row["bucket"]: row for row in rows}


@register
class BookingsReport(Report):
    slug = "bookings"
    title = _("Consultations")
    description = _(
        "Bookings by the meeting's start: cancellations and no-shows, hours booked against the hours "
        "the consultants offered (working hours and date overrides), and the bookings' revenue."
    )
    columns = [
        Column("bucket", _("Period"), "text"),
        Column("bookings", _("Bookings"), "int"),
        Column("completed", _("Completed"), "int"),
        Column("cancelled", _("Cancellations"), "int"),
        Column("no_shows", _("No-shows"), "int"),
        Column("hours_booked", _("Hours booked"), "hours"),
        Column("hours_offered", _("Hours offered"), "hours"),
        Column("utilisation", _("Utilisation"), "percent"),
        Column("revenue", _("Revenue"), "money"),
    ]

    @classmethod
    def filter_specs(cls) -> dict[str, Filter]:
        consultants = Consultant.objects.order_by("-is_active", "display_name").values_list(
            "pk", "display_name", "is_active"
        )
        choices = [(ALL, _("All consultants"))]
        for pk, name, active in consultants:
            choices.append((str(pk), name if active else f"{name} ({_('inactive')})"))
        return {"consultant": Filter(_("Consultant"), tuple(choices), default=ALL)}

    def _consultant_id(self) -> int | None:
        value = self.options.get("consultant", ALL)
        return None if value in ("", ALL) else int(value)

    def _figures(self) -> list[dict[str, Any]]:
        if hasattr(self, "_rows"):
            return self._rows
        period = self.period
        consultant_id = self._consultant_id()
        edges = boundaries(period)
        first = edges[0].date() - timedelta(days=2)
        last = edges[-1].date() + timedelta(days=2)
        consultants = Consultant.objects.filter(is_active=True).prefetch_related(
            "working_hours",
            Prefetch("date_overrides", DateOverride.objects.filter(date__range=(first, last))),
        )
        if consultant_id is not None:
            consultants = consultants.filter(pk=consultant_id)
        offered = offered_seconds(consultants, period)
        figures = booking_figures(period, consultant_id)
        rows = []
        for bucket, offered_in_bucket in zip(period.buckets(), offered, strict=True):
            found = figures.get(bucket, {})
            booked = (found.get("booked") or timedelta()).total_seconds()
            rows.append(
                {
                    "bucket": period.label(bucket),
                    "bookings": found.get("bookings", 0),
                    "completed": found.get("completed", 0),
                    "cancelled": found.get("cancelled", 0),
                    "no_shows": found.get("no_shows", 0),
                    "hours_booked": booked / HOUR,
                    "hours_offered": offered_in_bucket / HOUR,
                    "utilisation": share(booked, offered_in_bucket),
                    "revenue": (found.get("paid") or Decimal(0)) + (found.get("kept") or Decimal(0)),
                }
            )
        self._rows = rows
        return rows

    def rows(self) -> list[dict[str, Any]]:
        return self._figures()

    def totals(self) -> dict[str, Any] | None:
        rows = self._figures()
        if not rows:
            return None
        summed = {
            key: sum(row[key] for row in rows)
            for key in ("bookings", "completed", "cancelled", "no_shows", "hours_booked", "hours_offered")
        }
        return {
            "bucket": _("Total"),
            **summed,
            "utilisation": share(summed["hours_booked"], summed["hours_offered"]),
            "revenue": sum((row["revenue"] for row in rows), Decimal(0)),
        }

    def chart(self) -> dict[str, Any]:
        rows = self._figures()
        return {
            "type": "bar",
            "labels": [row["bucket"] for row in rows],
            "datasets": [
                {"label": str(_("Completed")), "data": [row["completed"] for row in rows], "stack": "booked"},
                {
                    "label": str(_("Booked, not yet held")),
                    "data": [row["bookings"] - row["completed"] - row["no_shows"] for row in rows],
                    "stack": "booked",
                },
                {"label": str(_("No-shows")), "data": [row["no_shows"] for row in rows], "stack": "booked"},
                {
                    "label": str(_("Cancellations")),
                    "data": [row["cancelled"] for row in rows],
                    "stack": "lost",
                },
                {
                    "type": "line",
                    "label": str(_("Utilisation")),
                    "data": [round(row["utilisation"], 4) for row in rows],
                    "yAxisID": "y1",
                },
            ],
            "stacked": True,
            "y1": {"percent": True},
        }
