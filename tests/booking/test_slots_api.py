"""``GET /api/v1/booking/slots/``: free slots in the time zone asked for, across daylight-saving
changes; bad input answered 400 in the error shape; a constant, small number of queries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from booking.models import Booking, DateOverride, WorkingHours

URL = "/api/v1/booking/slots/"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)  # Friday 09:00 in Berlin, nine days before the change

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    # pytest's own clock stays real, so its durations report is not thrown by the frozen one.
    with freeze_time(NOW, ignore=["_pytest.timing"]):
        yield


@pytest.fixture
def ask(api_client, consultation_type, frozen):
    def ask(expected: int = 200, **params):
        params.setdefault("type", str(consultation_type.translation_key))
        response = api_client.get(URL, {("from" if key == "from_" else key): v for key, v in params.items()})
        assert response.status_code == expected, response.content
        return response

    return ask


def instants(response) -> list[datetime]:
    return [datetime.fromisoformat(slot["start"]) for slot in response.json()["slots"]]


def test_answers_the_slots_with_their_ends_in_the_time_zone_asked_for(ask, consultation_type):
    response = ask(from_="2026-03-23", to="2026-03-23", tz="Europe/Berlin")
    assert response["Cache-Control"] == "public, max-age=30"
    body = response.json()
    assert body["type"] == str(consultation_type.translation_key)
    assert (body["time_zone"], body["duration_minutes"]) == ("Europe/Berlin", 60)
    assert body["slots"][0] == {"start": "2026-03-23T09:00:00+01:00", "end": "2026-03-23T10:00:00+01:00"}
    assert body["slots"][-1] == {"start": "2026-03-23T16:00:00+01:00", "end": "2026-03-23T17:00:00+01:00"}
    assert len(body["slots"]) == 15


def test_defaults_to_two_weeks_from_today_in_the_consultants_time_zone(ask):
    body = ask().json()
    assert body["time_zone"] == "Europe/Berlin"
    days = sorted({slot["start"][:10] for slot in body["slots"]})
    # Friday 20th (from 09:00, now) to Thursday 2nd: ten working days.
    assert days[0] == "2026-03-20" and days[-1] == "2026-04-02" and len(days) == 10


@pytest.fixture
def sunday_nights(consultant):
    """Sundays 00:00 to 05:00 besides the week's hours: both changes of 2026 fall into them."""
    WorkingHours.objects.create(consultant=consultant, weekday=6, start_time=time(0), end_time=time(5))


def test_spring_forward_sunday_has_no_slot_in_the_missing_hour(ask, sunday_nights):
    slots = ask(from_="2026-03-29", to="2026-03-29", tz="Europe/Berlin").json()["slots"]
    assert [slot["start"][11:] for slot in slots] == [
        "00:00:00+01:00",
        "00:30:00+01:00",
        "01:00:00+01:00",
        "01:30:00+01:00",
        "03:00:00+02:00",
        "03:30:00+02:00",
        "04:00:00+02:00",
    ]
    for slot in slots:
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert end - start == timedelta(hours=1)
        assert not time(2) <= start.astimezone(BERLIN).time() < time(3)


def test_fall_back_sunday_offers_no_instant_twice(ask, sunday_nights):
    with freeze_time("2026-10-19T08:00:00Z"):
        response = ask(from_="2026-10-25", to="2026-10-25", tz="Europe/Berlin")
    slots = response.json()["slots"]
    starts = [slot["start"][11:] for slot in slots]
    assert starts == [
        "00:00:00+02:00",
        "00:30:00+02:00",
        "01:00:00+02:00",
        "01:30:00+02:00",
        "02:00:00+02:00",
        "02:30:00+02:00",
        "02:00:00+01:00",
        "02:30:00+01:00",
        "03:00:00+01:00",
        "03:30:00+01:00",
        "04:00:00+01:00",
    ]
    found = instants(response)
    assert len(set(found)) == len(found) == 11
    assert all(
        datetime.fromisoformat(slot["end"]) - datetime.fromisoformat(slot["start"]) == timedelta(hours=1)
        for slot in slots
    )


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])
def test_slots_asked_in_new_york_are_the_same_instants(ask, sunday_nights, day):
    # Whole days either side in New York cover the Berlin day whatever the offsets.
    berlin_day = date.fromisoformat(day)
    with freeze_time("2026-03-20T08:00:00Z" if day.endswith("29") else "2026-10-19T08:00:00Z"):
        berlin = ask(from_=day, to=day, tz="Europe/Berlin")
        new_york = ask(from_=str(berlin_day - timedelta(days=1)), to=day, tz="America/New_York")
    window_from = datetime.combine(berlin_day, time(0), tzinfo=BERLIN)
    window_to = datetime.combine(berlin_day + timedelta(days=1), time(0), tzinfo=BERLIN)
    in_new_york = [start for start in instants(new_york) if window_from <= start < window_to]
    assert in_new_york == instants(berlin) and len(in_new_york) in (7, 11)
    offsets = {slot["start"][-6:] for slot in new_york.json()["slots"]}
    assert offsets == {"-04:00"}  # New York is on summer time on both dates
    assert new_york.json()["time_zone"] == "America/New_York"


def test_the_week_after_the_change_starts_an_hour_earlier_in_utc(ask):
    response = ask(from_="2026-03-27", to="2026-03-30", tz="UTC")
    starts = [slot["start"] for slot in response.json()["slots"]]
    assert starts[0] == "2026-03-27T08:00:00+00:00"  # Friday 09:00 CET
    assert "2026-03-30T07:00:00+00:00" in starts and "2026-03-30T06:30:00+00:00" not in starts


def test_overrides_and_bookings_are_answered(ask, consultant, consultation_type):
    from tests.booking.conftest import booking_make

    DateOverride.objects.create(consultant=consultant, date=date(2026, 3, 24), note="Messe")
    DateOverride.objects.create(
        consultant=consultant, date=date(2026, 3, 25), start_time=time(14), end_time=time(16)
    )
    booking_make(consultant, consultation_type, datetime(2026, 3, 25, 15, tzinfo=BERLIN))
    slots = ask(from_="2026-03-24", to="2026-03-25").json()["slots"]
    assert [slot["start"] for slot in slots] == ["2026-03-25T14:00:00+01:00"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from_": "2026-02-30"}, 400, "invalid"),
        ({"to": "tomorrow"}, 400, "invalid"),
        ({"from_": "2026-03-25", "to": "2026-03-24"}, 400, "invalid_range"),
        ({"from_": "2026-03-20", "to": "2026-06-20"}, 400, "range_too_long"),
        ({"tz": "Europe/Atlantis"}, 400, "unknown_time_zone"),
        ({"tz": "../../etc/passwd"}, 400, "unknown_time_zone"),
        ({"type": str(uuid.uuid4())}, 400, "unknown_type"),
        ({"type": "not-a-uuid"}, 400, "unknown_type"),
        ({"type": ""}, 400, "invalid"),
    ],
    ids=[
        "bad-date",
        "not-a-date",
        "reversed",
        "93-days",
        "unknown-tz",
        "tz-path",
        "unknown-type",
        "bad-id",
        "no-type",
    ],
)
def test_bad_input_is_answered_in_the_error_shape(ask, params, status, code):
    body = ask(status, **params).json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_ninety_two_days_is_the_longest_range(ask):
    assert ask(from_="2026-03-20", to="2026-06-19").status_code == 200


def test_an_inactive_type_is_unknown(ask, consultation_type):
    consultation_type.is_active = False
    consultation_type.save()
    assert ask(400).json()["error"]["code"] == "unknown_type"


def _bookings(consultant, consultation_type, count: int) -> None:
    """``count`` confirmed half-hour bookings, one every two hours from now on, round the clock."""
    first = NOW + timedelta(hours=1)
    Booking.objects.bulk_create(
        Booking(
            consultant=consultant,
            type=consultation_type,
            status=Booking.Status.CONFIRMED,
            start=first + timedelta(hours=2 * number),
            end=first + timedelta(hours=2 * number, minutes=30),
            blocked_from=first + timedelta(hours=2 * number),
            blocked_until=first + timedelta(hours=2 * number, minutes=30),
            price=consultation_type.price,
        )
        for number in range(count)
    )


@pytest.mark.parametrize("bookings", [0, 500])
@pytest.mark.parametrize("days", [1, 60])
def test_slots_cost_four_queries_for_any_range_and_any_number_of_bookings(
    ask, consultant, consultation_type, django_assert_num_queries, bookings, days
):
    _bookings(consultant, consultation_type, bookings)
    DateOverride.objects.create(consultant=consultant, date=date(2026, 4, 6), note="Ostermontag")
    last = date(2026, 3, 20) + timedelta(days=days - 1)
    # The type with its consultant; hours; overrides; bookings and calendar busy times in one.
    with django_assert_num_queries(4):
        response = ask(from_="2026-03-20", to=str(last))
    assert response.json()["slots"]
    if days == 60:
        assert "2026-04-06" not in {slot["start"][:10] for slot in response.json()["slots"]}
