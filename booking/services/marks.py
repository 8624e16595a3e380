"""The staff's marks: a confirmed consultation that has begun is completed or a no-show."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from core.errors import ApiError

STAFF_MARKS = (Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def booking_status_set(*, booking: Booking, status: str, actor=None) -> Booking:
    """Staff mark a confirmed consultation that has begun as completed or a no-show."""
    if status not in STAFF_MARKS:
        raise ApiError("invalid", "Mark a booking completed or a no-show.", fields={"status": [status]})
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status not in (Booking.Status.CONFIRMED, *STAFF_MARKS):
            raise ApiError("not_markable", "Only a confirmed booking can be marked.", status=409)
        if booking.start > timezone.now():
            raise ApiError("not_started", "This consultation has not begun yet.", status=409)
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
    return booking
