"""Reminders 24 h and 1 h before, and the follow-up after: each sent exactly once however often
beat runs, in the shopper's language and time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from freezegun import freeze_time
from wagtail.models import Locale

from booking.models import Booking, BookingNotice
from booking.tasks import reminders_send
from cms.models import CoursePage
from cms.services import object_translate
from demo.catalogue import seed_site_tree
from tests.booking.conftest import booking_make

Kind = BookingNotice.Kind
START = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)  # Tuesday: 10:00 in Berlin, 04:00 in New York
BOOKED = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
JITSI = "https://meet.jit.si/Phialo-q2KXw0h0b8yWcKJ4bJ6mVd0X"


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks):
    """Run the beat task at ``moment`` the way the worker does: its mails go out after commit."""

    def run(moment: datetime) -> dict[str, int]:
        with freeze_time(moment), django_capture_on_commit_callbacks(execute=True):
            return reminders_send()

    return run


@pytest.fixture
def make_shopper(db):
    def make(email: str, locale: str, first_name: str):
        return get_user_model().objects.create_user(
            email=email, password=None, locale=locale, first_name=first_name
        )

    return make


@pytest.fixture
def book(consultant, consultation_type, make_shopper):
    """A confirmed booking of a shopper speaking ``language`` in ``time_zone``."""

    def make(start=START, *, language="de", time_zone="Europe/Berlin", confirmed_at=BOOKED, **fields):
        shopper = make_shopper(
            f"{language}-{start:%d%H%M}@example.com", language, "Mara" if language == "de" else "Sam"
        )
        with freeze_time(confirmed_at):
            return booking_make(
                consultant,
                consultation_type,
                start,
                user=shopper,
                language=language,
                time_zone=time_zone,
                confirmed_at=confirmed_at,
                meeting_provider="jitsi",
                meeting_url=JITSI,
                **fields,
            )

    return make


def _sent(kind: str) -> int:
    return BookingNotice.objects.filter(kind=kind).count()


def test_the_24_hour_reminder_goes_once_even_when_beat_runs_twice(book, run_beat):
    booking = book()

    first = run_beat(START - timedelta(hours=23, minutes=55))
    second = run_beat(START - timedelta(hours=23, minutes=50))

    assert first[Kind.REMINDER_24H] == 1
    assert second[Kind.REMINDER_24H] == 0
    (message,) = mail.outbox
    assert message.to == [booking.user.email]
    assert message.subject == "Morgen: Schmuckberatung mit Anna Goldschmied"
    assert "Wann: Dienstag, 14. April 2026, 10:00–11:00 Uhr (Europe/Berlin)" in message.body
    assert JITSI in message.body


def test_reminders_speak_the_shoppers_language_and_time_zone(book, run_beat, consultation_type):
    english = consultation_type.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0])
    english.title = "Jewellery consultation"
    english.save()
    book(START + timedelta(hours=2), language="en", time_zone="America/New_York")

    run_beat(START - timedelta(hours=20))

    (message,) = mail.outbox
    assert message.subject == "Tomorrow: Jewellery consultation with Anna Goldschmied"
    assert "When: Tuesday, 14 April 2026, 06:00–07:00 (America/New_York)" in message.body
    assert "Hello Sam," in message.body


def test_the_1_hour_reminder_goes_once_and_the_missed_24_hour_one_not_at_all(book, run_beat):
    book()

    run_beat(START - timedelta(minutes=55))
    run_beat(START - timedelta(minutes=50))

    assert _sent(Kind.REMINDER_1H) == 1
    assert _sent(Kind.REMINDER_24H) == 0  # its moment passed while workers were down; too late now
    (message,) = mail.outbox
    assert message.subject == "In einer Stunde: Schmuckberatung"


def test_a_booking_made_the_same_day_gets_no_24_hour_reminder(book, run_beat):
    book(confirmed_at=START - timedelta(hours=7))

    run_beat(START - timedelta(hours=6))
    run_beat(START - timedelta(minutes=55))

    assert _sent(Kind.REMINDER_24H) == 0  # the confirmation just told them
    assert _sent(Kind.REMINDER_1H) == 1


def test_a_rescheduled_booking_is_reminded_again_for_its_new_time(book, run_beat):
    booking = book()
    run_beat(START - timedelta(hours=23))
    # Moved a day later (the service raises the sequence and sends the rescheduled mail).
    moved_at = START - timedelta(hours=22)
    new_start = START + timedelta(days=1)
    Booking.objects.filter(pk=booking.pk).update(
        start=new_start,
        end=new_start + timedelta(hours=1),
        blocked_from=new_start,
        blocked_until=new_start + timedelta(hours=1),
        sequence=1,
    )
    with freeze_time(moved_at):
        BookingNotice.objects.create(booking=booking, kind=Kind.RESCHEDULED, key="1")

    run_beat(new_start - timedelta(hours=23))

    assert list(
        BookingNotice.objects.filter(kind=Kind.REMINDER_24H).order_by("key").values_list("key", flat=True)
    ) == ["0", "1"]
    assert "Mittwoch, 15. April 2026, 10:00–11:00 Uhr" in mail.outbox[-1].body


def test_cancelled_bookings_get_no_reminders(book, run_beat):
    book(status=Booking.Status.CANCELLED)

    run_beat(START - timedelta(hours=23))
    run_beat(START - timedelta(minutes=30))

    assert mail.outbox == []


@pytest.fixture
def courses(db, django_capture_on_commit_callbacks):
    """Two live German courses, the newer one also in English."""
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        made = []
        for day, title, slug in (
            (1, "Fassen von Steinen", "fassen"),
            (2, "Grundkurs Goldschmieden", "grundkurs"),
        ):
            with freeze_time(datetime(2026, 3, day, tzinfo=UTC)):
                page = library.add_child(instance=CoursePage(title=title, slug=slug, price=Decimal("29.00")))
                page.save_revision().publish()
            made.append(page)
        object_translate(
            obj=made[1],
            locale=Locale.objects.get(language_code="en"),
            strings={"Grundkurs Goldschmieden": "Goldsmithing basics"},
        )
    return made


def test_the_follow_up_goes_once_after_the_meeting_with_courses_in_the_shoppers_language(
    book, run_beat, courses
):
    book(language="en", time_zone="Europe/London")
    book(START + timedelta(hours=2), status=Booking.Status.COMPLETED)
    after = START + timedelta(hours=4)

    run_beat(after)
    run_beat(after + timedelta(minutes=5))

    assert _sent(Kind.FOLLOW_UP) == 2
    german, english = sorted(mail.outbox, key=lambda message: message.to[0])  # de-…, en-…
    assert english.subject == "Thank you for your consultation with Anna Goldschmied"
    assert "Goldsmithing basics" in english.body
    assert "http://localhost:4321/en/" in english.body
    assert "Fassen von Steinen" not in english.body  # no German course for an English shopper
    assert german.body.index("Grundkurs Goldschmieden") < german.body.index(
        "Fassen von Steinen"
    )  # newest first
    assert JITSI not in german.body


def test_no_follow_up_for_no_shows_or_a_meeting_long_past(book, run_beat):
    book(status=Booking.Status.NO_SHOW)
    book(START - timedelta(days=8))

    run_beat(START + timedelta(hours=3))

    assert mail.outbox == []


def test_no_follow_up_before_an_hour_has_passed(book, run_beat):
    book()

    run_beat(START + timedelta(minutes=90))  # ended 30 minutes ago

    assert _sent(Kind.FOLLOW_UP) == 0
