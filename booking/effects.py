"""What follows a change to a booking, outside the transaction that made it: the meeting link,
the consultant's calendar (CalDAV) and the shopper's e-mail with the invite. Each runs in a Celery
task after commit, so a slow or failing meeting provider or calendar never undoes a booking; each
is safe to run again (the meeting is made once, the calendar event is keyed on the booking's UID,
the e-mail once per ``BookingNotice``).
"""

from __future__ import annotations

from django.db import transaction

from booking.models import Booking, BookingNotice


def booking_changed(booking: Booking, kind: str) -> None:
    """Call inside the transaction that confirmed, moved or cancelled ``booking``."""
    from booking.calendar.tasks import caldav_booking_push
    from booking.tasks import booking_meeting_and_notify

    booking_id, key = booking.pk, str(booking.sequence)
    transaction.on_commit(lambda: booking_meeting_and_notify.delay(booking_id, kind, key))
    transaction.on_commit(lambda: caldav_booking_push.delay(booking_id))


def booking_notify(booking: Booking, kind: str) -> None:
    """An e-mail only (no meeting or calendar change), e.g. ``SLOT_LOST``."""
    from booking.notifications import booking_email_send

    booking_email_send(booking=booking, kind=kind, key=str(booking.sequence))


MEETING_STEP = {
    BookingNotice.Kind.CONFIRMED: "meeting_ensure",
    BookingNotice.Kind.RESCHEDULED: "meeting_update",
    BookingNotice.Kind.CANCELLED: "meeting_delete",
}
