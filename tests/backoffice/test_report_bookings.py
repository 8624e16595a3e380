"""The consultations report: bookings, cancellations, no-shows, hours booked against hours offered,
and revenue, by the meeting's start in Berlin time. Expected figures are worked out by hand from
the consultants' hours below, across the night summer time begins (Sunday 29 March 2026)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from freezegun import freeze_time
from wagtail.models import Locale

import backoffice.reports.bookings  # noqa: F401 (registers the report)
from backoffice.reports.base import Period
from backoffice.reports.bookings import BookingsReport
from booking.models import Booking, Consultant, ConsultationType, DateOverride, WorkingHours
from tests.booking.conftest import booking_make

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
Status = Booking.Status


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-04-10 10:00:00"):
        yield


@pytest.fixture
def anna(consultant, consultation_type):
    """Anna (the shared fixture): Monday to Friday 09:00-17:00 Berlin time. Wednesday 25 March is a
    day off; on Sunday 29 March she works 01:00-05:00, which that night is 3 real hours; on
    Wednesday 1 April only 10:00-12:00."""
    DateOverride.objects.create(consultant=consultant, date=date(2026, 3, 25), note="Urlaub")
    DateOverride.objects.create(
        consultant=consultant, date=date(2026, 3, 29), start_time=time(1), end_time=time(5)
    )
    DateOverride.objects.create(
        consultant=consultant, date=date(2026, 4, 1), start_time=time(10), end_time=time(12)
    )
    return consultant


@pytest.fixture
def ben(db):
    """Ben works in New York, Mondays 17:00-20:00 his time: 22:00-01:00 Berlin time in the week of
    23 March (New York is already on summer time, Berlin not), 23:00-02:00 the week after."""
    user = get_user_model().objects.create_user(email="ben@phialo.example", password=None)
    ben = Consultant.objects.create(user=user, display_name="Ben Silver", time_zone="America/New_York")
    WorkingHours.objects.create(consultant=ben, weekday=0, start_time=time(17), end_time=time(20))
    kind = ConsultationType.objects.create(
        locale=Locale.objects.get_or_create(language_code="de")[0],
        consultant=ben,
        title="Beratung New York",
        duration_minutes=60,
        price=Decimal("89.00"),
    )
    return ben, kind


@pytest.fixture
def bookings(anna, consultation_type, ben):
    kind = consultation_type
    booking_make(anna, kind, berlin(3, 23, 10), Status.COMPLETED)
    booking_make(anna, kind, berlin(3, 24, 11), Status.NO_SHOW)
    # Cancelled in time: refunded in full, it brings nothing in.
    booking_make(
        anna,
        kind,
        berlin(3, 26, 14),
        Status.CANCELLED,
        confirmed_at=berlin(3, 1, 9),
        refund_amount=Decimal("89"),
    )
    # A hold the shopper dropped before paying: not a booking, not a cancellation.
    booking_make(anna, kind, berlin(3, 27, 9), Status.CANCELLED)
    booking_make(anna, kind, berlin(3, 29, 3, 30), Status.CONFIRMED)  # summer time already
    booking_make(anna, kind, berlin(4, 1, 10), Status.CONFIRMED)
    # Cancelled too late for a refund: the 89.00 stay.
    booking_make(anna, kind, berlin(4, 2, 9), Status.CANCELLED, confirmed_at=berlin(3, 1, 9))
    booking_make(anna, kind, berlin(4, 6, 10), Status.CONFIRMED)  # after the range
    booking_make(anna, kind, berlin(3, 22, 23, 30), Status.CONFIRMED)  # before it
    booking_make(ben[0], ben[1], datetime(2026, 3, 23, 17, tzinfo=NEW_YORK), Status.CONFIRMED)  # 22:00 Berlin


RANGE = {"from": "2026-03-23", "to": "2026-04-05", "grain": "week"}


def test_every_consultant_by_week(staff_client, bookings):
    response = staff_client.get("/admin/backoffice/reports/bookings/", RANGE)
    assert response.status_code == 200
    # Week 13: Anna 8 h x 4 days + 3 h on Sunday = 35 h, Ben 3 h; booked: 4 meetings of an hour.
    # Week 14: Anna 8 h x 4 days + 2 h = 34 h, Ben 3 h; booked: 1 hour; the late cancellation kept 89.00.
    assert response.context["table"] == [
        ["2026-W13", "4", "1", "1", "1", "4.0 h", "38.0 h", "10.5 %", "356,00 €"],
        ["2026-W14", "1", "0", "1", "0", "1.0 h", "37.0 h", "2.7 %", "178,00 €"],
    ]
    assert response.context["totals"][1:] == ["5", "1", "2", "1", "5.0 h", "75.0 h", "6.7 %", "534,00 €"]


def test_one_consultant(staff_client, bookings, anna):
    response = staff_client.get("/admin/backoffice/reports/bookings/", {**RANGE, "consultant": str(anna.pk)})
    assert response.status_code == 200
    assert response.context["table"] == [
        ["2026-W13", "3", "1", "1", "1", "3.0 h", "35.0 h", "8.6 %", "267,00 €"],
        ["2026-W14", "1", "0", "1", "0", "1.0 h", "34.0 h", "2.9 %", "178,00 €"],
    ]
    page = response.content.decode()
    assert "Anna Goldschmied" in page and "Ben Silver" in page  # the filter's choices


def test_hours_offered_day_by_day_follow_the_clock(bookings, anna):
    report = BookingsReport(
        period=Period(date(2026, 3, 23), date(2026, 3, 29), "day"), options={"consultant": ""}
    )
    # Ben's Monday evening reaches past Berlin's midnight: 2 h on Monday, 1 h on Tuesday.
    assert [row["hours_offered"] for row in report.rows()] == [10, 9, 0, 8, 8, 0, 3]
    assert [row["bookings"] for row in report.rows()] == [2, 1, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("value", ["999999", "anna", "-1"])
def test_an_unknown_consultant_is_refused_with_a_message(staff_client, anna, value):
    response = staff_client.get("/admin/backoffice/reports/bookings/", {**RANGE, "consultant": value})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_report_costs_four_queries_however_many_bookings(
    anna, consultation_type, django_assert_num_queries
):
    period = Period(date(2026, 1, 1), date(2026, 6, 30), "week")
    booking_make(anna, consultation_type, berlin(3, 2, 10))
    with django_assert_num_queries(4):  # consultants, their hours, their overrides; the bookings
        few = BookingsReport(period=period, options={"consultant": "all"})
        few.rows(), few.totals(), few.chart()
    for day in range(3, 31):
        booking_make(anna, consultation_type, berlin(3, day, 12), Status.COMPLETED)
    with django_assert_num_queries(4):
        many = BookingsReport(period=period, options={"consultant": "all"})
        many.rows(), many.totals(), many.chart()
    assert many.totals()["bookings"] == 29
