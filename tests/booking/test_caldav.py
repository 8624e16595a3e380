"""CalDAV round trip against a real Radicale server, started for this module on a free loopback
port with a throwaway storage folder: bookings land in the consultant's calendar (and leave it when
cancelled), the calendar's own events become busy times that remove slots, and a calendar that
cannot be reached never breaks a booking."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import caldav
import niquests
import pytest
from django.db.models import F
from freezegun import freeze_time

from booking.calendar.tasks import caldav_booking_push, caldav_busy_pull_all
from booking.models import Booking, ExternalBusy
from booking.selectors import free_slots
from booking.services.rescheduling import booking_reschedule
from tests.booking.conftest import booking_make

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # a Sunday
TUESDAY_10_BERLIN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WEDNESDAY_14_BERLIN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
USER = "anna"

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    """The server's root URL. No authentication (any user name is let in, and owns its own
    collections), no config file from the machine."""
    port = _free_port()
    storage = tmp_path_factory.mktemp("radicale")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale",
            f"--storage-filesystem-folder={storage}",
            f"--server-hosts=127.0.0.1:{port}",
            "--auth-type=none",
            "--logging-level=warning",
            "--config",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            niquests.get(url, timeout=1)
            break
        except niquests.exceptions.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"Radicale did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def calendar(radicale) -> caldav.Calendar:
    """A fresh calendar of the consultant's, seen from the consultant's own calendar app."""
    client = caldav.DAVClient(url=radicale, username=USER, password="app-password")
    return client.principal().make_calendar(name="Arbeit", cal_id=uuid.uuid4().hex)


@pytest.fixture
def connected(consultant, calendar):
    consultant.caldav_url = str(calendar.url)
    consultant.caldav_username = USER
    consultant.caldav_password = "app-password"
    consultant.save()
    return consultant


@pytest.fixture(autouse=True)
def _frozen_now_and_domain(settings):
    settings.BOOKING_ICS_DOMAIN = "phialo.example"
    # Ticking: the HTTP client's own timers must keep running.
    with freeze_time(NOW, tick=True) as frozen:
        yield frozen


def _events(calendar: caldav.Calendar) -> list:
    return [event.component for event in calendar.search(event=True)]


def _put(calendar: caldav.Calendar, uid: str, lines: str) -> None:
    calendar.add_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Consultant's own app//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261120T080000Z\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n",
        increase_seqno=False,
    )


def _tuesday_slots(consultation_type) -> list[datetime]:
    return free_slots(
        type=consultation_type,
        window_from=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        window_to=datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
        now=NOW,
    )


def test_confirmed_booking_appears_in_the_consultants_calendar(connected, consultation_type, calendar):
    booking = booking_make(
        connected, consultation_type, TUESDAY_10_BERLIN, meeting_url="https://meet.jit.si/x"
    )

    assert caldav_booking_push.delay(booking.pk).get() is True

    [event] = _events(calendar)
    assert str(event["uid"]) == f"{booking.uid}@phialo.example"
    assert event.start == TUESDAY_10_BERLIN and event.end == TUESDAY_10_BERLIN + timedelta(hours=1)
    assert str(event["summary"]) == "Schmuckberatung"
    assert "attendee" not in event  # no invitation sent by the consultant's server
    booking.refresh_from_db()
    connected.refresh_from_db()
    assert booking.caldav_href.endswith(".ics") and booking.caldav_href.startswith(connected.caldav_url)
    assert connected.caldav_error == ""


def test_rescheduled_booking_moves_in_place_and_a_cancelled_one_leaves(
    connected, consultation_type, calendar
):
    booking = booking_make(connected, consultation_type, TUESDAY_10_BERLIN)
    caldav_booking_push.delay(booking.pk)

    booking_reschedule(booking=booking, start=WEDNESDAY_14_BERLIN)
    caldav_booking_push.delay(booking.pk)

    [event] = _events(calendar)
    assert event.start == WEDNESDAY_14_BERLIN
    assert event["sequence"] == 1

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, sequence=F("sequence") + 1)
    caldav_booking_push.delay(booking.pk)

    assert _events(calendar) == []
    booking.refresh_from_db()
    assert booking.caldav_href == ""


def test_pushing_twice_leaves_one_event(connected, consultation_type, calendar):
    booking = booking_make(connected, consultation_type, TUESDAY_10_BERLIN)

    caldav_booking_push.delay(booking.pk)
    caldav_booking_push.delay(booking.pk)

    assert len(_events(calendar)) == 1


def test_a_hold_is_not_written(connected, consultation_type, calendar):
    booking = booking_make(connected, consultation_type, TUESDAY_10_BERLIN, status=Booking.Status.HELD)

    caldav_booking_push.delay(booking.pk)

    assert _events(calendar) == []


def test_busy_event_in_the_calendar_removes_the_slot(connected, consultation_type, calendar):
    own = booking_make(connected, consultation_type, WEDNESDAY_14_BERLIN)
    caldav_booking_push.delay(own.pk)
    assert datetime(2026, 11, 24, 9, 0, tzinfo=UTC) in _tuesday_slots(consultation_type)

    # The consultant's dentist, Tuesday 10:00 to 11:00 in Berlin, entered in their own calendar app.
    _put(
        calendar,
        "zahnarzt-1@icloud.example",
        "DTSTART;TZID=Europe/Berlin:20261124T100000\r\nDTEND;TZID=Europe/Berlin:20261124T110000\r\nSUMMARY:Zahnarzt\r\n",
    )
    assert caldav_busy_pull_all.delay().get() == 1

    [busy] = ExternalBusy.objects.filter(consultant=connected)  # our own booking is not counted
    assert (busy.start, busy.end) == (TUESDAY_10_BERLIN, TUESDAY_10_BERLIN + timedelta(hours=1))
    assert busy.uid == "zahnarzt-1@icloud.example"
    starts = _tuesday_slots(consultation_type)
    # Starting at 09:30, 10:00 or 10:30 in Berlin, a 60 minute meeting would overlap the dentist.
    assert [start.astimezone(connected.tz).strftime("%H:%M") for start in starts] == [
        "09:00",
        "11:00",
        "11:30",
    ]
    connected.refresh_from_db()
    assert connected.caldav_synced_at is not None and connected.caldav_error == ""


def test_free_and_cancelled_events_block_nothing_and_all_day_ones_block_the_local_day(
    connected, consultation_type, calendar
):
    _put(calendar, "free@x", "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nTRANSP:TRANSPARENT\r\n")
    _put(
        calendar, "cancelled@x", "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSTATUS:CANCELLED\r\n"
    )
    _put(calendar, "messe@x", "DTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261127\r\nSUMMARY:Messe\r\n")

    caldav_busy_pull_all.delay()

    [busy] = ExternalBusy.objects.filter(consultant=connected)
    assert busy.uid == "messe@x"
    # Thursday midnight to midnight in Berlin (UTC+1 in November).
    assert (busy.start, busy.end) == (
        datetime(2026, 11, 25, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
    )


def test_recurring_events_block_each_occurrence_within_the_horizon(connected, consultation_type, calendar):
    connected.horizon_days = 14
    connected.save()
    _put(
        calendar,
        "jour-fixe@x",
        "DTSTART;TZID=Europe/Berlin:20261123T090000\r\nDTEND;TZID=Europe/Berlin:20261123T093000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Jour fixe\r\n",
    )

    caldav_busy_pull_all.delay()

    starts = list(
        ExternalBusy.objects.filter(consultant=connected).order_by("start").values_list("start", flat=True)
    )
    assert [start.date() for start in starts] == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert all(start.hour == 8 for start in starts)  # 09:00 Berlin


def test_a_second_pull_replaces_the_busy_times(connected, consultation_type, calendar):
    _put(calendar, "a@x", "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\n")
    caldav_busy_pull_all.delay()
    calendar.event_by_uid("a@x").delete()

    caldav_busy_pull_all.delay()

    assert not ExternalBusy.objects.filter(consultant=connected).exists()


def test_unreachable_calendar_never_breaks_the_booking_and_is_recorded(consultant, consultation_type):
    consultant.caldav_url = f"http://127.0.0.1:{_free_port()}/anna/arbeit/"
    consultant.save()
    ExternalBusy.objects.create(
        consultant=consultant, start=TUESDAY_10_BERLIN, end=TUESDAY_10_BERLIN + timedelta(hours=1)
    )
    booking = booking_make(consultant, consultation_type, WEDNESDAY_14_BERLIN)

    assert caldav_booking_push.delay(booking.pk).get() is False
    assert caldav_busy_pull_all.delay().get() == 1

    booking.refresh_from_db()
    consultant.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.caldav_href == ""
    assert "ConnectionError" in consultant.caldav_error
    # The busy times read last time stay until the calendar answers again.
    assert ExternalBusy.objects.filter(consultant=consultant).count() == 1


def test_the_next_pull_delivers_a_push_that_failed(consultant, consultation_type, calendar):
    consultant.caldav_url = str(calendar.url).replace("/anna/", "/nobody-here/") + "missing/"
    consultant.save()
    booking = booking_make(consultant, consultation_type, TUESDAY_10_BERLIN)
    assert caldav_booking_push.delay(booking.pk).get() is False
    consultant.refresh_from_db()
    assert consultant.caldav_error

    consultant.caldav_url = str(calendar.url)
    consultant.save()
    caldav_busy_pull_all.delay()

    assert [str(event["uid"]) for event in _events(calendar)] == [f"{booking.uid}@phialo.example"]
    consultant.refresh_from_db()
    assert consultant.caldav_error == ""


def test_without_a_calendar_nothing_is_attempted(consultant, consultation_type):
    booking = booking_make(consultant, consultation_type, TUESDAY_10_BERLIN)

    assert caldav_booking_push.delay(booking.pk).get() is True
    assert caldav_busy_pull_all.delay().get() == 0
    booking.refresh_from_db()
    assert booking.caldav_href == ""
