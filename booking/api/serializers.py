"""How consultation types and bookings look in the API. Times are ISO 8601 with the offset of the
time zone they are shown in (the shopper's for a booking); money is ``{"amount", "currency"}``."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from booking import policy
from booking.models import Booking, ConsultationType
from core.api import MoneySerializer
from core.money import money


def iso(moment: datetime.datetime | None, tz: zoneinfo.ZoneInfo | str) -> str | None:
    if moment is None:
        return None
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    return moment.astimezone(zone).isoformat()


class TypeSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The type's id, the same in every language")
    title = serializers.CharField()
    summary = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    price = MoneySerializer()
    first_timer_price = MoneySerializer(allow_null=True)
    first_timer_applies = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the caller books at the first-timer price; null when not logged in",
    )
    price_for_you = MoneySerializer(help_text="What the caller pays for this type now")
    consultant = inline_serializer(
        "Consultant", {"name": serializers.CharField(), "time_zone": serializers.CharField()}
    )


def type_item(
    source: ConsultationType, translated: ConsultationType, *, first_timer: bool | None
) -> dict[str, Any]:
    applies = bool(first_timer) and source.first_timer_price is not None
    return {
        "id": source.translation_key,
        "title": translated.title,
        "summary": translated.summary,
        "duration_minutes": source.duration_minutes,
        "price": money(source.price),
        "first_timer_price": money(source.first_timer_price),
        "first_timer_applies": None if first_timer is None else applies,
        "price_for_you": money(source.first_timer_price if applies else source.price),
        "consultant": {"name": source.consultant.display_name, "time_zone": source.consultant.time_zone},
    }


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    type = inline_serializer(
        "BookingType",
        {
            "id": serializers.UUIDField(),
            "title": serializers.CharField(),
            "duration_minutes": serializers.IntegerField(),
        },
    )
    start = serializers.CharField(help_text="ISO 8601 in the booking's time zone")
    end = serializers.CharField()
    time_zone = serializers.CharField()
    price = MoneySerializer()
    first_timer = serializers.BooleanField()
    hold_expires_at = serializers.CharField(allow_null=True, help_text="While held: when the hold lapses")
    meeting_url = serializers.CharField(allow_null=True, help_text="Once confirmed")
    order_number = serializers.CharField(allow_null=True)
    invite_url = serializers.CharField(allow_null=True, help_text="The ICS invite, once confirmed")
    cancellation = inline_serializer(
        "BookingCancellation",
        {
            "allowed": serializers.BooleanField(),
            "refund": MoneySerializer(allow_null=True, help_text="What cancelling now gives back"),
            "free_until": serializers.CharField(help_text="Until when cancelling is refunded in full"),
        },
    )
    reschedule = inline_serializer(
        "BookingReschedule",
        {
            "allowed": serializers.BooleanField(),
            "until": serializers.CharField(),
            "remaining": serializers.IntegerField(),
        },
    )
    cancelled_at = serializers.CharField(allow_null=True)
    refund_amount = MoneySerializer(allow_null=True, help_text="What a cancellation gave back")


def booking_item(
    booking: Booking, translated: ConsultationType | None, *, paid: dict[int, Any], now=None
) -> dict[str, Any]:
    now = now or timezone.now()
    tz = booking.time_zone
    confirmed = booking.status == Booking.Status.CONFIRMED
    terms = policy.cancellation_terms(booking, now=now)
    cancellable = confirmed and booking.end > now
    remaining = max(settings.BOOKING_MAX_RESCHEDULES - booking.reschedule_count, 0)
    return {
        "id": booking.pk,
        "status": booking.status,
        "type": {
            "id": booking.type.translation_key,
            "title": (translated or booking.type).title,
            "duration_minutes": booking.type.duration_minutes,
        },
        "start": iso(booking.start, tz),
        "end": iso(booking.end, tz),
        "time_zone": tz,
        "price": money(booking.price),
        "first_timer": booking.first_timer,
        "hold_expires_at": iso(booking.hold_expires_at, tz)
        if booking.status == Booking.Status.HELD
        else None,
        "meeting_url": booking.meeting_url or None if confirmed else None,
        "order_number": booking.order.number if booking.order_id else None,
        "invite_url": f"/api/v1/booking/bookings/{booking.pk}/invite.ics"
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.CANCELLED) and booking.order_id
        else None,
        "cancellation": {
            "allowed": cancellable,
            "refund": money(paid.get(booking.order_line_id, 0) if terms.refund else 0)
            if cancellable
            else None,
            "free_until": iso(terms.free_until, tz),
        },
        "reschedule": {
            "allowed": confirmed and policy.reschedule_allowed(booking, now=now),
            "until": iso(policy.reschedule_until(booking), tz),
            "remaining": remaining,
        },
        "cancelled_at": iso(booking.cancelled_at, tz),
        "refund_amount": money(booking.refund_amount) if booking.status == Booking.Status.CANCELLED else None,
    }


def booking_items(
    bookings: list[Booking], *, titles: dict[uuid.UUID, ConsultationType], paid: dict[int, Any]
) -> list[dict[str, Any]]:
    """The API's view of ``bookings``, given what ``booking.selectors.booking_extras`` read beside
    them (the types' titles in the caller's language, what was paid for each line)."""
    now = timezone.now()
    return [
        booking_item(booking, titles.get(booking.type.translation_key), paid=paid, now=now)
        for booking in bookings
    ]
