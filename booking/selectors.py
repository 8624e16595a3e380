"""Reads for consultations: the bookable type behind a public id, and what the slot engine needs.

``slot_inputs`` costs the same few queries for a day or for the whole horizon and whatever the
number of bookings (three: hours, overrides, busy times), so the slots API stays cheap and the
hold service checks a start against exactly what the API offered.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import DateTimeField, Q, Value

from booking import slots
from booking.models import Booking, Consultant, ConsultationType, DateOverride, ExternalBusy, WorkingHours
from core.locale import supported_language

WEEK = timedelta(days=7)
# The longest consultation: how far past a window a candidate's meeting can reach.
LONGEST = timedelta(minutes=max(ConsultationType.Duration.values))


def consultation_type_for_key(key: uuid.UUID | str) -> ConsultationType | None:
    """The active type with this public id (its ``translation_key``): the source-language row, whose
    length and prices are the ones sold, with its consultant (only while the consultant is active).
    ``None`` for an id that is unknown or not a UUID at all."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return (
        ConsultationType.objects.filter(
            translation_key=key,
            locale__language_code=settings.LANGUAGE_CODE,
            is_active=True,
            consultant__is_active=True,
        )
        .select_related("consultant")
        .first()
    )


def _rules_for(consultant: Consultant, *, window_from: datetime, window_to: datetime) -> slots.Rules:
    """The consultant's rules with the week's hours and only the overrides near the window (two
    queries, whatever the consultant has prefetched)."""
    tz = consultant.tz
    first = window_from.astimezone(tz).date() - timedelta(days=1)
    last = window_to.astimezone(tz).date() + timedelta(days=1)
    return slots.Rules.from_consultant(
        consultant,
        hours=WorkingHours.objects.filter(consultant=consultant),
        overrides=DateOverride.objects.filter(consultant=consultant, date__range=(first, last)),
    )


def _week_start(rules: slots.Rules, instant: datetime) -> datetime:
    day = rules.local_date(instant)
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0), tzinfo=rules.tz)


def slot_inputs(
    consultant: Consultant,
    *,
    window_from: datetime,
    window_to: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> tuple[slots.Rules, list[slots.Range], list[datetime]]:
    """``(rules, busy, counted)`` for starts in ``[window_from, window_to)``, in three queries.

    ``busy``: the blocked ranges of the consultant's live holds and bookings (a hold whose
    ``hold_expires_at`` has passed blocks nothing, whatever its row still says) and the external
    busy times, from one query. ``counted``: the starts of those bookings, for the daily and weekly
    limits, read over whole local weeks around the window (empty when the consultant has no limit).
    ``exclude_booking_id`` leaves out the booking being rescheduled, so it does not stand in its own way.
    """
    rules = _rules_for(consultant, window_from=window_from, window_to=window_to)
    # A candidate's blocked range reaches this far either side of its start.
    reach_before = window_from - rules.buffer_before
    reach_after = window_to + LONGEST + rules.buffer_after
    read_from, read_to = reach_before, reach_after
    no_start = Value(None, output_field=DateTimeField())
    starts: str | Value = no_start
    if rules.daily_limit is not None or rules.weekly_limit is not None:
        # The limits count whole local weeks. Without limits the starts are not read at all:
        # parsing timestamps is most of what reading 500 bookings costs.
        read_from = min(read_from, _week_start(rules, window_from))
        read_to = max(read_to, _week_start(rules, window_to) + WEEK)
        starts = "start"

    bookings = (
        Booking.objects.blocking()
        .filter(consultant=consultant, blocked_from__lt=read_to, blocked_until__gt=read_from)
        .exclude(Q(status=Booking.Status.HELD) & Q(hold_expires_at__lte=now))
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    external = ExternalBusy.objects.filter(consultant=consultant, start__lt=reach_after, end__gt=reach_before)
    # One round trip: an external busy time has no booking start (NULL), so it counts toward no limit.
    rows = (
        bookings.order_by()
        .values_list("blocked_from", "blocked_until", starts)
        .union(external.order_by().values_list("start", "end", no_start), all=True)
    )
    busy: list[slots.Range] = []
    counted: list[datetime] = []
    for blocked_from, blocked_until, start in rows:
        busy.append((blocked_from, blocked_until))
        if start is not None:
            counted.append(start)
    return rules, busy, counted


def free_slots(
    *, type: ConsultationType, window_from: datetime, window_to: datetime, now: datetime
) -> list[datetime]:
    """Free start times (UTC, sorted) of ``type`` in ``[window_from, window_to)``."""
    rules, busy, counted = slot_inputs(type.consultant, window_from=window_from, window_to=window_to, now=now)
    return slots.free_starts(
        rules,
        duration=timedelta(minutes=type.duration_minutes),
        busy=busy,
        counted=counted,
        now=now,
        window_from=window_from,
        window_to=window_to,
    )


# ---- A booking as its shopper reads it (e-mails, invites) ----------------------------------------


def booking_language(booking: Booking) -> str:
    """The language the shopper books in (``de`` or ``en``), the site's default otherwise."""
    return supported_language(booking.language)


def type_title(booking: Booking, language: str) -> str:
    """The booked type's title in ``language`` (its translation), else the booked row's."""
    if booking.type.locale.language_code == language:
        return booking.type.title
    translated = (
        ConsultationType.objects.filter(
            translation_key=booking.type.translation_key, locale__language_code=language
        )
        .values_list("title", flat=True)
        .first()
    )
    return translated or booking.type.title


def manage_url(booking: Booking) -> str:
    """The front end's page where the shopper cancels or moves the booking."""
    return f"{settings.FRONTEND_URL}/{booking_language(booking)}/account/bookings/{booking.pk}/"
