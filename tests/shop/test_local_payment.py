"""Without Stripe keys and with DEBUG on, checkout leads to a local page that pays the order through
the very functions Stripe's webhook uses; production can never reach it."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from oscar.apps.basket.models import Basket
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source

import stripe_fakes
from shop.access.selectors import may_watch
from shop.models import Checkout
from shop.statuses import OrderStatus
from tests.shop.conftest import basket_for

sent = stripe_fakes.sent  # fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_payments(settings):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    return settings


@pytest.fixture
def local_checkout(shop_catalog, customer, api_client, local_payments):
    """Checkout through the API; returns the order and the path of its local payment page."""
    api_client.force_login(customer)
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    response = api_client.post("/api/v1/checkout/", content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["checkout_url"].startswith("http://localhost:8000/shop/local-payment/")
    return Order.objects.get(number=body["order_number"]), urlparse(body["checkout_url"]).path


def test_paying_on_the_local_page_pays_the_order_like_stripe_would(
    shop_catalog, customer, api_client, local_checkout, sent
):
    order, page = local_checkout

    shown = api_client.get(page)
    assert shown.status_code == 200
    assert "Löten mit dem Mikrobrenner" in shown.content.decode()
    assert "9.00 EUR" in shown.content.decode()

    response = api_client.post(page, {"action": "pay"})

    assert response.status_code == 302
    assert response["Location"] == f"http://localhost:4321/de/checkout/{order.number}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert may_watch(customer, shop_catalog.videos[0])
    assert may_watch(customer, shop_catalog.english_video)
    assert [kwargs["order"].pk for kwargs in sent["order_paid"]] == [order.pk]
    assert Source.objects.get(order=order).source_type.code == Checkout.Provider.LOCAL
    assert api_client.post(page, {"action": "pay"}).status_code == 200  # paid already: just the page
    assert len(sent["order_paid"]) == 1


def test_cancelling_on_the_local_page_gives_the_basket_back(
    shop_catalog, customer, api_client, local_checkout, sent
):
    order, page = local_checkout

    response = api_client.post(page, {"action": "cancel"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/de/checkout/{order.number}/?cancelled=1")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Basket.open.get(owner=customer).lines.count() == 1
    assert len(sent["order_cancelled"]) == 1


@pytest.mark.parametrize(
    "change",
    [{"DEBUG": False}, {"STRIPE_SECRET_KEY": stripe_fakes.SECRET_KEY}],
    ids=["DEBUG off", "Stripe configured"],
)
def test_the_local_page_does_not_exist_in_production(api_client, local_checkout, settings, change):
    order, page = local_checkout
    for name, value in change.items():
        setattr(settings, name, value)

    assert api_client.get(page).status_code == 404
    assert api_client.post(page, {"action": "pay"}).status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_a_forged_link_finds_nothing(api_client, local_checkout):
    order, page = local_checkout
    assert api_client.post(page[:-3] + "xx/", {"action": "pay"}).status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING
