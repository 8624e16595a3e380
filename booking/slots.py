"""The slot engine: from a consultant's rules and what is already taken to free start times.

Pure functions: no ORM, no clock (``now`` is passed in), so every rule can be tested with exact
lists and the same code answers the slots API and checks a hold's start.

Wall-clock rules become instants day by day: each availability window (local date, start and end
time in the consultant's zone) is turned into a UTC range first, and starts step through that
range in UTC. Stepping in local time breaks on daylight-saving days (Europe/Berlin 2026-10-25:
02:30 + 30 minutes is 90 minutes of real time), stepping in UTC cannot: no start falls into the
missing hour, none is offered twice in the repeated hour, and every slot lasts exactly its length.
A wall time that does not exist (in the spring gap) or exists twice (in the autumn overlap) is
read with ``fold=0``, Python's rule (PEP 495): a gap time as if the old offset still held (so
``02:30`` on the spring day is 03:30 summer time), an ambiguous one as its first occurrence.

A start ``s`` is free when ``[s - buffer_before, s + duration + buffer_after)`` overlaps no busy
range. Ranges are half-open, so a meeting may start exactly where another one's buffer ends: the
same rule as the PostgreSQL exclusion constraint (``tstzrange(..., '[)')``) that makes the last
word on overlaps.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

Window = tuple[time, time]
Range = tuple[datetime, datetime]


@dataclass(frozen=True)
class Rules:
    """A consultant's availability rules, in the consultant's time zone."""

    tz: ZoneInfo
    weekly: Mapping[int, Sequence[Window]]  # weekday (Monday 0) -> local windows
    # A date present replaces that weekday's windows; present with no windows: unavailable all day.
    overrides: Mapping[date, Sequence[Window]] = field(default_factory=dict)
    buffer_before: timedelta = timedelta()
    buffer_after: timedelta = timedelta()
    notice: timedelta = timedelta()
    interval: timedelta = timedelta(minutes=30)
    horizon_days: int = 60
    daily_limit: int | None = None
    weekly_limit: int | None = None

    @classmethod
    def from_consultant(
        cls, consultant, *, hours: Iterable | None = None, overrides: Iterable | None = None
    ) -> Rules:
        """The rules of a ``Consultant``. ``hours`` (``WorkingHours``) and ``overrides``
        (``DateOverride``) default to the consultant's own, read through ``.all()`` so a prefetch
        answers them; ``booking.selectors`` passes only the overrides near the dates it asks about."""
        weekly: dict[int, list[Window]] = {}
        for row in consultant.working_hours.all() if hours is None else hours:
            weekly.setdefault(row.weekday, []).append((row.start_time, row.end_time))
        by_date: dict[date, list[Window]] = {}
        for row in consultant.date_overrides.all() if overrides is None else overrides:
            windows = by_date.setdefault(row.date, [])
            if row.start_time is not None:
                windows.append((row.start_time, row.end_time))
        return cls(
            tz=ZoneInfo(consultant.time_zone),
            weekly=weekly,
            overrides=by_date,
            buffer_before=timedelta(minutes=consultant.buffer_before_minutes),
            buffer_after=timedelta(minutes=consultant.buffer_after_minutes),
            notice=timedelta(minutes=consultant.minimum_notice_minutes),
            interval=timedelta(minutes=consultant.slot_interval_minutes),
            horizon_days=consultant.horizon_days,
            daily_limit=consultant.daily_limit,
            weekly_limit=consultant.weekly_limit,
        )

    def windows_on(self, day: date) -> list[Range]:
        """The day's availability as UTC ranges (an override's windows replace the week's)."""
        local = self.overrides[day] if day in self.overrides else self.weekly.get(day.weekday(), ())
        ranges = []
        for start, end in local:
            begins = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            ends = datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
            if ends > begins:  # a window lying wholly in the spring gap has no real time
                ranges.append((begins, ends))
        return ranges

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def horizon_end(self, now: datetime) -> datetime:
        """Bookable until the local midnight that starts day ``horizon_days`` after today."""
        last = self.local_date(now) + timedelta(days=self.horizon_days)
        return datetime.combine(last, time(0), tzinfo=self.tz).astimezone(UTC)


def local_iso(instant: datetime, tz: ZoneInfo) -> str:
    """``instant`` as ISO 8601 wall time in ``tz`` with its offset (``…T02:30:00+01:00``).

    The offset is worked out from the wall clock rather than read back through ``fold``: the
    second 02:30 of an autumn night differs from the first only by ``fold``, which some datetime
    subclasses lose on arithmetic (freezegun's, in every frozen test), printing the same offset twice.
    """
    utc = instant.astimezone(UTC)
    wall = utc.astimezone(tz).replace(tzinfo=None)
    return wall.replace(tzinfo=timezone(wall - utc.replace(tzinfo=None))).isoformat()


class SlotRefused(Exception):
    """A start the rules do not allow; the hold service answers it as ``ApiError(code, ...)``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class _Busy:
    """Busy ranges merged and sorted, asked "does this range overlap any?" by bisection, so
    checking a thousand candidates against hundreds of bookings stays cheap."""

    def __init__(self, ranges: Sequence[Range]) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            elif end > start:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # The last merged range beginning before ``end`` reaches furthest of all that do.
        index = bisect.bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start


class _Limits:
    def __init__(self, rules: Rules, counted: Sequence[datetime]) -> None:
        self.rules = rules
        days = [rules.local_date(start) for start in counted]
        self.per_day = Counter(days)
        self.per_week = Counter(day.isocalendar()[:2] for day in days)

    def reached(self, start: datetime) -> bool:
        daily, weekly = self.rules.daily_limit, self.rules.weekly_limit
        if daily is None and weekly is None:
            return False
        day = self.rules.local_date(start)
        if daily is not None and self.per_day[day] >= daily:
            return True
        return weekly is not None and self.per_week[day.isocalendar()[:2]] >= weekly


def _blocked(rules: Rules, start: datetime, duration: timedelta) -> Range:
    return start - rules.buffer_before, start + duration + rules.buffer_after


def _grid(rules: Rules, duration: timedelta, first: date, last: date) -> Iterator[datetime]:
    """Every start of every window on the local dates ``first``..``last``, stepping in UTC."""
    day = first
    while day <= last:
        for begins, ends in rules.windows_on(day):
            start = begins
            while start + duration <= ends:
                yield start
                start += rules.interval
        day += timedelta(days=1)


def free_starts(
    rules: Rules,
    *,
    duration: timedelta,
    busy: Sequence[Range],
    counted: Sequence[datetime],
    now: datetime,
    window_from: datetime,
    window_to: datetime,
) -> list[datetime]:
    """Free start times in ``[window_from, window_to)``: UTC, sorted, none twice.

    ``busy``: blocked ranges of live holds and bookings (their own buffers included) and the
    consultant's external busy times. ``counted``: starts of the bookings that count toward the
    daily and weekly limits.
    """
    earliest = max(window_from, now + rules.notice)
    until = min(window_to, rules.horizon_end(now))
    if earliest >= until:
        return []
    taken, limits = _Busy(busy), _Limits(rules, counted)
    # A window may start on the local day before ``earliest``'s only in a time zone whose day
    # boundaries moved; one day either side costs nothing and misses nothing.
    first = rules.local_date(earliest) - timedelta(days=1)
    last = rules.local_date(until) + timedelta(days=1)
    starts = {
        start
        for start in _grid(rules, duration, first, last)
        if earliest <= start < until
        and not limits.reached(start)
        and not taken.overlaps(*_blocked(rules, start, duration))
    }
    return sorted(starts)


def start_check(
    rules: Rules,
    *,
    duration: timedelta,
    busy: Sequence[Range],
    counted: Sequence[datetime],
    now: datetime,
    start: datetime,
) -> None:
    """Raise :class:`SlotRefused` unless ``start`` is one of the free starts; the first rule
    broken names the refusal, from the shape of the time to who has it."""
    if start.second or start.microsecond:
        raise SlotRefused("not_on_grid", "Start times are whole minutes on the slot grid.", 400)
    if start < now:
        raise SlotRefused("in_the_past", "This start time has passed.", 422)
    if start < now + rules.notice:
        minutes = int(rules.notice.total_seconds() // 60)
        raise SlotRefused("too_soon", f"Book at least {minutes} minutes ahead.", 422)
    if start >= rules.horizon_end(now):
        raise SlotRefused("beyond_horizon", f"Book at most {rules.horizon_days} days ahead.", 422)
    _hours_check(rules, duration=duration, start=start)
    if _Limits(rules, counted).reached(start):
        raise SlotRefused("limit_reached", "No more consultations can be booked on this day or week.", 409)
    if _Busy(busy).overlaps(*_blocked(rules, start, duration)):
        raise SlotRefused("slot_taken", "This time has just been taken. Please choose another.", 409)


def _hours_check(rules: Rules, *, duration: timedelta, start: datetime) -> None:
    day = rules.local_date(start)
    windows = [
        (begins, ends)
        for offset in (-1, 0, 1)
        for begins, ends in rules.windows_on(day + timedelta(days=offset))
        if begins <= start < ends
    ]
    if not windows:
        raise SlotRefused("outside_hours", "The consultant does not work at this time.", 422)
    aligned = [ends for begins, ends in windows if (start - begins) % rules.interval == timedelta()]
    if not aligned:
        minutes = int(rules.interval.total_seconds() // 60)
        raise SlotRefused("not_on_grid", f"Start times are offered every {minutes} minutes.", 400)
    if all(start + duration > ends for ends in aligned):
        raise SlotRefused("outside_hours", "The consultation would end after working hours.", 422)
