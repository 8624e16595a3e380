"""POST /api/v1/checkout/: the basket becomes an order and a Stripe page whose lines and total are
the order's to the cent; nothing is half made when Stripe is away; a retried request places no
second order; the return page sees its own order's state only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone
from freezegun import freeze_time
from oscar.apps.basket.models import Basket
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.order.models import Order

import stripe_fakes
from shop.models import Checkout, Grant
from shop.statuses import OrderStatus
from stripe_fakes import SECRET_KEY, event, form, session_object
from tests.shop.conftest import basket_for

stripe_keys, stripe_api, deliver = (
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    stripe_fakes.deliver,
)  # fixtures

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/v1/checkout/"


def site_offer(percent: int) -> ConditionalOffer:
    everything = Range.objects.create(name=f"Alles {percent}", includes_all_products=True)
    return ConditionalOffer.objects.create(
        name=f"{percent} % auf alles",
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=percent),
    )


@pytest.fixture
def shopper(api_client, customer):
    api_client.force_login(customer)
    return api_client


@freeze_time("2026-04-02 09:00:00")
def test_checkout_asks_stripe_for_a_session_of_the_discounted_order_lines(
    shop_catalog, customer, shopper, stripe_api
):
    site_offer(10)
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    basket_for(customer, course, video)
    stripe_api.sessions_create()

    response = shopper.post(CHECKOUT, {"expected_total": "44.09"}, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get(number=body["order_number"])
    checkout = Checkout.objects.get(order=order)
    assert body["status"] == "pending"
    assert body["total"] == {"amount": "44.09", "currency": "EUR"}
    assert body["checkout_url"] == checkout.url and checkout.url.startswith("https://checkout.stripe.com/")
    assert order.status == OrderStatus.PENDING and order.user == customer
    assert Basket.objects.get(pk=order.basket_id).status == Basket.FROZEN

    (call,) = stripe_api.calls_to("POST", "/v1/checkout/sessions")
    sent = form(call.request)
    # 29.00 - 2.90 and 19.99 - 2.00: one line each, quantity 1, at the gross amount after discounts.
    assert [
        (
            sent[f"line_items[{n}][price_data][product_data][name]"],
            sent[f"line_items[{n}][price_data][unit_amount]"],
        )
        for n in (0, 1)
    ] == [
        ("Grundkurs Goldschmieden", "2610"),
        ("Polieren auf Hochglanz", "1799"),
    ]
    assert {sent["line_items[0][quantity]"], sent["line_items[1][quantity]"]} == {"1"}
    assert "line_items[2][quantity]" not in sent
    assert (
        int(sent["line_items[0][price_data][unit_amount]"])
        + int(sent["line_items[1][price_data][unit_amount]"])
        == 4409
    )
    assert sent["line_items[0][price_data][currency]"] == "eur"
    assert sent["mode"] == "payment"
    assert sent["customer_email"] == "kundin@example.com"
    assert sent["locale"] == "de"
    assert sent["client_reference_id"] == order.number
    assert sent["metadata[order_number]"] == order.number
    assert sent["payment_intent_data[metadata][order_number]"] == order.number
    assert sent["success_url"] == f"http://localhost:4321/de/checkout/{order.number}/"
    assert sent["cancel_url"].startswith(sent["success_url"])
    expires = datetime.fromtimestamp(int(sent["expires_at"]), tz=UTC)
    assert timedelta(minutes=30) < expires - timezone.now() <= timedelta(minutes=31)
    assert call.request.headers["Idempotency-Key"] == f"checkout-session-{order.number}-{checkout.pk}"
    assert call.request.headers["Stripe-Version"] == "2024-04-10"
    assert call.request.headers["Authorization"] == f"Bearer {SECRET_KEY}"


def test_an_english_shopper_gets_stripe_in_english(shop_catalog, make_user, api_client, stripe_api):
    shopper = make_user("reader@example.com", locale="en")
    api_client.force_login(shopper)
    basket_for(shopper, shop_catalog.product(shop_catalog.videos[0]))
    stripe_api.sessions_create()

    response = api_client.post(CHECKOUT, content_type="application/json")

    assert response.status_code == 201
    sent = form(stripe_api.calls_to("POST", "/v1/checkout/sessions")[0].request)
    assert sent["locale"] == "en"
    assert sent["success_url"].endswith(f"/en/checkout/{response.json()['order_number']}/")


def test_a_zero_total_is_paid_at_once_without_asking_stripe(shop_catalog, customer, shopper, stripe_api):
    site_offer(100)
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))

    response = shopper.post(CHECKOUT, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "paid"
    assert body["total"] == {"amount": "0.00", "currency": "EUR"}
    assert body["checkout_url"] == f"http://localhost:4321/de/checkout/{body['order_number']}/"
    assert stripe_api.calls == []
    order = Order.objects.get(number=body["order_number"])
    assert order.status == OrderStatus.PAID
    assert order.checkout.provider == Checkout.Provider.FREE
    assert Grant.objects.filter(user=customer, status=Grant.Status.ACTIVE).count() == 1


def test_when_stripe_cannot_be_reached_nothing_is_made_and_the_basket_stays_open(
    shop_catalog, customer, shopper, stripe_api
):
    video = shop_catalog.product(shop_catalog.videos[0])
    basket = basket_for(customer, video)
    stripe_api.on("POST", "/v1/checkout/sessions", requests.ConnectionError("connection refused"))

    response = shopper.post(CHECKOUT, content_type="application/json")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_provider_unavailable"
    assert not Order.objects.exists()
    assert not Checkout.objects.exists()
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN
    assert list(basket.lines.values_list("product_id", flat=True)) == [video.pk]


def test_the_same_idempotency_key_and_body_give_the_same_answer_and_one_order(
    shop_catalog, customer, shopper, stripe_api
):
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    stripe_api.sessions_create()

    def start(body):
        return shopper.post(CHECKOUT, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")

    first = start({"expected_total": "9.00"})
    again = start({"expected_total": "9.00"})
    other = start({"expected_total": "10.00"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert len(stripe_api.calls_to("POST", "/v1/checkout/sessions")) == 1


def test_a_basket_that_changed_since_the_shopper_saw_it_is_not_checked_out(
    shop_catalog, customer, shopper, stripe_api
):
    basket_for(
        customer, shop_catalog.product(shop_catalog.videos[0]), shop_catalog.product(shop_catalog.videos[1])
    )

    response = shopper.post(CHECKOUT, {"expected_total": "9.00"}, content_type="application/json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "basket_changed"
    assert error["total"] == {"amount": "21.00", "currency": "EUR"}
    assert not Order.objects.exists()
    assert stripe_api.calls == []


def test_without_stripe_keys_in_production_checkout_says_payments_are_not_configured(
    shop_catalog, customer, shopper, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = False
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))

    response = shopper.post(CHECKOUT, content_type="application/json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payments_not_configured"
    assert not Order.objects.exists()


def test_checkout_needs_a_logged_in_shopper(api_client, db):
    response = api_client.post(CHECKOUT, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_return_page_sees_its_order_go_from_pending_to_paid_and_nobody_elses(
    shop_catalog, customer, shopper, make_user, api_client, stripe_api, deliver
):
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    stripe_api.sessions_create()
    number = shopper.post(CHECKOUT, content_type="application/json").json()["order_number"]
    status_url = f"{CHECKOUT}{number}/"

    pending = shopper.get(status_url)
    assert pending.status_code == 200
    assert "no-store" in pending["Cache-Control"]
    assert pending.json()["status"] == "pending"
    assert pending.json()["checkout_url"].startswith("https://checkout.stripe.com/")

    checkout = Checkout.objects.get(order__number=number)
    assert deliver(event("checkout.session.completed", session_object(checkout))).status_code == 200

    paid = shopper.get(status_url).json()
    assert (paid["status"], paid["order_status"], paid["checkout_url"]) == ("paid", "paid", None)
    assert paid["total"] == {"amount": "9.00", "currency": "EUR"}

    stranger = api_client.__class__()
    stranger.force_login(make_user("fremd@example.com"))
    assert stranger.get(status_url).status_code == 404
    assert stranger.get(status_url).json()["error"]["code"] == "not_found"
    assert api_client.__class__().get(status_url).status_code == 401


def test_a_shopper_who_cancels_on_stripe_gets_the_basket_back_at_once(
    shop_catalog, customer, shopper, stripe_api
):
    video = shop_catalog.product(shop_catalog.videos[0])
    basket_for(customer, video)
    stripe_api.sessions_create()
    number = shopper.post(CHECKOUT, content_type="application/json").json()["order_number"]
    checkout = Checkout.objects.get(order__number=number)
    stripe_api.on(
        "POST",
        f"/v1/checkout/sessions/{checkout.stripe_session_id}/expire",
        session_object(checkout, status="expired", payment_status="unpaid"),
    )

    response = shopper.post(f"{CHECKOUT}{number}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert Order.objects.get(number=number).status == OrderStatus.CANCELLED
    assert list(Basket.open.get(owner=customer).lines.values_list("product_id", flat=True)) == [video.pk]
    again = shopper.post(f"{CHECKOUT}{number}/cancel/")
    assert again.status_code == 409
    assert len(stripe_api.calls_to("POST", f"/v1/checkout/sessions/{checkout.stripe_session_id}/expire")) == 1


def test_a_total_below_stripes_minimum_is_refused_before_anything_is_made(
    shop_catalog, customer, shopper, stripe_api
):
    site_offer(99)  # 9.00 → 0.09
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))

    response = shopper.post(CHECKOUT, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "total_below_minimum"
    assert not Order.objects.exists()
