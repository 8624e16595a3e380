"""Rescheduling: a confirmed booking moves to another free start; the payment stays with it."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import effects, policy
from booking.models import Booking, BookingNotice
from booking.services.slot_taking import (
    blocked_range,
    consultant_locked,
    integrity_refusal,
    lapsed_overlapping_expire,
    start_check_locked,
)
from core.errors import ApiError


def booking_reschedule(*, booking: Booking, start: datetime, by_staff: bool = False) -> Booking:
    """Move a confirmed booking to another free start; the payment stays with it."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise ApiError("not_reschedulable", "Only a confirmed booking can be moved.", status=409)
        now = timezone.now()
        policy.reschedule_check(booking, now=now, by_staff=by_staff)
        consultant = consultant_locked(booking.consultant_id)
        duration = booking.end - booking.start
        start = start.astimezone(zoneinfo.ZoneInfo("UTC"))
        if start == booking.start:
            raise ApiError("same_time", "The booking is already at this time.", status=409)
        blocked_from, blocked_until = blocked_range(consultant, start, start + duration)
        lapsed_overlapping_expire(consultant, blocked_from, blocked_until, now)
        start_check_locked(consultant, duration=duration, start=start, now=now, exclude=booking.pk)
        booking.start, booking.end = start, start + duration
        booking.blocked_from, booking.blocked_until = blocked_from, blocked_until
        booking.sequence += 1
        booking.reschedule_count += 1
        try:
            with transaction.atomic():
                booking.save(
                    update_fields=[
                        "start",
                        "end",
                        "blocked_from",
                        "blocked_until",
                        "sequence",
                        "reschedule_count",
                        "updated_at",
                    ]
                )
        except IntegrityError as error:
            raise integrity_refusal(error) from error
        effects.booking_changed(booking, BookingNotice.Kind.RESCHEDULED)
    return booking
