"""What blocks a slot, read from the database: live holds and bookings do, lapsed holds and
cancelled bookings do not, the consultant's own calendar does; and the public id finds the type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from wagtail.models import Locale

from booking.models import Booking, ExternalBusy
from booking.selectors import consultation_type_for_key, free_slots, slot_inputs
from tests.booking.conftest import booking_make

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
TUESDAY = datetime(2026, 3, 3, tzinfo=BERLIN)
ALL_TUESDAY = [f"{hour:02d}:{minute:02d}" for hour in range(9, 17) for minute in (0, 30)][:-1]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    # pytest's own clock stays real, so its durations report is not thrown by the frozen one.
    with freeze_time(NOW, ignore=["_pytest.timing"]):
        yield


def tuesday(clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return TUESDAY.replace(hour=hour, minute=minute).astimezone(UTC)


def free_on_tuesday(consultation_type) -> list[str]:
    found = free_slots(
        type=consultation_type, window_from=TUESDAY, window_to=TUESDAY + timedelta(days=1), now=NOW
    )
    return [start.astimezone(BERLIN).strftime("%H:%M") for start in found]


def without(*clocks: str) -> list[str]:
    return [clock for clock in ALL_TUESDAY if clock not in clocks]


def test_an_empty_day_offers_every_start(consultation_type):
    assert free_on_tuesday(consultation_type) == ALL_TUESDAY


def test_a_confirmed_booking_blocks_its_time(consultant, consultation_type):
    booking_make(consultant, consultation_type, tuesday("10:00"))
    assert free_on_tuesday(consultation_type) == without("09:30", "10:00", "10:30")


def test_a_live_hold_blocks_and_a_lapsed_one_does_not(consultant, consultation_type):
    booking_make(consultant, consultation_type, tuesday("10:00"), status=Booking.Status.HELD)
    booking_make(
        consultant,
        consultation_type,
        tuesday("14:00"),
        status=Booking.Status.HELD,
        hold_expires_at=NOW - timedelta(seconds=1),  # lapsed, not yet swept
    )
    assert free_on_tuesday(consultation_type) == without("09:30", "10:00", "10:30")


def test_cancelled_and_expired_bookings_block_nothing(consultant, consultation_type):
    booking_make(consultant, consultation_type, tuesday("10:00"), status=Booking.Status.CANCELLED)
    booking_make(consultant, consultation_type, tuesday("10:00"), status=Booking.Status.EXPIRED)
    assert free_on_tuesday(consultation_type) == ALL_TUESDAY


def test_the_consultants_buffers_widen_what_a_booking_blocks(consultant, consultation_type):
    consultant.buffer_before_minutes = consultant.buffer_after_minutes = 15
    consultant.save()
    booking_make(consultant, consultation_type, tuesday("12:00"))  # blocks 11:45 to 13:15
    assert free_on_tuesday(consultation_type) == without("11:00", "11:30", "12:00", "12:30", "13:00")


def test_busy_times_from_the_consultants_calendar_block(consultant, consultation_type):
    ExternalBusy.objects.create(
        consultant=consultant, start=tuesday("10:15"), end=tuesday("10:45"), uid="dentist"
    )
    assert free_on_tuesday(consultation_type) == without("09:30", "10:00", "10:30")


def test_a_booking_of_another_consultant_blocks_nothing(consultant, consultation_type, django_user_model):
    from booking.models import Consultant

    other = Consultant.objects.create(
        user=django_user_model.objects.create_user(email="zweite@phialo.example", password=None),
        display_name="Ben",
    )
    other_type = type(consultation_type).objects.create(
        locale=consultation_type.locale, consultant=other, title="Andere", duration_minutes=60, price="10.00"
    )
    booking_make(other, other_type, tuesday("10:00"))
    ExternalBusy.objects.create(consultant=other, start=tuesday("12:00"), end=tuesday("13:00"))
    assert free_on_tuesday(consultation_type) == ALL_TUESDAY


def test_a_rescheduled_booking_does_not_stand_in_its_own_way(consultant, consultation_type):
    consultant.daily_limit = 3  # its start is then read too, to count
    consultant.save()
    booking = booking_make(consultant, consultation_type, tuesday("10:00"))
    window = {"window_from": TUESDAY, "window_to": TUESDAY + timedelta(days=1), "now": NOW}
    _rules, busy, counted = slot_inputs(consultant, **window)
    assert busy == [(booking.blocked_from, booking.blocked_until)]
    assert counted == [booking.start]
    assert slot_inputs(consultant, exclude_booking_id=booking.pk, **window)[1:] == ([], [])


def test_live_holds_count_toward_the_daily_limit_and_lapsed_ones_do_not(consultant, consultation_type):
    consultant.daily_limit = 2
    consultant.save()
    booking_make(consultant, consultation_type, tuesday("09:00"))
    booking_make(
        consultant,
        consultation_type,
        tuesday("11:00"),
        status=Booking.Status.HELD,
        hold_expires_at=NOW - timedelta(minutes=1),
    )
    assert free_on_tuesday(consultation_type) == without("09:00", "09:30")
    booking_make(consultant, consultation_type, tuesday("15:00"), status=Booking.Status.HELD)
    assert free_on_tuesday(consultation_type) == []


def test_a_booking_early_in_the_week_counts_toward_the_weekly_limit_later(consultant, consultation_type):
    consultant.weekly_limit = 1
    consultant.save()
    booking_make(consultant, consultation_type, datetime(2026, 3, 2, 15, tzinfo=BERLIN))  # Monday
    assert free_on_tuesday(consultation_type) == []
    next_monday = datetime(2026, 3, 9, tzinfo=BERLIN)
    assert (
        len(
            free_slots(
                type=consultation_type,
                window_from=next_monday,
                window_to=next_monday + timedelta(days=1),
                now=NOW,
            )
        )
        == 15
    )


def test_date_overrides_are_read_from_the_database(consultant, consultation_type):
    from datetime import time

    from booking.models import DateOverride

    DateOverride.objects.create(
        consultant=consultant, date=TUESDAY.date(), start_time=time(13), end_time=time(15)
    )
    DateOverride.objects.create(
        consultant=consultant, date=TUESDAY.date() + timedelta(days=1), note="Feiertag"
    )
    assert free_on_tuesday(consultation_type) == ["13:00", "13:30", "14:00"]
    wednesday = TUESDAY + timedelta(days=1)
    assert (
        free_slots(
            type=consultation_type, window_from=wednesday, window_to=wednesday + timedelta(days=1), now=NOW
        )
        == []
    )


def test_the_public_id_finds_the_active_source_row(consultation_type):
    english = consultation_type.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0])
    english.title = "Jewellery consultation"
    english.save()
    assert consultation_type_for_key(consultation_type.translation_key) == consultation_type
    assert consultation_type_for_key(str(consultation_type.translation_key)) == consultation_type
    assert consultation_type_for_key("not-a-uuid") is None

    consultation_type.is_active = False
    consultation_type.save()
    assert consultation_type_for_key(consultation_type.translation_key) is None


def test_a_type_of_an_inactive_consultant_is_not_bookable(consultant, consultation_type):
    consultant.is_active = False
    consultant.save()
    assert consultation_type_for_key(consultation_type.translation_key) is None
