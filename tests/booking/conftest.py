"""Shared fixtures of the consultation tests: a consultant with plain hours, a type, bookings.

``consultant``: Europe/Berlin, Monday to Friday 09:00 to 17:00, no buffers, no notice, a 60 day
horizon, a 30 minute grid. ``consultation_type``: 60 minutes, 89.00 EUR (first-timer 59.00), the
German source row. ``booking_make`` writes a booking row directly (no basket, no payment), its
blocked range widened by the consultant's buffers as the hold service does.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale

from booking.models import Booking, Consultant, ConsultationType, WorkingHours
from tests.shop.conftest import customer, make_user, shop_catalog  # noqa: F401 (the shop's fixtures)


@pytest.fixture
def consultant(db) -> Consultant:
    user = get_user_model().objects.create_user(email="beraterin@phialo.example", password=None)
    consultant = Consultant.objects.create(
        user=user,
        display_name="Anna Goldschmied",
        time_zone="Europe/Berlin",
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        minimum_notice_minutes=0,
        horizon_days=60,
        slot_interval_minutes=30,
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(consultant=consultant, weekday=weekday, start_time=time(9), end_time=time(17))
        for weekday in range(5)
    )
    return consultant


@pytest.fixture
def consultation_type(consultant) -> ConsultationType:
    return ConsultationType.objects.create(
        locale=Locale.objects.get_or_create(language_code="de")[0],
        consultant=consultant,
        title="Schmuckberatung",
        summary="Eine Stunde zu Entwurf, Material und Technik.",
        duration_minutes=60,
        price=Decimal("89.00"),
        first_timer_price=Decimal("59.00"),
    )


def booking_make(
    consultant: Consultant,
    type: ConsultationType,
    start: datetime,
    status: Booking.Status = Booking.Status.CONFIRMED,
    user=None,
    **fields,
) -> Booking:
    """A booking row of ``type`` at ``start`` (aware), blocking as the consultant's buffers say.
    A held one lives 10 minutes from now unless ``hold_expires_at`` is given."""
    end = start + timedelta(minutes=type.duration_minutes)
    if status == Booking.Status.HELD:
        fields.setdefault("hold_expires_at", timezone.now() + timedelta(minutes=10))
    return Booking.objects.create(
        consultant=consultant,
        type=type,
        user=user,
        status=status,
        start=start,
        end=end,
        blocked_from=start - timedelta(minutes=consultant.buffer_before_minutes),
        blocked_until=end + timedelta(minutes=consultant.buffer_after_minutes),
        price=type.price,
        **fields,
    )
