"""Booking e-mails: once per notice, in the shopper's language and time zone, text and HTML, with
the calendar invite where the shopper's calendar must follow."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from freezegun import freeze_time
from icalendar import Calendar
from wagtail.models import Locale

from booking.models import Booking, BookingNotice
from booking.notifications import booking_email_send, notice_email_send
from tests.booking.conftest import booking_make

Kind = BookingNotice.Kind
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
START = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)  # Tuesday: 10:00 in Berlin, 04:00 in New York
JITSI = "https://meet.jit.si/Phialo-q2KXw0h0b8yWcKJ4bJ6mVd0X"


@pytest.fixture
def shopper(db):
    return get_user_model().objects.create_user(
        email="kundin@example.com", password=None, first_name="Mara", locale="de"
    )


@pytest.fixture
def english_type(consultation_type):
    translation = consultation_type.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0])
    translation.title = "Jewellery consultation"
    translation.summary = "An hour on design, material and technique."
    translation.save()
    return translation


def _booking(consultant, consultation_type, shopper, **fields) -> Booking:
    fields.setdefault("meeting_url", JITSI)
    fields.setdefault("meeting_provider", "jitsi")
    fields.setdefault("confirmed_at", NOW)
    booking = booking_make(consultant, consultation_type, START, user=shopper, **fields)
    return Booking.objects.select_related("type", "consultant", "user").get(pk=booking.pk)


def _send(booking: Booking, kind: str, key: str = "0", capture=None) -> bool:
    with capture(execute=True), transaction.atomic():
        return booking_email_send(booking=booking, kind=kind, key=key)


def _invite(message) -> tuple[str, Calendar]:
    """The ``invite.ics`` part: its Content-Type and the calendar it holds."""
    parts = [part for part in message.message().walk() if part.get_filename() == "invite.ics"]
    assert len(parts) == 1
    part = parts[0]
    return part.get("Content-Type"), Calendar.from_ical(part.get_payload(decode=True))


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


@freeze_time(NOW)
def test_confirmation_in_german_with_time_link_manage_page_and_invite(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper, language="de", time_zone="Europe/Berlin")

    assert _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks) is True

    (message,) = mail.outbox
    assert message.to == ["kundin@example.com"]
    assert message.subject == "Gebucht: Schmuckberatung am Dienstag, 14. April 2026, 10:00–11:00 Uhr"
    assert "Hallo Mara," in message.body
    assert "Wann: Dienstag, 14. April 2026, 10:00–11:00 Uhr (Europe/Berlin)" in message.body
    assert JITSI in message.body
    assert f"http://localhost:4321/de/account/bookings/{booking.pk}/" in message.body
    html = _html(message)
    assert f'href="{JITSI}"' in html
    assert "Zum Video-Raum" in html
    content_type, calendar = _invite(message)
    assert content_type.startswith("text/calendar")
    assert "method=REQUEST" in content_type.replace('"', "")
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(str(booking.uid))


@freeze_time(NOW)
def test_english_shopper_gets_english_in_their_own_time_zone(
    consultant, consultation_type, english_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper, language="en", time_zone="America/New_York")

    _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == "Booked: Jewellery consultation on Tuesday, 14 April 2026, 04:00–05:00"
    assert "When: Tuesday, 14 April 2026, 04:00–05:00 (America/New_York)" in message.body
    assert "Hello Mara," in message.body
    assert f"/en/account/bookings/{booking.pk}/" in message.body
    assert "Join the video call" in _html(message)


@freeze_time(NOW)
def test_the_same_notice_is_sent_once(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper)

    first = _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks)
    second = _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    assert BookingNotice.objects.filter(booking=booking, kind=Kind.CONFIRMED).count() == 1


@freeze_time(NOW)
def test_a_second_run_of_the_mail_task_sends_nothing(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper)
    _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks)
    notice = BookingNotice.objects.get(booking=booking)

    assert notice_email_send(notice_id=notice.pk) is False  # a redelivered task
    assert len(mail.outbox) == 1


@freeze_time(NOW)
def test_nothing_is_recorded_or_sent_when_the_transaction_rolls_back(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        booking_email_send(booking=booking, kind=Kind.CONFIRMED, key="0")
        raise RuntimeError("the confirmation failed after all")

    assert not BookingNotice.objects.filter(booking=booking).exists()
    assert mail.outbox == []


@freeze_time(NOW)
def test_a_rescheduled_booking_is_told_with_a_new_invite(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, shopper, sequence=1)
    _send(booking, Kind.CONFIRMED, key="0", capture=django_capture_on_commit_callbacks)
    _send(booking, Kind.RESCHEDULED, key="1", capture=django_capture_on_commit_callbacks)

    _confirmation, moved = mail.outbox
    assert moved.subject.startswith("Neuer Termin: Schmuckberatung")
    _content_type, calendar = _invite(moved)
    (event,) = calendar.walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1


@freeze_time(NOW)
def test_cancellation_carries_the_calendar_cancel_and_the_refund(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(
        consultant,
        consultation_type,
        shopper,
        status=Booking.Status.CANCELLED,
        cancelled_by=Booking.CancelledBy.SHOPPER,
        cancelled_at=NOW,
        refund_amount=Decimal("89.00"),
        sequence=1,
    )

    _send(booking, Kind.CANCELLED, key="1", capture=django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == "Abgesagt: Schmuckberatung am Dienstag, 14. April 2026, 10:00–11:00 Uhr"
    assert "du hast diesen Termin abgesagt" in message.body
    assert "Wir erstatten dir 89,00 €" in message.body
    assert JITSI not in message.body  # no way into a meeting that is off
    content_type, calendar = _invite(message)
    assert "method=CANCEL" in content_type.replace('"', "")
    assert calendar["METHOD"] == "CANCEL"


@freeze_time(NOW)
def test_a_late_cancellation_says_there_is_no_refund(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(
        consultant,
        consultation_type,
        shopper,
        language="en",
        status=Booking.Status.CANCELLED,
        cancelled_by=Booking.CancelledBy.SHOPPER,
        cancelled_at=NOW,
        refund_amount=Decimal("0.00"),
    )

    _send(booking, Kind.CANCELLED, capture=django_capture_on_commit_callbacks)

    assert "this cancellation is not refunded" in mail.outbox[0].body


@freeze_time(NOW)
def test_slot_lost_says_the_payment_came_too_late_and_is_refunded(
    consultant, consultation_type, shopper, django_capture_on_commit_callbacks
):
    booking = _booking(
        consultant,
        consultation_type,
        shopper,
        status=Booking.Status.EXPIRED,
        meeting_url="",
        meeting_provider="",
        confirmed_at=None,
        refund_amount=Decimal("0.00"),
    )

    _send(booking, Kind.SLOT_LOST, capture=django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Zahlung" in message.body
    assert "an jemand anderen gegangen" in message.body
    assert "89,00 €" in message.body
    assert not [part for part in message.message().walk() if part.get_filename() == "invite.ics"]


@freeze_time(NOW)
def test_a_shopper_without_an_address_gets_nothing(
    consultant, consultation_type, django_capture_on_commit_callbacks
):
    booking = _booking(consultant, consultation_type, None)

    assert _send(booking, Kind.CONFIRMED, capture=django_capture_on_commit_callbacks) is False
    assert not BookingNotice.objects.exists()
    assert mail.outbox == []
