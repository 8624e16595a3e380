"""Communication preferences: a shopper chooses reminders, follow-ups and news through
``PATCH /api/v1/me/``; reminders and follow-ups honour the choice and carry a one-click
unsubscribe link (footer and RFC 8058 headers) that works without logging in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from freezegun import freeze_time

from accounts import communication
from accounts.models import User
from accounts.services import user_erase
from booking.models import BookingNotice
from booking.notifications import booking_email_send
from booking.tasks import reminders_send
from tests.booking.conftest import booking_make, consultant, consultation_type  # noqa: F401

pytestmark = pytest.mark.django_db

Kind = BookingNotice.Kind
START = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)  # Tuesday, 10:00 in Berlin
BOOKED = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
CLICKED = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)
ME = "/api/v1/me/"
LINK = re.compile(r"https?://\S+/email/unsubscribe/[^/\s]+/")


@pytest.fixture
def make_person(db):
    def make(email: str, locale: str = "de", **fields) -> User:
        return User.objects.create_user(
            email=email, password=None, locale=locale, first_name="Mara", **fields
        )

    return make


@pytest.fixture
def book(consultant, consultation_type):  # noqa: F811
    def make(user: User, start: datetime = START):
        with freeze_time(BOOKED):
            return booking_make(
                consultant,
                consultation_type,
                start,
                user=user,
                language=user.locale,
                time_zone="Europe/Berlin",
                confirmed_at=BOOKED,
                meeting_provider="jitsi",
                meeting_url="https://meet.jit.si/Phialo-test",
            )

    return make


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks):
    def run(moment: datetime) -> dict[str, int]:
        with freeze_time(moment), django_capture_on_commit_callbacks(execute=True):
            return reminders_send()

    return run


def unsubscribe_link(message) -> str:
    """The link in the mail's text, checked to be the one its List-Unsubscribe header names."""
    (link,) = LINK.findall(message.body)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html
    return link


def local(link: str) -> str:
    assert link.startswith(settings.BACKEND_URL + "/email/unsubscribe/")
    return link.removeprefix(settings.BACKEND_URL)


# ---- Reminders honour the choice ------------------------------------------------------------


def test_a_shopper_who_opted_out_of_reminders_gets_none_while_another_gets_one_with_the_headers(
    make_person, book, run_beat
):
    keen = make_person("keen@example.com")
    quiet = make_person("quiet@example.com", email_reminders=False)
    book(keen)
    quiet_booking = book(quiet, START + timedelta(hours=2))

    run_beat(START - timedelta(hours=23, minutes=55))
    run_beat(START - timedelta(hours=21))  # beat again: still nothing for the quiet one
    run_beat(START - timedelta(minutes=55))  # the 1-hour reminder: the same
    run_beat(START + timedelta(hours=2) - timedelta(minutes=55))

    assert sorted(message.to[0] for message in mail.outbox) == ["keen@example.com", "keen@example.com"]
    assert not BookingNotice.objects.filter(booking=quiet_booking).exists()  # nothing left to retry
    reminder = mail.outbox[0]
    assert reminder.subject == "Morgen: Schmuckberatung mit Anna Goldschmied"
    assert "Keine Erinnerungen mehr erhalten:" in reminder.body
    unsubscribe_link(reminder)


def test_the_reminders_link_unsubscribes_with_one_click_and_no_login(make_person, book, run_beat):
    shopper = make_person("ada@example.com", locale="en")
    book(shopper)
    book(shopper, START + timedelta(days=2))
    run_beat(START - timedelta(hours=23, minutes=55))
    link = local(unsubscribe_link(mail.outbox[0]))
    anonymous = Client(raise_request_exception=False)

    # A mail scanner prefetching the link changes nothing; the page offers the button.
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Stop receiving reminders of your consultations?" in page.content.decode()
    assert 'value="unsubscribe"' in page.content.decode()
    shopper.refresh_from_db()
    assert shopper.email_reminders is True

    # What a mail client's own "unsubscribe" sends (RFC 8058): no cookie, no CSRF token.
    with freeze_time(CLICKED):
        answer = anonymous.post(
            link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
    assert answer.status_code == 200
    assert "You will no longer receive reminders of your consultations." in answer.content.decode()
    assert 'value="resubscribe"' in answer.content.decode()
    shopper.refresh_from_db()
    assert (shopper.email_reminders, shopper.email_reminders_changed_at) == (False, CLICKED)
    assert (shopper.email_follow_ups, shopper.email_news) == (True, False)  # only what the link names

    run_beat(START + timedelta(days=2) - timedelta(hours=23, minutes=55))
    later = [message.subject for message in mail.outbox[1:]]
    assert later == ["Thank you for your consultation with Anna Goldschmied"]  # the first one's; no reminder


def test_the_follow_up_honours_its_own_choice_and_its_button_speaks_german(make_person, book, run_beat):
    shopper = make_person("mara@example.com", locale="de", email_reminders=False)
    book(shopper)

    run_beat(START + timedelta(hours=3))

    (follow_up,) = mail.outbox  # reminders off, follow-ups still on
    assert follow_up.subject.startswith("Danke")
    assert "Keine E-Mails nach Beratungen mehr erhalten:" in follow_up.body
    link = local(unsubscribe_link(follow_up))
    anonymous = Client(raise_request_exception=False)
    page = anonymous.get(link).content.decode()
    assert "Möchtest du E-Mails nach deiner Beratung nicht mehr erhalten?" in page

    done = anonymous.post(link, {"action": "unsubscribe"})
    assert done.status_code == 200
    assert "Du erhältst keine E-Mails nach deiner Beratung mehr." in done.content.decode()
    shopper.refresh_from_db()
    assert shopper.email_follow_ups is False

    again = anonymous.post(link, {"action": "resubscribe"})
    assert "Du erhältst wieder E-Mails nach deiner Beratung." in again.content.decode()
    shopper.refresh_from_db()
    assert shopper.email_follow_ups is True


def test_transactional_booking_mails_ignore_the_choices(
    make_person, book, django_capture_on_commit_callbacks
):
    shopper = make_person("none@example.com", email_reminders=False, email_follow_ups=False)
    booking = book(shopper)

    with freeze_time(BOOKED), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sent = booking_email_send(booking=booking, kind=Kind.CONFIRMED, key="0")

    assert sent is True
    (confirmation,) = mail.outbox
    assert confirmation.to == ["none@example.com"]
    assert "List-Unsubscribe" not in confirmation.extra_headers
    assert not LINK.findall(confirmation.body)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda token: "eyJ1IjoxLCJrIjoibmV3cyJ9" + token[token.index(":") :], id="payload"),
        pytest.param(lambda token: "nonsense", id="garbage"),
    ],
)
def test_a_tampered_link_is_refused_and_changes_nothing(make_person, book, run_beat, mangle):
    shopper = make_person("eve@example.com", locale="en")
    book(shopper)
    run_beat(START - timedelta(hours=23, minutes=55))
    token = local(unsubscribe_link(mail.outbox[0])).split("/")[-2]
    bad = f"/email/unsubscribe/{mangle(token)}/"
    anonymous = Client(raise_request_exception=False)

    for response in (
        anonymous.get(bad, headers={"accept-language": "en"}),
        anonymous.post(
            bad,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
            headers={"accept-language": "en"},
        ),
    ):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    shopper.refresh_from_db()
    assert (shopper.email_reminders, shopper.email_follow_ups, shopper.email_news) == (True, True, False)


# ---- The API --------------------------------------------------------------------------------


@pytest.fixture
def signed_in(make_person):
    person = make_person("ada@example.com")
    client = Client(raise_request_exception=False)
    client.force_login(person)
    return person, client


def test_me_shows_the_defaults_news_off(signed_in):
    _person, client = signed_in

    body = client.get(ME).json()

    assert body["communication"] == {"reminders": True, "follow_ups": True, "news": False}


def test_patch_changes_only_the_choices_sent_and_records_when(signed_in):
    person, client = signed_in
    moment = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)

    with freeze_time(moment):
        response = client.patch(ME, {"communication": {"news": True}}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["communication"] == {"reminders": True, "follow_ups": True, "news": True}
    person.refresh_from_db()
    assert (person.email_news, person.email_news_changed_at) == (True, moment)
    assert person.email_reminders_changed_at is None  # untouched: still the default

    export = client.get(f"{ME}export/").json()
    assert export["profile"]["communication"]["news"] == {
        "wanted": True,
        "changed_at": "2026-05-02T09:30:00Z",
    }
    assert export["profile"]["communication"]["reminders"] == {"wanted": True, "changed_at": None}


@pytest.mark.parametrize(
    ("communication", "field"),
    [
        ({"news": "yes"}, "news"),
        ({"news": 1}, "news"),
        ({"reminders": None}, "reminders"),
        ({"newsletter": True}, "newsletter"),
        ("all", None),
        (None, None),
        ([True], None),
    ],
)
def test_a_wrong_choice_is_a_400_naming_the_field_and_nothing_changes(signed_in, communication, field):
    person, client = signed_in

    response = client.patch(
        ME, {"first_name": "Changed", "communication": communication}, content_type="application/json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["communication"]
    if field:
        assert list(error["fields"]["communication"]) == [field]
    person.refresh_from_db()
    assert (person.first_name, person.email_news, person.email_reminders) == ("Mara", False, True)


def test_an_erased_account_is_sent_nothing_and_its_consent_record_goes(make_person):
    person = make_person("gone@example.com", email_news=True, email_news_changed_at=BOOKED)

    user_erase(user=person)

    person.refresh_from_db()
    assert (person.email_reminders, person.email_follow_ups, person.email_news) == (False, False, False)
    assert person.email_news_changed_at is None
    assert not any(communication.wants(person, kind) for kind in communication.KINDS)
