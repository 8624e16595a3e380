"""What every write that takes a consultant's time shares: the consultant's row locked, the
start checked against exactly what the slots API offers, lapsed holds in the way swept, and the
database's refusals (the exclusion constraint, the first-timer rule) turned into API errors.

Integrity is the database's: on PostgreSQL an exclusion constraint (migration 0002) refuses two
live rows of one consultant whose blocked ranges overlap, so a race between two shoppers ends in
one hold and one ``IntegrityError``, answered 409 ``slot_taken``. The checks before the insert
(``booking.slots.start_check``) give the precise answer for everything else (not on the grid,
inside the notice, beyond the horizon, a limit reached). Daily and weekly limits are not a range
rule a constraint can hold, so every write that takes time locks the consultant's row first; on
SQLite, where there is no exclusion constraint, the ``BEGIN IMMEDIATE`` transaction serialises it.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.db import IntegrityError
from oscar.apps.basket.models import Basket, Line

from booking.models import Booking, Consultant
from booking.selectors import slot_inputs
from booking.slots import SlotRefused, start_check
from core.errors import ApiError

OVERLAP_CONSTRAINT = "booking_no_overlap_per_consultant"
FIRST_TIMER_CONSTRAINT = "booking_one_first_timer_rate_per_user"
SLOT_TAKEN = "Someone else has just taken this time; pick another."


def _refused(error: SlotRefused) -> ApiError:
    return ApiError(error.code, error.message, status=error.status, fields={"start": [error.message]})


def time_zone_check(name: str, *, field: str = "time_zone") -> zoneinfo.ZoneInfo:
    """The IANA time zone ``name``, or 400 ``unknown_time_zone`` naming the request's ``field``."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ApiError(
            "unknown_time_zone",
            f"{name!r} is not an IANA time zone (for example Europe/Berlin).",
            fields={field: [f"Unknown time zone: {name!r}."]},
        ) from error


def blocked_range(consultant: Consultant, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=consultant.buffer_before_minutes),
        end + timedelta(minutes=consultant.buffer_after_minutes),
    )


def consultant_locked(consultant_id: int) -> Consultant:
    return Consultant.objects.select_for_update().get(pk=consultant_id)


def lapsed_overlapping_expire(
    consultant: Consultant, blocked_from: datetime, blocked_until: datetime, now
) -> None:
    """Lapsed holds still hold their range in the exclusion constraint until swept; sweep the
    ones in the way (the beat task ``holds_lapse`` sweeps the rest)."""
    lapsed = Booking.objects.filter(
        consultant=consultant,
        status=Booking.Status.HELD,
        hold_expires_at__lte=now,
        blocked_from__lt=blocked_until,
        blocked_until__gt=blocked_from,
    )
    for booking in lapsed.select_for_update():
        hold_expire(booking)


def start_check_locked(
    consultant: Consultant, *, duration: timedelta, start: datetime, now, exclude: int | None = None
):
    window_from, window_to = start - timedelta(days=1), start + duration + timedelta(days=1)
    rules, busy, counted = slot_inputs(
        consultant, window_from=window_from, window_to=window_to, now=now, exclude_booking_id=exclude
    )
    try:
        start_check(rules, duration=duration, busy=busy, counted=counted, now=now, start=start)
    except SlotRefused as error:
        raise _refused(error) from error


def integrity_refusal(error: IntegrityError) -> ApiError:
    text = str(error)
    if FIRST_TIMER_CONSTRAINT in text:
        return ApiError(
            "first_timer_held",
            "You already hold a consultation at the first-timer rate; finish or drop that one first.",
            status=409,
        )
    if OVERLAP_CONSTRAINT in text:
        return ApiError("slot_taken", SLOT_TAKEN, status=409)
    raise error


def basket_line_remove(booking: Booking) -> None:
    """Take the hold's line out of a basket still open (a frozen one belongs to an order)."""
    if booking.basket_line_id:
        Line.objects.filter(pk=booking.basket_line_id, basket__status=Basket.OPEN).delete()


def hold_expire(booking: Booking) -> None:
    booking.status = Booking.Status.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
    basket_line_remove(booking)
