"""Celery tasks of the booking app (beat schedules in ``config/settings/base.py``). Each takes ids
and calls the service that does the work; services start them by name (``core.tasks.enqueue``).
The calendar's tasks are ``booking.calendar.tasks``."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from booking import effects, meetings
from booking.models import Booking
from booking.notifications import booking_email_send, notice_email_send
from booking.reminders import reminders_queue
from booking.services import cancellations, holds
from core.tasks import MAIL_TASK_OPTIONS

logger = logging.getLogger(__name__)


@shared_task
def holds_lapse() -> int:
    """Beat, every minute: holds whose time is up free their slot and leave the basket."""
    return holds.holds_lapse()


@shared_task(acks_late=True)
def reminders_send() -> dict[str, int]:
    """Beat, every 5 minutes: the 24-hour and 1-hour reminders and the follow-ups due now."""
    return reminders_queue()


@shared_task(**MAIL_TASK_OPTIONS)
def booking_notice_send(self, notice_id: int) -> bool:
    """Send the booking mail a :class:`~booking.models.BookingNotice` records (once)."""
    return notice_email_send(notice_id=notice_id)


@shared_task(**MAIL_TASK_OPTIONS)
def booking_slot_lost_refund(self, booking_id: int) -> None:
    cancellations.slot_lost_refund(booking_id=booking_id)


@shared_task(**MAIL_TASK_OPTIONS)
def booking_meeting_and_notify(self, booking_id: int, kind: str, key: str) -> None:
    """The meeting link first (the e-mail carries it), then the e-mail. A provider that is down is
    retried; one that refuses is not. Either way the e-mail goes out in the end (without a link
    then; the reminders carry it once it exists), so a broken provider never hides a booking."""
    booking = Booking.objects.select_related("type", "consultant", "user").get(pk=booking_id)
    step = getattr(meetings, effects.MEETING_STEP[kind])
    try:
        with transaction.atomic():
            step(booking)
    except meetings.MeetingUnavailable as error:  # the provider is down: try again later
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=error) from error
        logger.exception("Meeting %s for booking %s failed for good.", kind, booking_id)
    except meetings.MeetingError:  # refused (bad credentials, bad request): retrying will not help
        logger.exception("The meeting provider refused %s for booking %s.", kind, booking_id)
    with transaction.atomic():
        booking_email_send(booking=booking, kind=kind, key=key)


@shared_task(**MAIL_TASK_OPTIONS)
def booking_unbooked_lines_refund(self, order_id: int, line_ids: list[int]) -> None:
    cancellations.unbooked_lines_refund(order_id=order_id, line_ids=line_ids)
