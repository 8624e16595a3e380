"""ICS invites and the consultant's feed, parsed back with icalendar: one stable UID per booking,
SEQUENCE rising with every change the shopper sees, METHOD:CANCEL once cancelled, times in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from freezegun import freeze_time
from icalendar import Calendar
from wagtail.models import Locale

from booking.calendar.ics import consultant_event_ics, feed_ics, invite_ics
from booking.models import Booking
from booking.services.cancellations import booking_cancel
from booking.services.rescheduling import booking_reschedule
from tests.booking.conftest import booking_make

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # a Sunday
TUESDAY_10_BERLIN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WEDNESDAY_14_BERLIN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
MEETING = "https://meet.jit.si/Phialo-k3nT9vQx2LrWbq8Hs1YdFe4m"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now_and_domain(settings):
    settings.BOOKING_ICS_DOMAIN = "phialo.example"
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def shopper(db):
    return get_user_model().objects.create_user(
        email="kundin@example.org", password=None, first_name="Mia", last_name="Muster"
    )


@pytest.fixture
def booking(consultant, consultation_type, shopper) -> Booking:
    return booking_make(consultant, consultation_type, TUESDAY_10_BERLIN, user=shopper, meeting_url=MEETING)


def parsed(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.events
    return calendar, event


def test_invite_is_a_request_in_utc_from_the_consultant_to_the_shopper(booking):
    data = invite_ics(booking)
    calendar, event = parsed(data)

    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]) == f"{booking.uid}@phialo.example"
    assert event["sequence"] == 0
    assert event.start == TUESDAY_10_BERLIN and event.end == TUESDAY_10_BERLIN + timedelta(hours=1)
    assert b"DTSTART:20261124T090000Z" in data and b"DTEND:20261124T100000Z" in data
    assert b"VTIMEZONE" not in data
    assert str(event["summary"]) == "Schmuckberatung"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == MEETING and str(event["url"]) == MEETING
    assert MEETING in str(event["description"])
    assert f"/de/account/bookings/{booking.pk}/" in str(event["description"])
    assert str(event["organizer"]) == "mailto:beraterin@phialo.example"
    assert event["organizer"].params["CN"] == "Anna Goldschmied"
    assert str(event["attendee"]) == "mailto:kundin@example.org"
    assert event["attendee"].params["PARTSTAT"] == "ACCEPTED"
    assert event["attendee"].params["RSVP"] == "FALSE"


def test_invite_title_and_text_follow_the_booking_language(booking, consultation_type):
    english = consultation_type.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0])
    english.title = "Jewellery consultation"
    english.save()
    booking.language = "en"
    booking.save()

    _, event = parsed(invite_ics(booking))

    assert str(event["summary"]) == "Jewellery consultation"
    assert "Video consultation with Anna Goldschmied" in str(event["description"])
    assert f"/en/account/bookings/{booking.pk}/" in str(event["description"])


def test_reschedule_keeps_the_uid_and_raises_the_sequence(booking):
    _, before = parsed(invite_ics(booking))

    moved = booking_reschedule(booking=booking, start=WEDNESDAY_14_BERLIN)
    calendar, after = parsed(invite_ics(moved))

    assert calendar["method"] == "REQUEST"
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after.start == WEDNESDAY_14_BERLIN and after.end == WEDNESDAY_14_BERLIN + timedelta(hours=1)


def test_cancelled_booking_gives_a_cancel_with_the_same_uid_and_a_higher_sequence(booking, settings):
    settings.BOOKING_FREE_CANCELLATION_HOURS = 1000  # past the free window: nothing to refund
    _, before = parsed(invite_ics(booking))

    cancelled = booking_cancel(booking=booking, by=Booking.CancelledBy.SHOPPER, reason="Krank")
    data = invite_ics(cancelled)
    calendar, after = parsed(data)

    assert calendar["method"] == "CANCEL"
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert str(after["status"]) == "CANCELLED"
    assert "account/bookings" not in str(after["description"])


def test_uid_host_defaults_to_the_sites_host(booking, settings):
    settings.BOOKING_ICS_DOMAIN = ""
    settings.FRONTEND_URL = "https://www.phialo.de"

    _, event = parsed(invite_ics(booking))

    assert str(event["uid"]) == f"{booking.uid}@www.phialo.de"


def test_invite_of_a_booking_whose_shopper_is_gone_names_no_attendee(booking):
    booking.user.delete()
    booking.refresh_from_db()

    _, event = parsed(invite_ics(booking))

    assert "attendee" not in event
    assert str(event["uid"]) == f"{booking.uid}@phialo.example"


def test_consultants_copy_invites_nobody_and_says_who_booked(booking):
    data = consultant_event_ics(booking)
    calendar, event = parsed(data)

    assert "method" not in calendar
    assert "attendee" not in event and "organizer" not in event
    assert str(event["summary"]) == "Schmuckberatung – Mia Muster"
    assert "kundin@example.org" in str(event["description"])
    assert str(event["uid"]) == f"{booking.uid}@phialo.example"


def test_feed_lists_the_consultants_meetings_from_thirty_days_back(consultant, consultation_type, shopper):
    upcoming = booking_make(consultant, consultation_type, TUESDAY_10_BERLIN, user=shopper)
    recent = booking_make(
        consultant, consultation_type, NOW - timedelta(days=29), user=shopper, status=Booking.Status.COMPLETED
    )
    no_show = booking_make(
        consultant, consultation_type, NOW - timedelta(days=3), user=shopper, status=Booking.Status.NO_SHOW
    )
    booking_make(
        consultant, consultation_type, NOW - timedelta(days=31), user=shopper, status=Booking.Status.COMPLETED
    )
    booking_make(consultant, consultation_type, WEDNESDAY_14_BERLIN, user=shopper, status=Booking.Status.HELD)
    booking_make(
        consultant,
        consultation_type,
        WEDNESDAY_14_BERLIN + timedelta(hours=2),
        status=Booking.Status.CANCELLED,
    )

    calendar = Calendar.from_ical(feed_ics(consultant))

    assert calendar["method"] == "PUBLISH"
    assert "Anna Goldschmied" in str(calendar["x-wr-calname"])
    assert [str(event["uid"]).split("@")[0] for event in calendar.events] == [
        str(recent.uid),
        str(no_show.uid),
        str(upcoming.uid),
    ]
    assert all(
        event.start.tzinfo is not None and event.start.utcoffset() == timedelta(0)
        for event in calendar.events
    )


def test_feed_lists_only_its_own_consultants_bookings(
    consultant, consultation_type, shopper, django_user_model
):
    from booking.models import Consultant

    other = Consultant.objects.create(
        user=django_user_model.objects.create_user(email="zweite@phialo.example", password=None),
        display_name="Ben",
    )
    booking_make(consultant, consultation_type, TUESDAY_10_BERLIN, user=shopper)

    assert Calendar.from_ical(feed_ics(other)).events == []
    assert len(Calendar.from_ical(feed_ics(consultant)).events) == 1


def test_the_invite_is_stamped_when_it_is_made(booking, _frozen_now_and_domain):
    _frozen_now_and_domain.tick(timedelta(minutes=5))

    _, event = parsed(invite_ics(booking))

    assert event["dtstamp"].dt == NOW + timedelta(minutes=5)
