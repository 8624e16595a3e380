"""Celery tasks of the CalDAV sync. They take ids, call ``booking.calendar.caldav_sync`` and own
the retries; the sync itself never raises, so a calendar that is down only delays the calendar.

Beat runs ``caldav_busy_pull_all`` every ten minutes. Besides reading busy times, it queues again
the pushes that did not land (a booking missing from the calendar, a cancelled one still in it),
so a calendar that was down for longer than the retries last catches up by itself.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from booking.calendar import caldav_sync
from booking.models import Booking, Consultant


def _backoff(retries: int) -> int:
    return min(60 * 2**retries, 60 * 60)


@shared_task(bind=True, acks_late=True, max_retries=6)
def caldav_booking_push(self, booking_id: int) -> bool:
    """Bring the consultant's calendar in step with the booking as it is when the task runs (so
    pushes that overtake each other still end with the latest state)."""
    booking = Booking.objects.select_related("consultant", "type", "user").filter(pk=booking_id).first()
    if booking is None or caldav_sync.booking_push(booking):
        return True
    # Without a worker (eager mode) nobody could retry later; the beat's catch-up does.
    if self.request.is_eager or self.request.retries >= self.max_retries:
        return False
    raise self.retry(countdown=_backoff(self.request.retries))


@shared_task(acks_late=True)
def caldav_busy_pull(consultant_id: int) -> int:
    """Read one consultant's busy times; when their calendar answered, queue the pushes it lacks."""
    consultant = Consultant.objects.filter(pk=consultant_id).first()
    if consultant is None:
        return 0
    now = timezone.now()
    count = caldav_sync.busy_pull(consultant, now=now)
    if count >= 0:
        for booking_id in caldav_sync.bookings_out_of_step(consultant, now=now):
            caldav_booking_push.delay(booking_id)
    return count


@shared_task(acks_late=True)
def caldav_busy_pull_all() -> int:
    """Beat, every ten minutes: one task per connected consultant, so one slow server holds up
    nobody else."""
    ids = list(Consultant.objects.filter(is_active=True).exclude(caldav_url="").values_list("pk", flat=True))
    for consultant_id in ids:
        caldav_busy_pull.delay(consultant_id)
    return len(ids)
