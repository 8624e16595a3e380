"""A consultation from hold to payment, cancellation and rescheduling, as the shopper and Stripe
make it: the hold's line goes through the shop's checkout, Stripe's signed webhook confirms it,
and refunds follow the policy through Stripe. Stripe is answered at its HTTP boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time
from icalendar import Calendar
from oscar.apps.order.models import Order

import stripe_fakes
from booking.models import Booking
from booking.products import hold_option
from booking.services import cancellations, holds
from shop.models import Checkout
from shop.payments.services import refund_lines
from shop.statuses import OrderStatus
from stripe_fakes import charge_object, event, form, refund_object, session_object
from tests.booking.conftest import booking_make

stripe_keys, stripe_api = stripe_fakes.stripe_keys, stripe_fakes.stripe_api

pytestmark = pytest.mark.django_db

NOW = "2026-06-01 08:00:00"  # Monday 10:00 in Berlin
START = "2026-06-03T12:00:00+02:00"  # Wednesday noon in Berlin, 50 hours ahead


def hold(client, consultation_type, start=START):
    response = client.post(
        "/api/v1/booking/holds/",
        {"type": str(consultation_type.translation_key), "start": start, "time_zone": "Europe/Berlin"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def checkout_of(client) -> Checkout:
    response = client.post("/api/v1/checkout/", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    return Checkout.objects.select_related("order").get(order__number=response.json()["order_number"])


def paid(deliver, checkout: Checkout) -> None:
    """Stripe reports the session paid; the worker runs all that follows (meeting, mail, calendar)."""
    assert deliver(event("checkout.session.completed", session_object(checkout))).status_code == 200


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Post a signed event like Stripe, then run what it queued after commit, and what that queued
    in turn, as the workers would (dj-stripe's mirror left out: it calls Stripe)."""
    from django.test import Client

    def send(payload):
        with django_capture_on_commit_callbacks() as queued:
            response = stripe_fakes.post_event(Client(raise_request_exception=False), payload)
        queued = list(queued)
        while queued:
            callback = queued.pop(0)
            if getattr(callback, "__name__", "") != "queue_stripe_event_mirror":
                with django_capture_on_commit_callbacks() as more:
                    callback()
                queued.extend(more)
        return response

    return send


def refund_reported(deliver, stripe_api, checkout: Checkout, amount: int, line_id: int) -> None:
    """Stripe's ``charge.refunded`` for a refund of ``amount`` cents of that line."""
    charge = charge_object(
        payment_intent=checkout.stripe_payment_intent_id, amount=amount, amount_refunded=amount
    )
    stripe_api.refunds_list(
        refund_object(
            charge=charge["id"],
            amount=amount,
            metadata={"order_number": checkout.order.number, "line_ids": str(line_id)},
        )
    )
    deliver(event("charge.refunded", charge))


def invite_of(message) -> bytes | None:
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None


@pytest.fixture
def confirmed(api_client, customer, consultation_type, stripe_api, deliver):
    """The customer's consultation at START, paid through Stripe at the first-timer price."""
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        checkout = checkout_of(api_client)
        paid(deliver, checkout)
    checkout.refresh_from_db()
    return Booking.objects.get(pk=held["id"]), checkout


def test_paying_a_hold_confirms_the_booking_with_a_meeting_link_and_one_mail_with_the_invite(
    api_client, customer, consultation_type, stripe_api, deliver
):
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        checkout = checkout_of(api_client)
        booking = Booking.objects.get(pk=held["id"])
        # Gone to pay: the hold lasts as long as Stripe's session may take.
        assert booking.order_id == checkout.order_id
        assert booking.hold_expires_at == checkout.expires_at > timezone.now() + timedelta(minutes=10)
        assert checkout.order.total_incl_tax == Decimal("59.00")

        paid(deliver, checkout)
        paid(deliver, checkout)  # Stripe delivers twice

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.order_line_id == checkout.order.lines.get().pk
    assert booking.meeting_url.startswith("https://meet.jit.si/")
    confirmations = [
        message for message in mail.outbox if message.to == [customer.email] and invite_of(message)
    ]
    assert len(confirmations) == 1
    invite = invite_of(confirmations[0])
    vevent = Calendar.from_ical(invite).walk("VEVENT")[0]
    assert vevent["UID"].startswith(str(booking.uid))
    assert vevent.decoded("DTSTART") == booking.start

    with freeze_time(NOW):
        (mine,) = api_client.get("/api/v1/me/bookings/").json()
    assert (mine["status"], mine["meeting_url"]) == ("confirmed", booking.meeting_url)
    assert mine["cancellation"] == {
        "allowed": True,
        "refund": {"amount": "59.00", "currency": "EUR"},
        "free_until": "2026-06-02T12:00:00+02:00",
    }
    assert mine["order_number"] == checkout.order.number


def test_after_a_paid_consultation_the_first_timer_rate_no_longer_applies(
    api_client, confirmed, consultation_type
):
    with freeze_time(NOW):
        (shown,) = api_client.get("/api/v1/booking/types/?locale=en").json()
    assert shown["first_timer_applies"] is False
    assert shown["price_for_you"] == {"amount": "89.00", "currency": "EUR"}


def test_cancelling_before_the_deadline_refunds_in_full_through_stripe(
    api_client, confirmed, stripe_api, deliver, make_user, consultation_type
):
    booking, checkout = confirmed
    stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_x", amount=5900))

    with freeze_time("2026-06-02 09:59:59"):  # 24 h and 1 s before noon in Berlin
        response = api_client.post(
            f"/api/v1/booking/bookings/{booking.pk}/cancel/",
            {"reason": "Krank"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["refund_amount"] == {"amount": "59.00", "currency": "EUR"}
    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    assert form(call.request)["amount"] == "5900"

    refund_reported(deliver, stripe_api, checkout, 5900, booking.order_line_id)
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.REFUNDED
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (Booking.Status.CANCELLED, 1)
    # The time is free again for someone else.
    api_client.force_login(make_user("naechste@example.com"))
    with freeze_time("2026-06-02 10:00:00"):
        assert hold(api_client, consultation_type)["status"] == "held"


def test_cancelling_after_the_deadline_frees_the_time_and_refunds_nothing(api_client, confirmed, stripe_api):
    booking, checkout = confirmed

    with freeze_time("2026-06-02 10:00:00"):  # exactly 24 h before: the free period is over
        listed = api_client.get("/api/v1/me/bookings/").json()[0]
        response = api_client.post(
            f"/api/v1/booking/bookings/{booking.pk}/cancel/", {}, content_type="application/json"
        )

    assert listed["cancellation"]["refund"] == {"amount": "0.00", "currency": "EUR"}
    assert response.status_code == 200, response.content
    assert response.json()["refund_amount"] == {"amount": "0.00", "currency": "EUR"}
    assert stripe_api.calls_to("POST", "/v1/refunds") == []
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID


def test_a_cancelled_or_foreign_booking_cannot_be_cancelled(api_client, confirmed, make_user, stripe_api):
    booking, _ = confirmed
    with freeze_time("2026-06-02 10:00:00"):
        assert api_client.post(f"/api/v1/booking/bookings/{booking.pk}/cancel/").status_code == 200
        again = api_client.post(f"/api/v1/booking/bookings/{booking.pk}/cancel/")
        api_client.force_login(make_user("fremd@example.com"))
        foreign = api_client.post(f"/api/v1/booking/bookings/{booking.pk}/cancel/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_cancellable")
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "booking_not_found")


def test_rescheduling_keeps_the_payment_and_raises_the_invites_sequence(api_client, confirmed, stripe_api):
    booking, checkout = confirmed
    with freeze_time("2026-06-01 09:00:00"):
        moved = api_client.post(
            f"/api/v1/booking/bookings/{booking.pk}/reschedule/",
            {"start": "2026-06-04T09:00:00+02:00"},
            content_type="application/json",
        )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["start"], moved.json()["status"]) == ("2026-06-04T09:00:00+02:00", "confirmed")
    booking.refresh_from_db()
    assert (booking.sequence, booking.reschedule_count, booking.order_id) == (1, 1, checkout.order_id)
    assert stripe_api.calls_to("POST", "/v1/refunds") == []
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID


def test_rescheduling_inside_the_last_day_or_onto_a_taken_time_is_refused(
    api_client, confirmed, consultant, consultation_type
):
    booking, _ = confirmed
    booking_make(consultant, consultation_type, datetime(2026, 6, 4, 7, 0, tzinfo=UTC))
    url = f"/api/v1/booking/bookings/{booking.pk}/reschedule/"
    with freeze_time("2026-06-01 09:00:00"):
        taken = api_client.post(url, {"start": "2026-06-04T09:00:00+02:00"}, content_type="application/json")
        naive = api_client.post(url, {"start": "2026-06-04T09:00:00"}, content_type="application/json")
    with freeze_time("2026-06-02 10:00:00"):
        late = api_client.post(url, {"start": "2026-06-04T14:00:00+02:00"}, content_type="application/json")

    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "slot_taken")
    assert (naive.status_code, naive.json()["error"]["code"]) == (400, "invalid")
    assert (late.status_code, late.json()["error"]["code"]) == (409, "reschedule_closed")
    booking.refresh_from_db()
    assert booking.start.isoformat() == "2026-06-03T10:00:00+00:00"


def test_a_payment_arriving_after_its_slot_went_to_someone_else_is_refunded_and_the_shopper_told(
    api_client, make_user, consultation_type, stripe_api, deliver, django_capture_on_commit_callbacks
):
    stripe_api.sessions_create()
    late, early = make_user("spaet@example.com"), make_user("frueh@example.com")
    with freeze_time(NOW):
        api_client.force_login(late)
        held = hold(api_client, consultation_type)
        late_checkout = checkout_of(api_client)
    # Stripe's session outlived the hold; the hold lapsed and the other shopper took and paid the time.
    with freeze_time(late_checkout.expires_at + timedelta(seconds=1)):
        holds.holds_lapse()
        api_client.force_login(early)
        hold(api_client, consultation_type)
        paid(deliver, checkout_of(api_client))
        stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_late", amount=5900))
        mail.outbox.clear()
        paid(deliver, late_checkout)

    lost = Booking.objects.get(pk=held["id"])
    assert (lost.status, lost.cancelled_by, lost.refund_amount) == ("cancelled", "system", Decimal("59.00"))
    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    assert form(call.request)["amount"] == "5900"
    (told,) = [message for message in mail.outbox if "schon vergeben" in message.subject]
    assert told.to == [late.email] and "59,00" in told.body
    assert Booking.objects.filter(status="confirmed").get().user == early


def test_a_late_payment_whose_time_is_still_free_confirms_the_booking(
    api_client, customer, consultation_type, stripe_api, deliver
):
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        checkout = checkout_of(api_client)
    with freeze_time(checkout.expires_at + timedelta(minutes=1)):
        holds.holds_lapse()
        assert Booking.objects.get(pk=held["id"]).status == Booking.Status.EXPIRED
        paid(deliver, checkout)

    assert Booking.objects.get(pk=held["id"]).status == Booking.Status.CONFIRMED
    assert stripe_api.calls_to("POST", "/v1/refunds") == []


def test_a_refund_made_by_staff_cancels_the_booking_it_paid_for(confirmed, stripe_api, deliver):
    booking, checkout = confirmed
    stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_x", amount=5900))
    with freeze_time("2026-06-02 11:00:00"):
        refund_lines(order=checkout.order, line_ids=[booking.order_line_id], reason="Kulanz")
        refund_reported(deliver, stripe_api, checkout, 5900, booking.order_line_id)

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (Booking.Status.CANCELLED, Booking.CancelledBy.SYSTEM)


def test_an_unpaid_checkout_that_lapses_ends_the_hold(
    api_client, customer, consultation_type, stripe_api, deliver
):
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        checkout = checkout_of(api_client)
        deliver(event("checkout.session.expired", session_object(checkout, status="expired")))

    assert Booking.objects.get(pk=held["id"]).status == Booking.Status.EXPIRED
    with freeze_time(NOW):
        # The basket that came back holds no consultation line: the time must be chosen again.
        lines = api_client.get("/api/shop/basket/").json()
    assert "consultation" not in str(lines)


def test_a_staff_cancellation_of_a_locally_paid_booking_refunds_it_and_tells_the_shopper_once(
    customer, consultation_type, django_capture_on_commit_callbacks
):
    from oscar.apps.basket.models import Basket

    from shop.checkout.ordering import order_place
    from shop.payments.services import payment_succeeded

    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        booking = holds.hold_place(
            user=customer,
            type_key=consultation_type.translation_key,
            start=datetime(2026, 6, 3, 10, tzinfo=UTC),
            time_zone="Europe/Berlin",
        )
        basket = Basket.objects.get(pk=booking.basket_id)
        basket.strategy = holds.Selector().strategy(user=customer)
        order = order_place(basket=basket, user=customer, email=customer.email)
        checkout = Checkout.objects.create(order=order, user=customer, provider=Checkout.Provider.LOCAL)
        payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=timezone.now())

    with freeze_time("2026-06-03 09:00:00"), django_capture_on_commit_callbacks(execute=True):
        cancellations.booking_cancel(booking=booking, by=Booking.CancelledBy.STAFF, reason="Beraterin krank")

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.sequence) == ("cancelled", "staff", 1)
    assert booking.refund_amount == Decimal("59.00")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    assert list(booking.notices.values_list("kind", flat=True).order_by("kind")) == ["cancelled", "confirmed"]


def test_a_payment_arriving_after_the_meeting_began_is_refunded(
    api_client, customer, consultation_type, stripe_api, deliver
):
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):  # no notice needed: the consultant takes meetings at short notice
        held = hold(api_client, consultation_type, start="2026-06-01T10:30:00+02:00")
        checkout = checkout_of(api_client)
    stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_late", amount=5900))
    with freeze_time("2026-06-01 08:31:00"):
        paid(deliver, checkout)

    late = Booking.objects.get(pk=held["id"])
    assert (late.status, late.cancelled_by) == ("cancelled", "system")
    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    assert form(call.request)["amount"] == "5900"


# ---- Only the line a hold created pays for it -----------------------------------------------------


def add_product(client, product, options=()):
    return client.post(
        "/api/shop/basket/add-product/",
        {
            "url": f"http://testserver/api/shop/products/{product.pk}/",
            "quantity": 1,
            "options": list(options),
        },
        content_type="application/json",
    )


def hold_claim(booking_id) -> dict:
    """The add-product option that names a hold, as the review's attacker sent it."""
    option = hold_option()
    return {"option": f"http://testserver/api/shop/options/{option.pk}/", "value": str(booking_id)}


def basket_lines(client) -> list[dict]:
    lines = client.get(client.get("/api/shop/basket/").json()["lines"]).json()
    return lines["results"] if isinstance(lines, dict) else lines


def test_a_cheap_video_naming_the_hold_cannot_pay_for_the_consultation(
    api_client, customer, consultation_type, shop_catalog, stripe_api, deliver
):
    """The review's attack, through the API: hold the consultation, add a 9 EUR video naming the
    hold, take the consultation's line out of the basket, pay 9 EUR."""
    stripe_api.sessions_create()
    api_client.force_login(customer)
    video = shop_catalog.product(shop_catalog.videos[0])
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        claimed = add_product(api_client, video, [hold_claim(held["id"])])
        assert claimed.status_code == 400, claimed.content
        assert set(claimed.json()["error"]) >= {"code", "message", "fields"}
        assert "options" in claimed.json()["error"]["fields"]

        assert add_product(api_client, video).status_code == 200  # the video alone is for sale
        (consultation,) = [line for line in basket_lines(api_client) if line["attributes"]]
        assert api_client.delete(consultation["url"]).status_code == 204
        checkout = checkout_of(api_client)
        assert checkout.order.total_incl_tax == Decimal("9.00")
        paid(deliver, checkout)

    booking = Booking.objects.get(pk=held["id"])
    assert (booking.status, booking.order_id, booking.confirmed_at) == (Booking.Status.HELD, None, None)
    assert not [message for message in mail.outbox if invite_of(message)]


@pytest.mark.parametrize("consultation_line_kept", [False, True])
def test_a_line_made_outside_the_hold_confirms_nothing_even_when_it_names_the_hold(
    api_client, customer, consultation_type, shop_catalog, stripe_api, deliver, consultation_line_kept
):
    """A line carrying the hold's option that the hold did not make (as oscar-api's line attribute
    writes could make it) is the video it is, not the consultation: paying it confirms nothing,
    whether or not the hold's own line was taken out first."""
    from oscar.apps.basket.models import Basket, Line

    stripe_api.sessions_create()
    api_client.force_login(customer)
    video = shop_catalog.product(shop_catalog.videos[0])
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        booking = Booking.objects.get(pk=held["id"])
        basket = Basket.objects.get(pk=booking.basket_id)
        basket.strategy = holds.Selector().strategy(user=customer)
        basket.add_product(video, 1, options=[{"option": hold_option(), "value": str(booking.pk)}])
        if not consultation_line_kept:
            Line.objects.filter(pk=booking.basket_line_id).delete()
        checkout = checkout_of(api_client)
        paid(deliver, checkout)

    booking.refresh_from_db()
    video_line = checkout.order.lines.get(product=video)
    if consultation_line_kept:  # the honest line still pays for the hold; the video's claim is ignored
        assert booking.status == Booking.Status.CONFIRMED
        assert booking.order_line_id != video_line.pk
    else:
        assert (booking.status, booking.order_id) == (Booking.Status.HELD, None)
    assert stripe_api.calls_to("POST", "/v1/refunds") == []  # the video is what was paid for


def test_a_consultation_line_naming_someone_elses_hold_confirms_nothing_and_is_refunded(
    api_client, make_user, consultation_type, stripe_api, deliver
):
    """Another shopper's basket line of the same consultation, naming the victim's hold: the
    victim's time is not theirs, and the money paid for nothing booked goes back."""
    from oscar.apps.basket.models import Basket

    from booking.products import product_for

    stripe_api.sessions_create()
    victim, thief = make_user("opfer@example.com"), make_user("dieb@example.com")
    product = product_for(consultation_type, first_timer=True)
    with freeze_time(NOW):
        api_client.force_login(victim)
        held = hold(api_client, consultation_type)
        basket = Basket.objects.create(owner=thief)
        basket.strategy = holds.Selector().strategy(user=thief)
        basket.add_product(product, 1, options=[{"option": hold_option(), "value": str(held["id"])}])
        api_client.force_login(thief)
        checkout = checkout_of(api_client)
        stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_thief", amount=5900))
        paid(deliver, checkout)

    booking = Booking.objects.get(pk=held["id"])
    assert (booking.status, booking.order_id) == (Booking.Status.HELD, None)
    assert booking.hold_expires_at < checkout.expires_at  # not lengthened by the thief's checkout
    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    assert form(call.request)["amount"] == "5900"
    assert form(call.request)["metadata[line_ids]"] == str(checkout.order.lines.get().pk)


def test_a_consultation_paid_at_another_price_than_its_hold_confirms_nothing_and_is_refunded(
    api_client, customer, consultation_type, stripe_api, deliver
):
    stripe_api.sessions_create()
    api_client.force_login(customer)
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)  # at the first-timer rate, 59.00
        consultation_type.first_timer_price = Decimal("49.00")  # the editor changes it meanwhile
        consultation_type.save()
        checkout = checkout_of(api_client)
        assert checkout.order.total_incl_tax == Decimal("49.00")
        stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_price", amount=4900))
        paid(deliver, checkout)

    assert Booking.objects.get(pk=held["id"]).status == Booking.Status.HELD
    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    assert form(call.request)["amount"] == "4900"


def test_the_hold_option_and_a_consultation_are_never_taken_from_a_client(
    api_client, customer, consultation_type, shop_catalog
):
    """Holds are made by POST /api/v1/booking/holds/ alone: add-product refuses the hold's option
    even on a product whose class declares it, and refuses a consultation's product itself."""
    from booking.products import product_for

    api_client.force_login(customer)
    video = shop_catalog.product(shop_catalog.videos[0])
    video.get_product_class().options.add(hold_option())  # even were it declared in the dashboard
    with freeze_time(NOW):
        held = hold(api_client, consultation_type)
        claimed = add_product(api_client, video, [hold_claim(held["id"])])
        consultation = add_product(api_client, product_for(consultation_type, first_timer=False))

    assert (claimed.status_code, claimed.json()["error"]["code"]) == (400, "option_not_offered")
    assert (consultation.status_code, consultation.json()["error"]["code"]) == (400, "not_addable")
    assert len(basket_lines(api_client)) == 1  # the hold's own line
