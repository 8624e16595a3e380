"""Consultations in the Wagtail admin: staff see and act on every booking; a consultant sees
and edits only their own row and bookings; a refused action is a message, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from wagtail.models import Locale

from booking.models import Booking, Consultant, ConsultationType, WorkingHours
from booking.products import products_sync
from booking.services.consultants import consultant_group_ensure
from tests.booking.conftest import booking_make
from tests.shop.conftest import buy, place_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

NOW = "2026-06-10 08:00:00"  # a Wednesday, 10:00 in Berlin
LATER = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)  # Friday 10:00 Berlin
EARLIER = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # Tuesday 10:00 Berlin

BOOKINGS = "/admin/consultations/bookings/"
CONSULTANTS = "/admin/consultations/consultants/"


def _messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def shopper():
    return get_user_model().objects.create_user(email="kundin@example.com", password=None, locale="de")


@pytest.fixture
def other_consultant(db) -> Consultant:
    user = get_user_model().objects.create_user(email="berater@phialo.example", password=None)
    consultant = Consultant.objects.create(user=user, display_name="Bernd Fasser", minimum_notice_minutes=0)
    WorkingHours.objects.create(consultant=consultant, weekday=4, start_time=time(9), end_time=time(17))
    return consultant


@pytest.fixture
def other_type(other_consultant) -> ConsultationType:
    return ConsultationType.objects.create(
        locale=Locale.get_default(),
        consultant=other_consultant,
        title="Steinberatung",
        duration_minutes=30,
        price=Decimal("49.00"),
    )


@pytest.fixture
def consultant_client(client, consultant, second_factor_passed):
    """The ``consultant`` fixture's user in the admin: in the Consultants group, not a superuser."""
    consultant.user.groups.add(consultant_group_ensure())
    client.force_login(consultant.user)
    second_factor_passed(client, consultant.user)
    return client


@pytest.fixture
def paid_booking(consultation_type, shopper, buy):  # noqa: F811
    """A confirmed booking paid through the shop (local payment), as the checkout leaves it."""
    regular, _first_timer = products_sync(consultation_type)
    order = buy(shopper, regular)
    return booking_make(
        consultation_type.consultant,
        consultation_type,
        LATER,
        user=shopper,
        order=order,
        order_line_id=order.lines.get().pk,
        confirmed_at=datetime(2026, 6, 1, tzinfo=UTC),
    )


@freeze_time(NOW)
def test_staff_open_every_consultation_page(staff_client, paid_booking, consultation_type):
    consultant = consultation_type.consultant
    pages = [
        "/admin/",
        BOOKINGS,
        BOOKINGS + "?status=confirmed&when=upcoming",
        BOOKINGS + f"?consultant={consultant.pk}",
        BOOKINGS + "?ordering=-start",
        BOOKINGS + "?q=kundin",
        reverse("bookings:inspect", args=[paid_booking.pk]),
        CONSULTANTS,
        reverse("consultants:add"),
        reverse("consultants:edit", args=[consultant.pk]),
        reverse("wagtailsnippets_booking_consultationtype:list"),
        reverse("wagtailsnippets_booking_consultationtype:add"),
        reverse("wagtailsnippets_booking_consultationtype:edit", args=[consultation_type.pk]),
    ]

    answers = {page: staff_client.get(page).status_code for page in pages}

    assert answers == dict.fromkeys(pages, 200)
    menu = staff_client.get("/admin/").content.decode()
    assert "Consultations" in menu


@freeze_time(NOW)
def test_the_list_shows_times_in_the_consultants_zone_upcoming_first(
    staff_client, consultation_type, shopper
):
    consultant = consultation_type.consultant
    booking_make(consultant, consultation_type, EARLIER, user=shopper)
    booking_make(consultant, consultation_type, LATER, user=shopper)

    html = staff_client.get(BOOKINGS).content.decode()

    assert "Fri 12.06.2026 10:00 CEST" in html
    assert "Tue 09.06.2026 10:00 CEST" in html
    assert html.index("Fri 12.06.2026") < html.index("Tue 09.06.2026")


@freeze_time(NOW)
def test_the_booking_page_offers_the_actions_that_fit(staff_client, paid_booking, consultation_type, shopper):
    past = booking_make(consultation_type.consultant, consultation_type, EARLIER, user=shopper)

    upcoming_page = staff_client.get(reverse("bookings:inspect", args=[paid_booking.pk])).content.decode()
    past_page = staff_client.get(reverse("bookings:inspect", args=[past.pk])).content.decode()

    assert "Cancel and refund in full" in upcoming_page
    assert "Mark no-show" not in upcoming_page
    assert "Mark completed" in past_page and "Mark no-show" in past_page
    assert "Cancel and refund in full" not in past_page
    assert "Fri 12.06.2026 10:00 CEST" in upcoming_page


@freeze_time(NOW)
def test_staff_cancel_refunds_in_full_and_cancels_the_booking(staff_client, paid_booking):
    response = staff_client.post(
        reverse("bookings:cancel", args=[paid_booking.pk]), {"reason": "Die Beraterin ist krank."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:inspect", args=[paid_booking.pk])
    paid_booking.refresh_from_db()
    assert paid_booking.status == Booking.Status.CANCELLED
    assert paid_booking.cancelled_by == Booking.CancelledBy.STAFF
    assert paid_booking.cancel_reason == "Die Beraterin ist krank."
    assert paid_booking.refund_amount == Decimal("89.00")
    assert any("cancelled" in message and "89.00 EUR" in message for message in _messages(response))


@freeze_time(NOW)
def test_a_cancellation_needs_a_reason(staff_client, paid_booking):
    response = staff_client.post(reverse("bookings:cancel", args=[paid_booking.pk]), {"reason": " "})

    assert response.status_code == 302
    paid_booking.refresh_from_db()
    assert paid_booking.status == Booking.Status.CONFIRMED
    assert any("Say why" in message for message in _messages(response))


@freeze_time(NOW)
def test_a_refused_action_shows_a_message_not_a_500(staff_client, paid_booking, consultation_type, shopper):
    cancelled = booking_make(
        consultation_type.consultant,
        consultation_type,
        LATER.replace(hour=12),
        Booking.Status.CANCELLED,
        user=shopper,
    )

    too_early = staff_client.post(
        reverse("bookings:mark", args=[paid_booking.pk]), {"status": Booking.Status.COMPLETED}
    )
    again = staff_client.post(reverse("bookings:cancel", args=[cancelled.pk]), {"reason": "Doppelt."})
    nonsense = staff_client.post(reverse("bookings:mark", args=[paid_booking.pk]), {"status": "cancelled"})

    assert [too_early.status_code, again.status_code, nonsense.status_code] == [302, 302, 302]
    assert any("not marked" in message and "not begun" in message for message in _messages(too_early))
    assert any("not cancelled" in message for message in _messages(again))
    assert any("not marked" in message for message in _messages(nonsense))
    paid_booking.refresh_from_db()
    cancelled.refresh_from_db()
    assert paid_booking.status == Booking.Status.CONFIRMED
    assert (cancelled.status, cancelled.cancel_reason) == (Booking.Status.CANCELLED, "")


@freeze_time(NOW)
@pytest.mark.parametrize("status", [Booking.Status.COMPLETED, Booking.Status.NO_SHOW])
def test_staff_mark_a_begun_meeting(staff_client, consultation_type, shopper, status):
    booking = booking_make(consultation_type.consultant, consultation_type, EARLIER, user=shopper)

    response = staff_client.post(reverse("bookings:mark", args=[booking.pk]), {"status": status})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == status
    assert any("is marked" in message for message in _messages(response))


@freeze_time(NOW)
def test_a_consultant_sees_only_their_own_bookings(
    consultant_client, consultation_type, other_type, shopper, django_user_model
):
    mine = booking_make(consultation_type.consultant, consultation_type, LATER, user=shopper)
    someone = django_user_model.objects.create_user(email="jemand@example.com", password=None)
    theirs = booking_make(other_type.consultant, other_type, LATER, user=someone)

    listing = consultant_client.get(BOOKINGS)
    filtered = consultant_client.get(BOOKINGS + f"?consultant={other_type.consultant.pk}")

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "kundin@example.com" in html
    assert "jemand@example.com" not in html
    assert "Bernd Fasser" not in html  # not even offered in the consultant filter
    assert "jemand@example.com" not in filtered.content.decode()
    assert consultant_client.get(reverse("bookings:inspect", args=[mine.pk])).status_code == 200
    assert consultant_client.get(reverse("bookings:inspect", args=[theirs.pk])).status_code == 404
    refused = consultant_client.post(reverse("bookings:cancel", args=[theirs.pk]), {"reason": "Versehen."})
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED


@freeze_time(NOW)
def test_a_consultant_edits_only_their_own_row_and_not_whose_it_is(
    consultant_client, consultant, other_consultant
):
    listing = consultant_client.get(CONSULTANTS).content.decode()
    own = consultant_client.get(reverse("consultants:edit", args=[consultant.pk]))

    assert "Anna Goldschmied" in listing
    assert "Bernd Fasser" not in listing
    assert own.status_code == 200
    assert 'name="user"' not in own.content.decode()
    assert 'name="working_hours-TOTAL_FORMS"' in own.content.decode()
    for page in ("consultants:edit", "consultants:history"):
        assert consultant_client.get(reverse(page, args=[other_consultant.pk])).status_code == 404
    # Wagtail answers a page one may not open with a redirect to the dashboard and a message.
    for page in (
        reverse("consultants:add"),
        reverse("consultants:delete", args=[consultant.pk]),
        reverse("wagtailsnippets_booking_consultationtype:list"),
    ):
        assert consultant_client.get(page)["Location"] == "/admin/"


@freeze_time(NOW)
def test_a_consultant_marks_their_own_meeting(consultant_client, consultation_type, shopper):
    booking = booking_make(consultation_type.consultant, consultation_type, EARLIER, user=shopper)

    response = consultant_client.post(reverse("bookings:mark", args=[booking.pk]), {"status": "no_show"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW


def test_bookings_are_never_added_or_deleted_in_the_admin(staff_client, consultation_type, shopper):
    booking = booking_make(consultation_type.consultant, consultation_type, LATER, user=shopper)

    assert staff_client.get(BOOKINGS + "new/").status_code == 404
    assert staff_client.get(BOOKINGS + f"delete/{booking.pk}/").status_code == 404
    assert staff_client.get(reverse("bookings:cancel", args=[booking.pk])).status_code == 405


# ---- The consultant's private feed gets a new address ---------------------------------------------


def _feed(secret: str) -> int:
    return Client(raise_request_exception=False).get(f"/booking/feeds/{secret}.ics").status_code


@freeze_time(NOW)
def test_a_consultant_gives_their_feed_a_new_address_and_the_old_one_is_gone(consultant_client, consultant):
    old = consultant.feed_secret
    assert _feed(old) == 200

    response = consultant_client.post(reverse("consultants:rotate_feed", args=[consultant.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("consultants:edit", args=[consultant.pk])
    consultant.refresh_from_db()
    assert consultant.feed_secret != old
    assert _feed(old) == 404
    assert _feed(consultant.feed_secret) == 200
    page = consultant_client.get(response["Location"]).content.decode()
    assert f"/booking/feeds/{consultant.feed_secret}.ics" in page
    assert old not in page
    history = consultant_client.get(reverse("consultants:history", args=[consultant.pk])).content.decode()
    assert "Feed address renewed" in history


def test_staff_give_any_consultants_feed_a_new_address(staff_client, consultant):
    old = consultant.feed_secret

    page = staff_client.get(reverse("consultants:edit", args=[consultant.pk])).content.decode()
    response = staff_client.post(reverse("consultants:rotate_feed", args=[consultant.pk]))

    assert reverse("consultants:rotate_feed", args=[consultant.pk]) in page  # the button is there
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.feed_secret != old and _feed(old) == 404


def test_a_feed_address_changes_only_by_a_csrf_checked_post_of_who_may_change_that_consultant(
    consultant_client, consultant, other_consultant, second_factor_passed, django_user_model
):
    from django.contrib.auth.models import Permission

    theirs, mine = other_consultant.feed_secret, consultant.feed_secret
    url = reverse("consultants:rotate_feed", args=[consultant.pk])

    assert consultant_client.get(url).status_code == 405
    other = consultant_client.post(reverse("consultants:rotate_feed", args=[other_consultant.pk]))
    assert other.status_code == 404  # another consultant's row does not exist for them

    forged = Client(enforce_csrf_checks=True)  # a cross-site form posting with the consultant's cookie
    forged.force_login(consultant.user)
    second_factor_passed(forged, consultant.user)
    assert forged.post(url).status_code == 403

    editor = django_user_model.objects.create_user(email="redaktion@phialo.example", password=None)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    no_right = Client()
    no_right.force_login(editor)
    second_factor_passed(no_right, editor)
    assert no_right.post(url)["Location"] == "/admin/"  # Wagtail's answer to a missing permission

    assert Client().post(url).status_code == 302  # to the login page

    consultant.refresh_from_db()
    other_consultant.refresh_from_db()
    assert (consultant.feed_secret, other_consultant.feed_secret) == (mine, theirs)
    assert _feed(mine) == 200
