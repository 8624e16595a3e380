"""iCalendar documents of bookings: the shopper's invite, the consultant's feed, the CalDAV copy.

One event per booking, always with the same UID (``<booking.uid>@<domain>``), so every calendar
that saw it once updates it in place: the invite mailed again after a reschedule carries a higher
SEQUENCE (the services raise ``booking.sequence`` on every change the shopper must see), and a
cancellation goes out as ``METHOD:CANCEL`` with the same UID, which removes the event. All times
are written in UTC (``...Z``): no VTIMEZONE to get wrong, and every client shows them in its own
zone.

The shopper's invite names the consultant as ORGANIZER and the shopper as ATTENDEE (already
accepted: the booking is paid, there is nothing to answer). The consultant's copies (the private
feed and the event written into their calendar over CalDAV) name nobody: a calendar server that
sees ATTENDEEs in an event its owner organises starts sending invitations itself (RFC 6638
implicit scheduling, iCloud and Google do), and the shopper would get a second, foreign one.
Who booked is in the summary and the description instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from booking.models import Booking, Consultant
from booking.selectors import booking_language, manage_url, type_title

PRODID = "-//Phialo//Consultations//EN"
# A booking in one of these is gone from every calendar: its invite is a cancellation.
GONE = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)
# What the consultant's feed lists: the meetings that took or will take their time.
FEED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
FEED_PAST = timedelta(days=30)
# Calendar apps poll a subscribed feed about this often (when they honour the hint at all).
FEED_REFRESH = timedelta(minutes=15)

TEXT = {
    "de": {
        "with": "Videoberatung mit {name}",
        "join": "Zum Videogespräch: {url}",
        "manage": "Verschieben oder absagen: {url}",
        "booked_by": "Gebucht von {name} <{email}>",
        "feed": "Phialo-Beratungen ({name})",
    },
    "en": {
        "with": "Video consultation with {name}",
        "join": "Join the video call: {url}",
        "manage": "Reschedule or cancel: {url}",
        "booked_by": "Booked by {name} <{email}>",
        "feed": "Phialo consultations ({name})",
    },
}


def ics_domain() -> str:
    """The right-hand side of every UID. It must never change once invites are out (a new domain
    would make every calendar see new events), hence its own setting, defaulting to the site's."""
    return (
        getattr(settings, "BOOKING_ICS_DOMAIN", "") or urlsplit(settings.FRONTEND_URL).hostname or "localhost"
    )


def event_uid(booking: Booking) -> str:
    return f"{booking.uid}@{ics_domain()}"


def feed_url(consultant: Consultant) -> str:
    """Where the consultant subscribes to their bookings (keep it secret: it needs no login)."""
    return f"{settings.BACKEND_URL}/booking/feeds/{consultant.feed_secret}.ics"


def _shopper(booking: Booking) -> tuple[str, str]:
    user = booking.user
    if user is None:  # the account was deleted; the booking stays for the books
        return "", ""
    return user.get_full_name() or user.email, user.email


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _event(booking: Booking, *, summary: str, description: list[str], now: datetime) -> Event:
    """The properties every copy shares: identity, time, state and the meeting link."""
    gone = booking.status in GONE
    event = Event()
    event.add("uid", event_uid(booking))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("last-modified", (booking.updated_at or now).astimezone(UTC))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if gone else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if gone else "OPAQUE")
    if booking.meeting_url:
        event.add("location", booking.meeting_url)
        event.add("url", booking.meeting_url)
    event.add("description", "\n".join(line for line in description if line))
    return event


def invite_ics(booking: Booking) -> bytes:
    """The shopper's invite: ``METHOD:REQUEST``, or ``METHOD:CANCEL`` once the booking is gone."""
    language = booking_language(booking)
    text = TEXT[language]
    consultant = booking.consultant
    title = type_title(booking, language)
    description = [
        text["with"].format(name=consultant.display_name),
        text["join"].format(url=booking.meeting_url) if booking.meeting_url else "",
        "" if booking.status in GONE else text["manage"].format(url=manage_url(booking)),
    ]
    event = _event(booking, summary=title, description=description, now=timezone.now())
    organizer = vCalAddress(f"mailto:{consultant.user.email}")
    organizer.params["CN"] = consultant.display_name
    event.add("organizer", organizer)
    name, email = _shopper(booking)
    if email:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params.update(
            {
                "CN": name,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "ACCEPTED",
                "RSVP": "FALSE",
                "CUTYPE": "INDIVIDUAL",
            }
        )
        event.add("attendee", attendee)
    calendar = _calendar("CANCEL" if booking.status in GONE else "REQUEST")
    calendar.add_component(event)
    return calendar.to_ical()


def _consultant_event(booking: Booking, now: datetime) -> Event:
    text = TEXT[settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in TEXT else "en"]
    name, email = _shopper(booking)
    summary = f"{booking.type.title} – {name}" if name else booking.type.title
    description = [
        text["booked_by"].format(name=name, email=email) if email else "",
        text["join"].format(url=booking.meeting_url) if booking.meeting_url else "",
    ]
    return _event(booking, summary=summary, description=description, now=now)


def consultant_event_ics(booking: Booking) -> bytes:
    """The event as written into the consultant's own calendar over CalDAV: a plain calendar
    object (RFC 4791 forbids METHOD in one), nobody invited (see the module's docstring)."""
    calendar = _calendar(None)
    calendar.add_component(_consultant_event(booking, timezone.now()))
    return calendar.to_ical()


def feed_bookings(consultant: Consultant, *, now: datetime):
    """The bookings the consultant's feed lists, oldest first (one query)."""
    return (
        Booking.objects.filter(consultant=consultant, status__in=FEED_STATUSES, end__gte=now - FEED_PAST)
        .select_related("type", "user")
        .order_by("start")
    )


def feed_ics(consultant: Consultant, *, now: datetime | None = None) -> bytes:
    """The consultant's private feed (``METHOD:PUBLISH``): confirmed, completed and no-show
    bookings from 30 days back on. Holds are left out: they last minutes, while calendar apps
    fetch a subscribed feed every few hours at best, so a hold in the feed would nearly always be
    a ghost of a slot that was either paid (and listed at the next fetch anyway) or let go.
    Cancelled bookings are simply absent: a subscribed calendar drops what the feed no longer has."""
    now = now or timezone.now()
    calendar = _calendar("PUBLISH")
    text = TEXT[settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in TEXT else "en"]
    calendar.add("name", text["feed"].format(name=consultant.display_name))
    calendar.add("x-wr-calname", text["feed"].format(name=consultant.display_name))
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH)
    for booking in feed_bookings(consultant, now=now):
        calendar.add_component(_consultant_event(booking, now))
    return calendar.to_ical()
