"""What every report shares: a checked date range, options, one set of rows for the chart, the
table and the CSV.

A report is a class with a ``slug``, ``title``, ``columns`` and two methods, :meth:`Report.rows`
and :meth:`Report.chart`; :func:`register` puts it in the admin's Reports menu
(:mod:`backoffice.views` draws it). Rows are computed in a few aggregate queries, never one query
per bucket or per customer, so a year of data costs what a week does.

Dates are the studio's (``TIME_ZONE``): a day is a Berlin day, a week starts on Monday, and a
report's range covers whole days from ``start`` to ``end`` inclusive.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import DateField
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DAY, WEEK, MONTH = "day", "week", "month"
GRAINS = (DAY, WEEK, MONTH)
GRAIN_LABELS = {DAY: _("Day"), WEEK: _("Week"), MONTH: _("Month")}
# The longest range a report answers, and the longest drawn day by day: beyond these the chart is
# unreadable and the work unbounded, so the form says what to choose instead.
MAX_DAYS = 5 * 366
MAX_DAYS_BY_DAY = 400
EARLIEST = date(2000, 1, 1)
DEFAULT_DAYS = 30
# Parameters every report understands; anything else must be one of the report's filters.
COMMON_PARAMS = ("from", "to", "grain")


class ReportError(ValueError):
    """Input a report cannot answer; ``message`` is shown to staff as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


def studio_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def studio_today() -> date:
    return timezone.localtime(timezone.now(), studio_zone()).date()


def bucket_start(value: date, grain: str) -> date:
    if grain == WEEK:
        return value - timedelta(days=value.weekday())
    if grain == MONTH:
        return value.replace(day=1)
    return value


def bucket_next(value: date, grain: str) -> date:
    if grain == WEEK:
        return value + timedelta(days=7)
    if grain == MONTH:
        return (value.replace(day=28) + timedelta(days=4)).replace(day=1)
    return value + timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole studio days ``start``..``end`` (inclusive), grouped by ``grain``."""

    start: date
    end: date
    grain: str = DAY

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return studio_zone()

    @property
    def since(self) -> datetime:
        """The first instant of the range (aware)."""
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        """The first instant after the range (aware): filter with ``< until``."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def buckets(self) -> list[date]:
        """The start of every bucket that touches the range, in order (the first may begin
        before ``start``: a week starts on Monday, a month on the 1st)."""
        found = []
        current = bucket_start(self.start, self.grain)
        while current <= self.end:
            found.append(current)
            current = bucket_next(current, self.grain)
        return found

    def bucket(self, value: date | datetime) -> date:
        """The bucket ``value`` falls in; an aware datetime is first read in the studio's zone."""
        if isinstance(value, datetime):
            value = timezone.localtime(value, self.zone).date()
        return bucket_start(value, self.grain)

    def trunc(self, expression: str) -> TruncDay | TruncWeek | TruncMonth:
        """A database expression for the bucket of a datetime column (a ``date``), in the studio's
        zone, for ``.annotate(bucket=period.trunc("paid_at")).values("bucket")``."""
        kind = {DAY: TruncDay, WEEK: TruncWeek, MONTH: TruncMonth}[self.grain]
        return kind(expression, output_field=DateField(), tzinfo=self.zone)

    def label(self, bucket: date) -> str:
        """How a bucket is named on the chart and in the CSV: 2026-11-02, 2026-W45, 2026-11."""
        if self.grain == WEEK:
            year, week, _weekday = bucket.isocalendar()
            return f"{year}-W{week:02d}"
        if self.grain == MONTH:
            return f"{bucket:%Y-%m}"
        return bucket.isoformat()

    def bucket_days(self, bucket: date) -> int:
        """How many days of the range a bucket covers (a partial first or last bucket fewer)."""
        first = max(bucket, self.start)
        last = min(bucket_next(bucket, self.grain) - timedelta(days=1), self.end)
        return (last - first).days + 1


def _parse_date(value: str, name: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportError(
            _("%(label)s is not a date (YYYY-MM-DD): “%(value)s”.") % {"label": label, "value": value[:40]},
            name,
        ) from None


def period_from(
    params: Mapping[str, str], *, grains: tuple[str, ...] = GRAINS, today: date | None = None
) -> Period:
    """The period asked for in ``params`` (``from``, ``to``, ``grain``); the last 30 days by day
    when nothing is asked. Raises :class:`ReportError` for reversed, absurd or too long ranges."""
    today = today or studio_today()
    end = _parse_date(params["to"], "to", _("The end")) if params.get("to") else today
    start = (
        _parse_date(params["from"], "from", _("The start"))
        if params.get("from")
        else end - timedelta(days=DEFAULT_DAYS - 1)
    )
    grain = params.get("grain") or (grains[0] if grains else DAY)
    if grains and grain not in grains:
        raise ReportError(
            _("Unknown grouping “%(value)s”: choose day, week or month.") % {"value": grain[:20]}, "grain"
        )
    if start > end:
        raise ReportError(
            _("The start (%(start)s) is after the end (%(end)s).") % {"start": start, "end": end}, "from"
        )
    latest = today + timedelta(days=366)
    for value, name in ((start, "from"), (end, "to")):
        if value < EARLIEST or value > latest:
            raise ReportError(
                _("%(value)s is outside the range reports cover (%(earliest)s to %(latest)s).")
                % {"value": value, "earliest": EARLIEST, "latest": latest},
                name,
            )
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise ReportError(
            _("A report covers at most %(years)d years; choose a shorter range.")
            % {"years": MAX_DAYS // 366},
            "from",
        )
    if grains and grain == DAY and days > MAX_DAYS_BY_DAY:
        raise ReportError(
            _("Day by day a report covers at most %(days)d days; group by week or month.")
            % {"days": MAX_DAYS_BY_DAY},
            "grain",
        )
    return Period(start=start, end=end, grain=grain if grains else DAY)


@dataclass(frozen=True)
class Column:
    """A table and CSV column. ``kind`` decides the formatting: text, int, money (Decimal, EUR),
    percent (a share 0..1, shown as per cent), seconds (shown as h:mm:ss), hours and days (floats), date."""

    key: str
    label: Any
    kind: str = "int"


@dataclass(frozen=True)
class Filter:
    """A report option besides the period: one of ``choices`` ((value, label) pairs)."""

    label: Any
    choices: tuple[tuple[str, Any], ...]
    default: str = ""


@dataclass
class Report:
    """One report. Subclasses set the class attributes and implement :meth:`rows` and
    :meth:`chart`; the views call them once per request (compute in ``rows`` and cache on
    ``self`` if ``chart`` and ``totals`` need the same figures)."""

    slug: ClassVar[str]
    title: ClassVar[Any]
    description: ClassVar[Any] = ""
    columns: ClassVar[list[Column]]
    filters: ClassVar[dict[str, Filter]] = {}
    # () for a report that is not a time series (top videos): no grain in the form or the period.
    grains: ClassVar[tuple[str, ...]] = GRAINS
    # Permission codename (app label backoffice) needed to see it.
    permission: ClassVar[str] = "backoffice.view_reports"

    period: Period
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def filter_specs(cls) -> dict[str, Filter]:
        """The report's filters; override when the choices come from the database (consultants)."""
        return cls.filters

    def rows(self) -> list[dict[str, Any]]:
        """The table: one dict per row, keyed by the columns' keys."""
        raise NotImplementedError

    def totals(self) -> dict[str, Any] | None:
        """A totals row under the table (and last in the CSV), or None."""
        return None

    def chart(self) -> dict[str, Any]:
        """Chart.js data: ``{"type": "bar"|"line", "labels": [...], "datasets": [{"label": str,
        "data": [numbers], "stack"?: str, "yAxisID"?: "y"|"y1"}], "stacked"?: bool,
        "y1"?: {"percent": bool}}``; numbers are plain floats (json)."""
        raise NotImplementedError

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        """The rows for the CSV download; override to stream a report with very many rows."""
        yield from self.rows()
        totals = self.totals()
        if totals:
            yield totals


def options_from(report: type[Report], params: Mapping[str, str]) -> dict[str, str]:
    """The report's filter values from ``params``; unknown parameters and values are refused."""
    specs = report.filter_specs()
    for name in params:
        if name not in COMMON_PARAMS and name not in specs:
            raise ReportError(_("Unknown filter “%(name)s”.") % {"name": name[:40]}, name)
    options = {}
    for name, spec in specs.items():
        value = params.get(name) or spec.default
        if value not in {choice for choice, _label in spec.choices}:
            raise ReportError(
                _("Unknown value “%(value)s” for %(label)s.") % {"value": value[:40], "label": spec.label},
                name,
            )
        options[name] = value
    return options


REPORTS: dict[str, type[Report]] = {}


def register(report: type[Report]) -> type[Report]:
    """Class decorator: show the report in the admin (menu order is registration order)."""
    REPORTS[report.slug] = report
    return report


def share(part: float | int | Decimal, whole: float | int | Decimal) -> float:
    """part / whole as a float, 0 when there is no whole."""
    return float(part) / float(whole) if whole else 0.0


def month_days(value: date) -> int:
    return calendar.monthrange(value.year, value.month)[1]
