"""Reads for consultations: the bookable types and the type behind a public id, what the slot
engine needs, a shopper's bookings and what the API and e-mails show beside them.

``slot_inputs`` costs the same few queries for a day or for the whole horizon and whatever the
number of bookings (three: hours, overrides, busy times), so the slots API stays cheap and the
hold service checks a start against exactly what the API offered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import DateTimeField, Q, Value
from oscar.apps.order.models import Line as OrderLine
from wagtail.models import Locale

from booking import policy, slots
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


# ---- What the API lists --------------------------------------------------------------------------


def type_translations(keys: Iterable[uuid.UUID], locale: str) -> dict[uuid.UUID, ConsultationType]:
    """{translation key: the type in ``locale``, or the German row where untranslated}. One query."""
    keys = set(keys)
    rows = ConsultationType.objects.filter(
        translation_key__in=keys, locale__language_code__in={locale, Locale.get_default().language_code}
    ).select_related("locale")
    found: dict[uuid.UUID, ConsultationType] = {}
    for row in rows:
        if row.translation_key not in found or row.locale.language_code == locale:
            found[row.translation_key] = row
    return found


def types_on_sale(
    *, user, locale: str
) -> tuple[list[tuple[ConsultationType, ConsultationType]], bool | None]:
    """The types on sale, each as ``(source-language row with its consultant, its translation in
    ``locale``)``, in the catalogue's order; and whether ``user`` books at the first-timer price
    (``None`` when not logged in)."""
    sources = list(
        ConsultationType.objects.filter(
            locale__language_code="de", is_active=True, consultant__is_active=True
        )
        .select_related("consultant")
        .order_by("sort_order", "duration_minutes")
    )
    translated = type_translations((source.translation_key for source in sources), locale)
    first_timer = None
    if user.is_authenticated:
        first_timer = bool(sources) and policy.first_timer_applies(
            user, next((s for s in sources if s.first_timer_price is not None), sources[0])
        )
    return [(s, translated.get(s.translation_key, s)) for s in sources], first_timer


def paid_amounts(bookings: Iterable[Booking]) -> dict[int, Decimal]:
    """{order line id: what was paid for it, discounts taken off}. One query."""
    line_ids = [booking.order_line_id for booking in bookings if booking.order_line_id]
    if not line_ids:
        return {}
    return dict(OrderLine.objects.filter(pk__in=line_ids).values_list("pk", "line_price_incl_tax"))


def booking_extras(
    bookings: list[Booking], locale: str
) -> tuple[dict[uuid.UUID, ConsultationType], dict[int, Decimal]]:
    """What the API shows beside ``bookings``: their types' titles in ``locale``
    (:func:`type_translations`) and what was paid for each (:func:`paid_amounts`). Two queries."""
    titles = type_translations({booking.type.translation_key for booking in bookings}, locale)
    return titles, paid_amounts(bookings)


def own_booking(*, user, pk: int) -> Booking | None:
    """``user``'s booking ``pk`` with its type and order, or ``None`` (also for anyone else's)."""
    return Booking.objects.select_related("type", "order").filter(pk=pk, user=user).first()


def bookings_of_user(*, user, now: datetime) -> list[Booking]:
    """Held, confirmed, cancelled and past bookings of ``user`` (not lapsed or dropped holds):
    upcoming first, soonest first; then past ones, latest first."""
    bookings = list(
        Booking.objects.filter(user=user)
        .exclude(status=Booking.Status.EXPIRED)
        .exclude(Q(status=Booking.Status.CANCELLED) & Q(order__isnull=True))
        .select_related("type", "order")
        .order_by("start")
    )
    upcoming = [booking for booking in bookings if booking.end > now]
    past = [booking for booking in reversed(bookings) if booking.end <= now]
    return upcoming + past


def booking_for_invite(*, user, pk: int) -> Booking | None:
    """``user``'s booking ``pk`` with what its invite names (type, consultant, shopper), or ``None``."""
    return Booking.objects.select_related("type", "consultant__user", "user").filter(pk=pk, user=user).first()


def consultant_for_feed(secret: str) -> Consultant | None:
    """The consultant whose private calendar feed has the address ``secret``, or ``None``."""
    return Consultant.objects.filter(feed_secret=secret).first()
