"""The studio's rules for a shopper's first consultation, cancelling and moving, in one place.

- First-timer rate: a shopper who has never paid for a consultation (``shop.offers.has_paid_order``)
  and holds no other booking at that rate gets the type's first-timer price.
- Cancelling: free (a full refund) until ``BOOKING_FREE_CANCELLATION_HOURS`` before the start;
  later the booking can still be cancelled, which frees the time, but nothing is refunded.
  Staff always refund in full.
- Moving: until ``BOOKING_RESCHEDULE_HOURS`` before the start, at most ``BOOKING_MAX_RESCHEDULES``
  times; the payment stays with the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from booking.models import Booking, ConsultationType
from core.errors import ApiError
from shop.offers import has_paid_order


def first_timer_applies(user, consultation_type: ConsultationType) -> bool:
    if consultation_type.first_timer_price is None or user is None or not user.is_authenticated:
        return False
    if has_paid_order(user, product_class="consultation"):
        return False
    return not Booking.objects.filter(user=user, first_timer=True, status__in=Booking.BLOCKING).exists()


@dataclass(frozen=True)
class CancellationTerms:
    refund: bool  # the whole price goes back
    free_until: datetime  # until when a shopper's cancellation is refunded


def free_cancellation_until(booking: Booking) -> datetime:
    return booking.start - timedelta(hours=settings.BOOKING_FREE_CANCELLATION_HOURS)


def cancellation_terms(booking: Booking, *, now: datetime, by_staff: bool = False) -> CancellationTerms:
    until = free_cancellation_until(booking)
    return CancellationTerms(refund=by_staff or now < until, free_until=until)


def reschedule_until(booking: Booking) -> datetime:
    return booking.start - timedelta(hours=settings.BOOKING_RESCHEDULE_HOURS)


def reschedule_allowed(booking: Booking, *, now: datetime) -> bool:
    return now < reschedule_until(booking) and booking.reschedule_count < settings.BOOKING_MAX_RESCHEDULES


def reschedule_check(booking: Booking, *, now: datetime, by_staff: bool = False) -> None:
    if by_staff:
        return
    if now >= reschedule_until(booking):
        hours = settings.BOOKING_RESCHEDULE_HOURS
        raise ApiError(
            "reschedule_closed",
            f"A consultation can be moved until {hours} hours before it starts.",
            status=409,
            extra={"reschedule_until": reschedule_until(booking).isoformat()},
        )
    if booking.reschedule_count >= settings.BOOKING_MAX_RESCHEDULES:
        raise ApiError(
            "reschedule_limit",
            f"A consultation can be moved at most {settings.BOOKING_MAX_RESCHEDULES} times.",
            status=409,
        )
