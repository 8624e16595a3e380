"""The e-mails about a booking, each sent once: confirmation, rescheduled, cancelled, the two
reminders, the follow-up, and "paid too late, slot gone, refunded".

What decides that a mail is due is a :class:`~booking.models.BookingNotice` row, unique per
booking, kind and key (the booking's SEQUENCE, so a moved booking is told, and reminded, again):
:func:`booking_email_send` inserts it in the caller's transaction and queues the mail for after
the commit. A second event or beat run finds the row and queues nothing; a transaction that rolls
back leaves no row and sends nothing. The Celery task renders the mail from the booking as it is
when it runs and guards against its own second run like the shop's mails (``shop.documents.notifications``).

Mails are in the booking's language (the shopper's when they booked), times in the shopper's time
zone (``Booking.time_zone``), text and HTML (``templates/booking/email/<language>/``). The
confirmation, the rescheduled and the cancelled mail carry the calendar invite (``invite.ics``,
``text/calendar; method=REQUEST`` or ``CANCEL``), so the shopper's calendar follows the booking.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime
from decimal import Decimal
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import dateformat, translation

from accounts import communication
from booking.models import Booking, BookingNotice
from booking.selectors import booking_language, manage_url, type_title
from core.money import format_money
from core.tasks import enqueue

logger = logging.getLogger(__name__)

Kind = BookingNotice.Kind
# The mails that carry the invite, so the shopper's calendar follows the booking.
WITH_INVITE = (Kind.CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED)
# The mails about a meeting still to come show its link.
WITH_LINK = (Kind.CONFIRMED, Kind.RESCHEDULED, Kind.REMINDER_24H, Kind.REMINDER_1H)
# The mails a shopper may switch off (accounts.communication), by the preference that governs them.
# Each carries the unsubscribe link in its footer and the one-click headers; a shopper who switched
# it off gets none (no notice is recorded, so switching back on in time brings the next one).
OPTIONAL = {
    Kind.REMINDER_24H: communication.REMINDERS,
    Kind.REMINDER_1H: communication.REMINDERS,
    Kind.FOLLOW_UP: communication.FOLLOW_UPS,
}
# How long a sent mail is remembered against a second run of its task (a lost acknowledgement).
SENT_MEMORY_SECONDS = 30 * 24 * 60 * 60
# The follow-up suggests at most this many courses.
FOLLOW_UP_COURSES = 3


def booking_email_send(*, booking: Booking, kind: str, key: str = "") -> bool:
    """Record that ``kind`` (about ``key``) is told for ``booking`` and queue its mail for after
    the commit; ``False`` when it was recorded before, the shopper has no e-mail address or does
    not want this kind of mail."""
    if not _recipient(booking) or not _wanted(booking, kind):
        return False
    try:
        with transaction.atomic():
            notice = BookingNotice.objects.create(booking=booking, kind=kind, key=key)
    except IntegrityError:  # told already, by an earlier event or beat run
        return False
    enqueue("booking.tasks.booking_notice_send", notice.pk)
    return True


def notice_email_send(*, notice_id: int) -> bool:
    """Send the mail ``notice_id`` records; ``False`` when there is nobody to send it to (the
    account was erased since, or the shopper unsubscribed since it was queued) or a previous run
    of the task sent it."""
    notice = (
        BookingNotice.objects.select_related("booking__type", "booking__consultant", "booking__user")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not _recipient(notice.booking) or not _wanted(notice.booking, notice.kind):
        return False
    sent = f"booking:notice-sent:{notice.pk}"
    if not cache.add(sent, True, timeout=SENT_MEMORY_SECONDS):
        return False
    try:
        notice_message(notice).send()
    except BaseException:
        cache.delete(sent)  # not sent: the retry must send it
        raise
    return True


def notice_message(notice: BookingNotice) -> EmailMultiAlternatives:
    """The whole mail of ``notice``: subject, text, HTML and, where it belongs, the invite."""
    booking = notice.booking
    language = booking_language(booking)
    context = notice_context(booking, notice.kind, language)
    preference = OPTIONAL.get(notice.kind)
    if preference:
        context |= {
            "preference": preference,
            "unsubscribe_url": communication.unsubscribe_url(booking.user, preference),
        }
    subject, text, html = _render(notice.kind, language, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_recipient(booking)],
        reply_to=[settings.SHOP_SELLER_EMAIL] if settings.SHOP_SELLER_EMAIL else None,
        headers=communication.headers(booking.user, preference) if preference else None,
    )
    message.attach_alternative(html, "text/html")
    if notice.kind in WITH_INVITE:
        message.attach(_invite(booking))
    return message


# ---- Rendering -----------------------------------------------------------------------------------


def _recipient(booking: Booking) -> str:
    return (booking.user.email or "") if booking.user_id else ""


def _wanted(booking: Booking, kind: str) -> bool:
    """Transactional mails always; the optional ones as the shopper chose."""
    return kind not in OPTIONAL or communication.wants(booking.user, OPTIONAL[kind])


def _zone(booking: Booking) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(booking.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def format_when(start: datetime, end: datetime, zone: zoneinfo.ZoneInfo, language: str) -> str:
    """The meeting's day and times in ``zone``: ``Dienstag, 14. April 2026, 10:00`` and the end
    after an en dash (``Uhr`` in German); a meeting across midnight names its end's day too."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    day_format = "l, j. F Y" if language == "de" else "l, j F Y"
    with translation.override(language):
        day = dateformat.format(start, day_format)
        end_text = (
            f"{end:%H:%M}" if end.date() == start.date() else dateformat.format(end, f"{day_format}, H:i")
        )
    suffix = " Uhr" if language == "de" else ""
    return f"{day}, {start:%H:%M}–{end_text}{suffix}"


def courses_suggested(language: str, limit: int = FOLLOW_UP_COURSES) -> list[dict[str, str]]:
    """The newest live courses written in ``language`` (none in German for an English shopper)."""
    from cms.models import CoursePage, frontend_path

    rows = (
        CoursePage.objects.live()
        .filter(locale__language_code=language)
        .order_by("-first_published_at", "path")
        .values("title", "summary", "url_path")[:limit]
    )
    return [
        {
            "title": row["title"],
            "summary": row["summary"],
            "url": f"{settings.FRONTEND_URL}{frontend_path(row['url_path'], language)}",
        }
        for row in rows
    ]


def notice_context(booking: Booking, kind: str, language: str) -> dict[str, Any]:
    """What a booking mail says, formatted in ``language`` and the shopper's time zone."""
    zone = _zone(booking)
    refund = booking.refund_amount or Decimal("0")
    if kind == Kind.SLOT_LOST and not refund:
        refund = booking.price  # the whole payment goes back; the refund may still be on its way
    user = booking.user
    return {
        "first_name": user.first_name if user else "",
        "type_title": type_title(booking, language),
        "consultant_name": booking.consultant.display_name,
        "when": format_when(booking.start, booking.end, zone, language),
        "time_zone": str(zone),
        "duration_minutes": int((booking.end - booking.start).total_seconds() // 60),
        "meeting_url": booking.meeting_url if kind in WITH_LINK else "",
        "manage_url": manage_url(booking),
        "price": format_money(booking.price, language),
        "refund": format_money(refund, language) if refund else "",
        "cancelled_by_staff": booking.cancelled_by in (Booking.CancelledBy.STAFF, Booking.CancelledBy.SYSTEM),
        "cancel_reason": booking.cancel_reason,
        "courses": courses_suggested(language) if kind == Kind.FOLLOW_UP else [],
        "seller_name": settings.SHOP_SELLER_NAME,
    }


def _render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML of ``booking/email/<language>/<kind>_*``."""
    prefix = f"booking/email/{language}/{kind}"
    context = {**context, "language": language}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_message.txt", context)
        html = render_to_string(f"{prefix}_message.html", context)
    return subject, text, html


def _invite(booking: Booking) -> MIMEText:
    """``invite.ics`` as calendar clients want it: ``text/calendar`` with the iTIP method."""
    from booking.calendar.ics import invite_ics  # the calendar package builds the event

    ics = invite_ics(booking)
    method = "CANCEL" if b"METHOD:CANCEL" in ics else "REQUEST"
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part
