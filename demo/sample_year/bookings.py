"""The sample year's consultations: a consultant working Monday to Friday, and two or three
bookings on most working days (completed, no-show, cancelled and refunded, or coming), each paid
through an order of the consultation type's Oscar product."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale

from backoffice.reports.base import studio_zone
from booking.models import Booking, Consultant, ConsultationType, WorkingHours
from booking.products import product_for, products_sync
from demo.sample_year.common import BATCH, DOMAIN, OrderPlan
from demo.sample_year.orders import orders_write


def bookings_create(rng, users, first_day: date, today: date, rate: Decimal, seed: int, progress) -> int:
    """A consultant working Monday to Friday 10:00 to 16:00 (Berlin) with a 60 minute type, and two or
    three bookings on most working days of the year: completed, no-show, cancelled (refunded) or
    coming, each paid through an order of the type's Oscar product."""
    consultant, consultation_type = _consultant_and_type(seed)
    product = product_for(consultation_type, first_timer=False) or products_sync(consultation_type)[0]
    zone = studio_zone()
    now = timezone.now()
    rows, plans = [], []
    day = first_day
    while day <= today + timedelta(days=14):
        if day.weekday() < 5:
            for hour in rng.sample([10, 11, 13, 14, 15], k=rng.randint(0, 3)):
                start = datetime.combine(day, time(hour), tzinfo=zone)
                booking = _booking(rng, consultant, consultation_type, users, start, now)
                plan = OrderPlan(
                    f"S{seed}9{len(rows):06d}",
                    booking.user,
                    booking.confirmed_at,
                    [(product, consultation_type.price)],
                )
                plan.refunded_at = booking.cancelled_at
                plans.append(plan)
                rows.append(booking)
        day += timedelta(days=1)
    lines_of = orders_write(plans, rate)
    for booking, plan in zip(rows, plans, strict=True):
        booking.order = plan.order
        booking.order_line_id = lines_of[plan.number][0].pk
    Booking.objects.bulk_create(rows, batch_size=BATCH)
    progress("sample consultations", len(rows), len(rows))
    return len(rows)


def _consultant_and_type(seed: int) -> tuple[Consultant, ConsultationType]:
    """The sample consultant (Monday to Friday, 10:00 to 16:00) and their 60 minute type."""
    User = get_user_model()
    consultant_user, _ = User.objects.get_or_create(
        email=f"consultant-s{seed}@{DOMAIN}",
        defaults={"first_name": "Mara", "last_name": "Goldmann", "password": "!"},
    )
    consultant, created = Consultant.objects.get_or_create(
        user=consultant_user,
        defaults={"display_name": "Mara Goldmann (sample)", "time_zone": "Europe/Berlin"},
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(consultant=consultant, weekday=weekday, start_time=time(10), end_time=time(16))
            for weekday in range(5)
        )
    consultation_type = ConsultationType.objects.filter(consultant=consultant).first()
    if consultation_type is None:
        locale = Locale.objects.get_or_create(language_code="de")[0]
        consultation_type = ConsultationType.objects.create(
            consultant=consultant,
            title="Werkstattgespräch (Beispiel)",
            duration_minutes=60,
            price=Decimal("89.00"),
            first_timer_price=Decimal("69.00"),
            locale=locale,
        )
    return consultant, consultation_type


def _booking(rng, consultant, consultation_type, users, start: datetime, now: datetime) -> Booking:
    """One booking starting at ``start``: coming when it is after ``now``, else how it went."""
    if start > now:
        status = Booking.Status.CONFIRMED
    else:
        status = rng.choices(
            [Booking.Status.COMPLETED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED],
            weights=[85, 5, 10],
        )[0]
    booked_at = min(start - timedelta(days=rng.randint(2, 20)), now - timedelta(hours=1))
    cancelled = status == Booking.Status.CANCELLED
    # Cancelled well before the meeting: the whole price went back (booking.policy).
    cancelled_at = booked_at + timedelta(hours=12) if cancelled else None
    user = users[rng.randrange(len(users))]
    return Booking(
        consultant=consultant,
        type=consultation_type,
        user=user,
        status=status,
        start=start,
        end=start + timedelta(minutes=60),
        blocked_from=start,
        blocked_until=start + timedelta(minutes=60),
        price=consultation_type.price,
        confirmed_at=booked_at,
        cancelled_at=cancelled_at,
        refund_amount=consultation_type.price if cancelled else Decimal("0.00"),
        meeting_provider="jitsi",
        created_at=booked_at,
    )
