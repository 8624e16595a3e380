"""The booking app's part of a person's data export and erasure (``accounts.registry``).

Erasure keeps the bookings for the studio's accounts and calendar (the paid order lines point at
them) but not the person: the user and their time zone go. A hold ends at once; a consultation
still to come is cancelled by the system (the consultant's calendar loses it; nothing is mailed,
there is nobody to mail). Refunds are the shop's business and are not made automatically here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import registry
from booking.models import Booking
from core.money import money


def bookings_export(user) -> list[dict[str, Any]]:
    rows = Booking.objects.filter(user=user).select_related("type", "order").order_by("start")
    return [
        {
            "id": booking.pk,
            "type": booking.type.title,
            "status": booking.status,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "time_zone": booking.time_zone,
            "language": booking.language,
            "price": money(booking.price),
            "first_timer": booking.first_timer,
            "order_number": booking.order.number if booking.order_id else None,
            "meeting_url": booking.meeting_url or None,
            "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            "cancel_reason": booking.cancel_reason,
            "refund_amount": money(booking.refund_amount),
            "created_at": booking.created_at.isoformat(),
        }
        for booking in rows
    ]


def bookings_erase(user) -> None:
    from booking.calendar.tasks import caldav_booking_push

    now = timezone.now()
    for booking in Booking.objects.select_for_update().filter(user=user):
        if booking.status == Booking.Status.HELD:
            booking.status = Booking.Status.EXPIRED
        elif booking.status == Booking.Status.CONFIRMED and booking.end > now:
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = Booking.CancelledBy.SYSTEM
            booking.cancel_reason = "The shopper deleted their account."
            booking.sequence += 1
            booking_id = booking.pk
            transaction.on_commit(lambda booking_id=booking_id: caldav_booking_push.delay(booking_id))
        booking.user = None
        booking.time_zone = "UTC"
        booking.idempotency_key = ""
        booking.save()


def register() -> None:
    registry.register("bookings", export=bookings_export, erase=bookings_erase)
