"""What follows a change to a booking, outside the transaction that made it: the meeting link,
the consultant's calendar (CalDAV) and the shopper's e-mail with the invite. Each runs in a Celery
task after commit, so a slow or failing meeting provider or calendar never undoes a booking; each
is safe to run again (the meeting is made once, the calendar event is keyed on the booking's UID,
the e-mail once per ``BookingNotice``).
"""

from __future__ import annotations

from booking.models import Booking, BookingNotice
from booking.notifications import booking_email_send
from core.tasks import enqueue


def booking_changed(booking: Booking, kind: str) -> None:
    """Call inside the transaction that confirmed, moved or cancelled ``booking``."""
    booking_id, key = booking.pk, str(booking.sequence)
    enqueue("booking.tasks.booking_meeting_and_notify", booking_id, kind, key)
    enqueue("booking.calendar.tasks.caldav_booking_push", booking_id)


def booking_notify(booking: Booking, kind: str) -> None:
    """An e-mail only (no meeting or calendar change), e.g. ``SLOT_LOST``."""
    booking_email_send(booking=booking, kind=kind, key=str(booking.sequence))


MEETING_STEP = {
    BookingNotice.Kind.CONFIRMED: "meeting_ensure",
    BookingNotice.Kind.RESCHEDULED: "meeting_update",
    BookingNotice.Kind.CANCELLED: "meeting_delete",
}
