"""The invite download (owner only, never cached) and the consultant's private feed (the secret is
the key; polls answered 304 while nothing changed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import include, path
from freezegun import freeze_time
from icalendar import Calendar

from booking.api.urls import feed_urlpatterns
from booking.models import Booking
from tests.booking.conftest import booking_make

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TUESDAY_10_BERLIN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

# The feed lives outside /api/; mounted here ahead of the site's URLs as config/urls.py will.
urlpatterns = [*feed_urlpatterns, path("", include("config.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _frozen_now():
    with freeze_time(NOW) as frozen:
        yield frozen


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def shopper(db):
    return get_user_model().objects.create_user(email="kundin@example.org", password=None, first_name="Mia")


@pytest.fixture
def booking(consultant, consultation_type, shopper) -> Booking:
    return booking_make(consultant, consultation_type, TUESDAY_10_BERLIN, user=shopper)


def test_the_shopper_downloads_the_invite_of_their_booking(booking, shopper):
    response = logged_in(shopper).get(f"/api/v1/booking/bookings/{booking.pk}/invite.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="phialo-booking-{booking.pk}.ics"'
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "REQUEST"
    assert str(calendar.events[0]["uid"]).startswith(str(booking.uid))


def test_a_calendar_app_asking_for_text_calendar_gets_it(booking, shopper):
    response = logged_in(shopper).get(
        f"/api/v1/booking/bookings/{booking.pk}/invite.ics", HTTP_ACCEPT="text/calendar"
    )

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


def test_only_the_owner_gets_the_invite(booking, consultant, consultation_type, shopper):
    url = f"/api/v1/booking/bookings/{booking.pk}/invite.ics"
    held = booking_make(
        consultant,
        consultation_type,
        TUESDAY_10_BERLIN + timedelta(hours=3),
        user=shopper,
        status=Booking.Status.HELD,
    )

    anonymous = Client(raise_request_exception=False).get(url)
    stranger = get_user_model().objects.create_user(email="fremd@example.org", password=None)
    someone_else = logged_in(stranger).get(url, HTTP_ACCEPT="text/calendar")
    unknown = logged_in(shopper).get("/api/v1/booking/bookings/999999/invite.ics")
    not_paid = logged_in(shopper).get(f"/api/v1/booking/bookings/{held.pk}/invite.ics")

    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    for response in (someone_else, unknown):
        assert (response.status_code, response.json()["error"]["code"]) == (404, "booking_not_found")
    assert (not_paid.status_code, not_paid.json()["error"]["code"]) == (404, "invite_not_ready")


def test_a_cancelled_bookings_invite_is_a_cancellation(booking, shopper):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, sequence=1)

    response = logged_in(shopper).get(f"/api/v1/booking/bookings/{booking.pk}/invite.ics")

    assert Calendar.from_ical(response.content)["method"] == "CANCEL"


def test_the_feed_answers_by_its_secret_alone(booking, consultant):
    response = Client().get(f"/booking/feeds/{consultant.feed_secret}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    assert [str(event["uid"]).split("@")[0] for event in calendar.events] == [str(booking.uid)]


def test_an_unknown_feed_secret_is_not_found(booking, consultant):
    response = Client(raise_request_exception=False).get(f"/booking/feeds/{consultant.feed_secret}x.ics")

    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


def test_a_feed_poll_is_not_modified_until_a_booking_changes(booking, consultant, _frozen_now):
    url = f"/booking/feeds/{consultant.feed_secret}.ics"
    first = Client().get(url)
    _frozen_now.tick(timedelta(minutes=10))

    unchanged = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    booking.start, booking.end = booking.start + timedelta(hours=1), booking.end + timedelta(hours=1)
    booking.blocked_from, booking.blocked_until = booking.start, booking.end
    booking.sequence = 1
    booking.save()
    changed = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
