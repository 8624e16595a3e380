"""Confirmation by payment: the shop's ``order_paid`` confirms the bookings an order's lines hold
(``bookings_confirm_for_order``). A hold that lapsed is taken again if its time is still free;
otherwise, and for consultation lines that book no time, the refund follows in a task
(``booking.services.cancellations``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import effects
from booking.models import Booking, BookingNotice, Consultant
from booking.products import PRODUCT_CLASS
from booking.services.holds import hold_lines_of
from booking.services.slot_taking import consultant_locked, lapsed_overlapping_expire
from core.tasks import enqueue

logger = logging.getLogger(__name__)


def bookings_confirm_for_order(*, order) -> list[Booking]:
    """``order`` was paid: confirm the bookings its lines hold. A hold that lapsed is taken again if
    its time is still free; otherwise the line is refunded and the shopper told (``SLOT_LOST``).

    Only the line a hold created confirms it (:func:`hold_lines_of`). A consultation line that
    confirms nothing (it names no hold, or not as its own line) was paid for nothing booked: it
    is refunded, and logged as an error for the staff. Any other product is what was paid for,
    whatever option its line carries; it confirms nothing.
    """
    hold_lines = hold_lines_of(order)
    confirmed = []
    for booking_id, line_id in hold_lines.items():
        booking = _booking_confirm(booking_id=booking_id, order=order, line_id=line_id)
        if booking is not None:
            confirmed.append(booking)
    unbooked = list(
        order.lines.filter(product__product_class__slug=PRODUCT_CLASS)
        .exclude(pk__in=hold_lines.values())
        .values_list("pk", flat=True)
    )
    if unbooked:
        logger.error("Order %s paid consultation lines %s that book no time.", order.number, unbooked)
        transaction.on_commit(lambda: _unbooked_refund_later(order.pk, unbooked))
    return confirmed


def _booking_confirm(*, booking_id: int, order, line_id: int) -> Booking | None:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
            return booking  # a repeated event
        consultant = consultant_locked(booking.consultant_id)
        now = timezone.now()
        booking.order, booking.order_line_id = order, line_id
        # A hold still standing keeps its time, unless the payment came after the meeting began.
        held = booking.status == Booking.Status.HELD and booking.start > now
        retaken = held or _slot_retake(booking, consultant, now)
        if not retaken:
            booking.save(update_fields=["order", "order_line_id", "updated_at"])
            transaction.on_commit(lambda: _slot_lost_later(booking.pk))
            return None
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.hold_expires_at = None
        booking.save(
            update_fields=[
                "status",
                "confirmed_at",
                "hold_expires_at",
                "order",
                "order_line_id",
                "updated_at",
            ]
        )
        effects.booking_changed(booking, BookingNotice.Kind.CONFIRMED)
    return booking


def _slot_retake(booking: Booking, consultant: Consultant, now: datetime) -> bool:
    """A paid booking whose hold lapsed: take its time again if nobody else has it and it has not
    begun. The exclusion constraint decides a race."""
    if booking.start <= now:
        return False
    lapsed_overlapping_expire(consultant, booking.blocked_from, booking.blocked_until, now)
    clash = (
        Booking.objects.blocking()
        .filter(
            consultant=consultant,
            blocked_from__lt=booking.blocked_until,
            blocked_until__gt=booking.blocked_from,
        )
        .exclude(pk=booking.pk)
        .exists()
    )
    if clash:
        return False
    try:
        with transaction.atomic():
            Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED)
    except IntegrityError:
        return False
    return True


def _slot_lost_later(booking_id: int) -> None:
    enqueue("booking.tasks.booking_slot_lost_refund", booking_id, on_commit=False)


def _unbooked_refund_later(order_id: int, line_ids: list[int]) -> None:
    enqueue("booking.tasks.booking_unbooked_lines_refund", order_id, line_ids, on_commit=False)
