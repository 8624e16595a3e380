"""The demo's consultations: a consultant with a plain week and a holiday, three types in German
and English that can be booked (free slots, products at both rates), and a re-run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from freezegun import freeze_time
from oscar.apps.catalogue.models import Product
from oscar.apps.partner.models import StockRecord
from wagtail.models import Locale

from booking.admin_views.scope import consultant_scope
from booking.models import Consultant, ConsultationType, DateOverride, WorkingHours
from booking.products import product_for
from booking.selectors import free_slots
from demo.consultations import CONSULTANT_EMAIL, demo_seed, next_holiday

pytestmark = pytest.mark.django_db

NOW = "2026-12-14 10:00:00"  # a Monday; the next holiday on a working day: Friday 25 December


def _snapshot() -> dict:
    return {
        "users": list(get_user_model().objects.filter(email=CONSULTANT_EMAIL).values()),
        "consultants": list(Consultant.objects.values()),
        "hours": list(WorkingHours.objects.values()),
        "overrides": list(DateOverride.objects.values()),
        "types": list(ConsultationType.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values()),
        "stock": list(StockRecord.objects.order_by("pk").values()),
    }


def test_a_second_run_changes_nothing(django_capture_on_commit_callbacks):
    calls = []
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        first = demo_seed(lambda what, done, total: calls.append((what, done, total)))
    before = _snapshot()

    # Minutes later: anything saved again would carry a new "updated" time.
    with freeze_time("2026-12-14 10:05:00"), django_capture_on_commit_callbacks(execute=True):
        second = demo_seed()

    assert _snapshot() == before
    assert [t.pk for t in second.types] == [t.pk for t in first.types]
    assert calls[-1] == ("consultation types", 3, 3)


@freeze_time(NOW)
def test_the_demo_consultant_keeps_plain_hours_buffers_and_a_holiday():
    consultant = demo_seed().consultant

    assert consultant.user.email == CONSULTANT_EMAIL
    assert (consultant.time_zone, consultant.horizon_days, consultant.minimum_notice_minutes) == (
        "Europe/Berlin",
        60,
        12 * 60,
    )
    assert (consultant.buffer_before_minutes, consultant.buffer_after_minutes) == (15, 15)
    hours = {(h.weekday, h.start_time, h.end_time) for h in consultant.working_hours.all()}
    assert hours == {
        (day, start, end) for day in range(5) for start, end in ((time(9), time(12)), (time(13), time(17)))
    }
    holiday = consultant.date_overrides.get()
    assert (holiday.date, holiday.start_time, holiday.end_time) == (date(2026, 12, 25), None, None)
    # In the admin, the demo consultant is limited to their own row.
    assert consultant.user.has_perm("wagtailadmin.access_admin")
    assert consultant_scope(consultant.user) == consultant.pk


@freeze_time(NOW)
def test_the_demo_types_can_be_booked_in_german_and_english():
    types = demo_seed().types
    english = Locale.objects.get(language_code="en")

    assert [(t.duration_minutes, t.price, t.first_timer_price) for t in types] == [
        (30, Decimal("49.00"), Decimal("29.00")),
        (60, Decimal("89.00"), Decimal("59.00")),
        (90, Decimal("129.00"), Decimal("99.00")),
    ]
    assert [t.get_translation(english).title for t in types] == [
        "Quick consultation",
        "Jewellery consultation",
        "Workshop session",
    ]
    for consultation_type in types:
        regular = product_for(consultation_type, first_timer=False)
        first_timer = product_for(consultation_type, first_timer=True)
        assert regular.stockrecords.get().price == consultation_type.price
        assert first_timer.stockrecords.get().price == consultation_type.first_timer_price

    now = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
    tuesday = datetime(2026, 12, 14, 23, 0, tzinfo=UTC)  # Tuesday 15 December, 00:00 in Berlin
    starts = free_slots(type=types[1], window_from=tuesday, window_to=tuesday + timedelta(days=1), now=now)
    berlin = [start.astimezone(types[1].consultant.tz).strftime("%H:%M") for start in starts]
    mornings = ["09:00", "09:30", "10:00", "10:30", "11:00"]
    afternoons = ["13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    assert berlin == mornings + afternoons
    christmas_eve = datetime(2026, 12, 23, 23, 0, tzinfo=UTC)
    christmas = christmas_eve + timedelta(days=1)
    assert free_slots(type=types[1], window_from=christmas_eve, window_to=christmas, now=now)
    assert (
        free_slots(type=types[1], window_from=christmas, window_to=christmas + timedelta(days=1), now=now)
        == []
    )


def test_the_next_holiday_is_a_working_day_after_today():
    assert next_holiday(date(2026, 12, 14)) == (date(2026, 12, 25), "1. Weihnachtstag")
    assert next_holiday(date(2026, 12, 25)) == (date(2027, 1, 1), "Neujahr")  # the 26th is a Saturday
    assert next_holiday(date(2026, 5, 1))[0] == date(2026, 12, 25)  # 3 October 2026 is a Saturday
