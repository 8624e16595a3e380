"""CalDAV sync with the consultant's own calendar (iCloud, Fastmail, Nextcloud, Radicale, ...).

Two directions. ``booking_push`` writes a booking into the calendar at ``Consultant.caldav_url``
(and removes it once cancelled), keyed on the booking's ICS UID, so writing twice changes
nothing. ``busy_pull`` reads the calendar's events from now to the end of the booking horizon into
``ExternalBusy``, which the slot engine treats like bookings; our own events are recognised by
their UID and left out (the booking itself already blocks its time).

A calendar server that is down, slow or refuses the password must never cost a booking: neither
function raises. The failure is written to ``Consultant.caldav_error`` (shown in the admin) and
the function answers False, so the task can try again later; the next success clears it. When a
pull fails, the busy times read last time stay: blocking a stale meeting is better than selling
a time the consultant is not free.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote

import caldav
from caldav.lib.error import NotFoundError
from django.db import transaction
from django.utils import timezone
from icalendar import Component, IncompleteComponent, InvalidCalendar

from booking.calendar.ics import GONE, consultant_event_ics, ics_domain
from booking.models import Booking, Consultant, ExternalBusy

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
# Written into the calendar: the meetings that take (or took) the consultant's time.
PUSHED = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
ERROR_MAX_CHARS = 1000


@contextlib.contextmanager
def _calendar(consultant: Consultant) -> Iterator[caldav.Calendar]:
    """The consultant's calendar, over a connection closed afterwards (a worker lives long)."""
    client = caldav.DAVClient(
        url=consultant.caldav_url,
        username=consultant.caldav_username or None,
        password=consultant.caldav_password or None,
        timeout=TIMEOUT_SECONDS,
        # The URL names the calendar itself: no DNS discovery (RFC 6764) behind the user's back.
        enable_rfc6764=False,
    )
    with client:
        yield client.calendar(url=consultant.caldav_url)


def _outcome_record(consultant: Consultant, error: Exception | None, *, synced: bool = False) -> None:
    """Write what the last exchange with the calendar gave, without touching other fields."""
    fields: dict = {"caldav_error": ""}
    if error is not None:
        fields["caldav_error"] = f"{timezone.now():%Y-%m-%d %H:%M} UTC: {type(error).__name__}: {error}"[
            :ERROR_MAX_CHARS
        ]
    if synced:
        fields["caldav_synced_at"] = timezone.now()
    Consultant.objects.filter(pk=consultant.pk).update(**fields)
    for name, value in fields.items():
        setattr(consultant, name, value)


def _in_calendar(href: str, consultant: Consultant) -> bool:
    """Whether ``href`` was written into the calendar configured now (it may have been changed)."""
    return bool(href) and unquote(href).startswith(unquote(consultant.caldav_url.rstrip("/")) + "/")


def booking_push(booking: Booking) -> bool:
    """Make the consultant's calendar show ``booking`` as it is now: write or update the event of
    a confirmed (or completed, no-show) booking and keep its address in ``caldav_href``; delete the
    event of a cancelled or expired one. Holds are not written (they last minutes).

    True when the calendar is in step (or no calendar is connected), False when it could not be
    reached or refused (recorded on the consultant; try again later). Never raises.
    """
    consultant = booking.consultant
    if not consultant.caldav_url:
        return True
    try:
        with _calendar(consultant) as calendar:
            new_href = _write(calendar, booking) if booking.status in PUSHED else _remove(calendar, booking)
    # Whatever the far side did (refused, timed out, answered nonsense): record it, never raise.
    except Exception as error:
        logger.warning(
            "CalDAV push of booking %s to consultant %s failed: %s", booking.pk, consultant.pk, error
        )
        _outcome_record(consultant, error)
        return False
    if new_href != booking.caldav_href:
        Booking.objects.filter(pk=booking.pk).update(caldav_href=new_href)
        booking.caldav_href = new_href
    _outcome_record(consultant, None)
    return True


def _write(calendar: caldav.Calendar, booking: Booking) -> str:
    """PUT the event where it already is (if it is in this calendar), else where the server
    puts a new one; answer its address."""
    data = consultant_event_ics(booking).decode()
    if _in_calendar(booking.caldav_href, booking.consultant):
        event = caldav.Event(client=calendar.client, url=booking.caldav_href, data=data, parent=calendar)
        event.save(increase_seqno=False, only_this_recurrence=None)
    else:
        event = calendar.add_event(data, increase_seqno=False)
    return str(event.url)


def _remove(calendar: caldav.Calendar, booking: Booking) -> str:
    if booking.caldav_href:
        with contextlib.suppress(NotFoundError):  # already gone: deleted by hand, or by an earlier run
            calendar.event_by_url(booking.caldav_href).delete()
    return ""


def busy_pull(consultant: Consultant, *, now: datetime) -> int:
    """Replace the consultant's ``ExternalBusy`` rows with the busy times of their calendar from
    ``now`` to the end of the booking horizon. Answers the number of busy times read, or -1 when
    the calendar could not be read (recorded on the consultant; the old rows stay). Never raises.
    """
    if not consultant.caldav_url:
        return 0
    until = now + timedelta(days=consultant.horizon_days + 2)
    try:
        with _calendar(consultant) as calendar:
            events = calendar.search(start=now, end=until, event=True, expand=True)
            components = [event.component for event in events]
    # Whatever the far side did: record it, keep the old busy times, never raise.
    except Exception as error:
        logger.warning("CalDAV busy times of consultant %s could not be read: %s", consultant.pk, error)
        _outcome_record(consultant, error)
        return -1
    ours = _own_uids(consultant)
    rows = [
        ExternalBusy(consultant=consultant, start=start, end=end, uid=uid[:255])
        for uid, start, end in _busy_times(components, consultant)
        if uid not in ours and end > now and start < until
    ]
    with transaction.atomic():
        ExternalBusy.objects.filter(consultant=consultant).delete()
        ExternalBusy.objects.bulk_create(rows)
    _outcome_record(consultant, None, synced=True)
    return len(rows)


def bookings_out_of_step(consultant: Consultant, *, now: datetime) -> list[int]:
    """Ids of the bookings whose push has not landed: upcoming meetings never written, and gone
    ones still in the calendar."""
    if not consultant.caldav_url:
        return []
    missing = Booking.objects.filter(status__in=PUSHED, end__gt=now, caldav_href="")
    lingering = Booking.objects.filter(status__in=GONE).exclude(caldav_href="")
    return list((missing | lingering).filter(consultant=consultant).values_list("pk", flat=True))


def _own_uids(consultant: Consultant) -> set[str]:
    """The UIDs our own events carry in this calendar (whatever the booking's state: the event of a
    cancelled booking whose deletion is still pending must not block the freed time either)."""
    domain = ics_domain()
    return {
        f"{uid}@{domain}"
        for uid in Booking.objects.filter(consultant=consultant).values_list("uid", flat=True)
    }


def _busy_times(
    components: list[Component], consultant: Consultant
) -> Iterator[tuple[str, datetime, datetime]]:
    """``(uid, start, end)`` in UTC of the events that make the consultant busy. Left out: events
    marked free (``TRANSP:TRANSPARENT``, e.g. most all-day reminders) and cancelled ones. An
    all-day event blocks its days in the consultant's time zone; a floating time is theirs too."""
    for component in components:
        if str(component.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(component.get("status", "")).upper() == "CANCELLED":
            continue
        try:
            start, end = component.start, component.end
        except (IncompleteComponent, InvalidCalendar):  # no usable DTSTART: blocks nothing
            logger.info(
                "CalDAV event %s of consultant %s has no usable time.", component.get("uid"), consultant.pk
            )
            continue
        start, end = _instant(start, consultant), _instant(end, consultant)
        if end > start:
            yield str(component.get("uid", "")), start, end


def _instant(value: date | datetime, consultant: Consultant) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=consultant.tz)
    return value.astimezone(UTC)
