"""Reminders 24 hours and 1 hour before a consultation, and a follow-up after it, by Celery beat.

Beat runs ``booking.tasks.reminders_send`` every few minutes: :func:`reminders_queue` finds, per
kind, the bookings whose moment has come and that have no notice of that kind for their current
SEQUENCE; :func:`booking_email_send` inserts the notice (unique per booking, kind and key) and
queues the mail. So each is sent exactly once however often, or however concurrently, beat runs;
a booking moved to another time (its SEQUENCE raised) is reminded again for the new time.

A reminder is only sent if its moment came after the shopper was told of the time (confirmed, or
last rescheduled): someone who books for this afternoon has the confirmation in their inbox and
needs no "tomorrow" mail minutes later. A 24-hour reminder whose moment was missed (workers down)
is not sent inside the last hour, where the 1-hour reminder takes over.

Shoppers who switched reminders or follow-ups off (``accounts.communication``) are left out of
the bookings due, so nothing is recorded for them and beat does not try again for nothing; one who
switches back on while a moment is still due gets that mail.

The follow-up goes to confirmed or completed bookings that ended at least an hour and at most a
week ago (no-shows and cancellations get none), and suggests courses in the shopper's language.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts import communication
from booking.models import Booking, BookingNotice
from booking.notifications import OPTIONAL, booking_email_send

logger = logging.getLogger(__name__)

Kind = BookingNotice.Kind
Status = Booking.Status

BEFORE_24H = timedelta(hours=24)
BEFORE_1H = timedelta(hours=1)
FOLLOW_UP_AFTER = timedelta(hours=1)
FOLLOW_UP_UNTIL = timedelta(days=7)


def _not_told(queryset: QuerySet, kind: str) -> QuerySet:
    """Bookings without a notice of ``kind`` for their current SEQUENCE (the notice's key)."""
    told = BookingNotice.objects.filter(
        booking=OuterRef("pk"), kind=kind, key=Cast(OuterRef("sequence"), CharField())
    )
    return queryset.exclude(Exists(told))


def _told_of_time(queryset: QuerySet) -> QuerySet:
    """Annotate when the shopper learnt the booking's current time: the last rescheduled mail,
    else the confirmation."""
    last_move = (
        BookingNotice.objects.filter(booking=OuterRef("pk"), kind=Kind.RESCHEDULED)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    return queryset.annotate(told_at=Coalesce(Subquery(last_move), F("confirmed_at"), F("created_at")))


def _wanted(queryset: QuerySet, kind: str) -> QuerySet:
    """Only the bookings of shoppers who want mails of ``kind``."""
    wanted = communication.recipients_filter(OPTIONAL[kind])
    return queryset.filter(**{f"user__{name}": value for name, value in wanted.items()})


def reminders_due(kind: str, now: datetime) -> QuerySet:
    """Confirmed bookings due the reminder ``kind`` (24 h or 1 h) at ``now``."""
    lead = BEFORE_24H if kind == Kind.REMINDER_24H else BEFORE_1H
    # The 24-hour reminder stops where the 1-hour one starts.
    soonest = now + BEFORE_1H if kind == Kind.REMINDER_24H else now
    due = Booking.objects.filter(status=Status.CONFIRMED, start__gt=soonest, start__lte=now + lead)
    return _not_told(_told_of_time(_wanted(due, kind)), kind).filter(told_at__lte=F("start") - lead)


def follow_ups_due(now: datetime) -> QuerySet:
    due = Booking.objects.filter(
        status__in=(Status.CONFIRMED, Status.COMPLETED),
        end__lte=now - FOLLOW_UP_AFTER,
        end__gte=now - FOLLOW_UP_UNTIL,
    )
    return _wanted(due, Kind.FOLLOW_UP).exclude(notices__kind=Kind.FOLLOW_UP)


def reminders_queue(now: datetime | None = None) -> dict[str, int]:
    """Queue every reminder and follow-up due at ``now``; returns how many of each."""
    now = now or timezone.now()
    due = {
        Kind.REMINDER_24H: reminders_due(Kind.REMINDER_24H, now),
        Kind.REMINDER_1H: reminders_due(Kind.REMINDER_1H, now),
        Kind.FOLLOW_UP: follow_ups_due(now),
    }
    queued = {}
    for kind, bookings in due.items():
        count = 0
        for booking in bookings.select_related("user"):
            # The follow-up is one per booking, whatever became of its time before.
            key = "" if kind == Kind.FOLLOW_UP else str(booking.sequence)
            with transaction.atomic():
                count += booking_email_send(booking=booking, kind=kind, key=key)
        queued[str(kind)] = count
    if any(queued.values()):
        logger.info("Booking reminders queued: %s", queued)
    return queued
