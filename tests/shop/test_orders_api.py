"""``GET /api/v1/me/orders/`` and ``/me/orders/{number}/``: the shopper's own orders, newest
first, with VAT on every line and totals that add up; someone else's order is a 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.voucher.models import Voucher

from shop.checkout.ordering import order_place
from shop.models import Invoice
from shop.statuses import OrderStatus
from tests.shop.conftest import basket_for

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/me/orders/"


def amount(value: dict) -> Decimal:
    assert value["currency"] == "EUR"
    return Decimal(value["amount"])


def voucher(code: str, percent: str) -> Voucher:
    everything = Range.objects.create(name=f"Alles {code}", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name=f"Herbstaktion {code}",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=Decimal(percent)),
        max_basket_applications=1,
    )
    now = timezone.now()
    code = Voucher.objects.create(
        name=code,
        code=code,
        usage=Voucher.MULTI_USE,
        start_datetime=now - timedelta(days=1),
        end_datetime=now + timedelta(days=30),
    )
    code.offers.add(offer)
    return code


def paid_order_with_code(user, products, code: Voucher):
    basket = basket_for(user, *products)
    basket.vouchers.add(code)
    basket.reset_offer_applications()
    Applicator().apply(basket, user)
    order = order_place(basket=basket, user=user, email=user.email)
    order.set_status(OrderStatus.PAID)
    return order


@pytest.fixture
def shopper_client(api_client, customer):
    api_client.force_login(customer)
    return api_client


def test_an_order_shows_vat_on_every_line_and_totals_that_add_up(shop_catalog, customer, shopper_client):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    order = paid_order_with_code(customer, [course, video], voucher("HERBST10", "10"))

    data = shopper_client.get(f"{ORDERS}{order.number}/").json()

    assert (data["number"], data["status"]) == (order.number, "paid")
    lines = {line["item_id"]: line for line in data["lines"]}
    assert {upc: (line["kind"], line["title"]) for upc, line in lines.items()} == {
        course.upc: ("course", "Grundkurs Goldschmieden"),
        video.upc: ("video", "Polieren auf Hochglanz"),
    }
    assert amount(lines[course.upc]["unit_price"]) == Decimal("29.00")
    assert amount(lines[video.upc]["unit_price"]) == Decimal("19.99")
    for line in data["lines"]:
        gross = amount(line["gross"])
        assert amount(line["discount"]) > 0
        assert gross == amount(line["unit_price"]) - amount(line["discount"])
        assert amount(line["net"]) + amount(line["vat"]) == gross
        assert amount(line["vat"]) == (gross - gross / Decimal("1.19")).quantize(Decimal("0.01"))
    totals = data["totals"]
    assert amount(totals["gross"]) == sum(amount(line["gross"]) for line in data["lines"])
    assert amount(totals["net"]) == sum(amount(line["net"]) for line in data["lines"])
    assert amount(totals["vat"]) == sum(amount(line["vat"]) for line in data["lines"])
    assert amount(totals["net"]) + amount(totals["vat"]) == amount(totals["gross"])
    assert amount(totals["gross"]) == Decimal("48.99") - amount(totals["discount"])
    assert amount(totals["refunded"]) == Decimal("0.00")
    [discount] = data["discounts"]
    assert (discount["voucher_code"], discount["offer_name"]) == ("HERBST10", "Herbstaktion HERBST10")
    assert (
        amount(discount["amount"])
        == amount(totals["discount"])
        == sum(amount(line["discount"]) for line in data["lines"])
    )


def test_a_line_without_discount_shows_the_editors_price_split(
    shop_catalog, customer, place_order, shopper_client
):
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[2]))

    [line] = shopper_client.get(f"{ORDERS}{order.number}/").json()["lines"]

    assert {key: line[key]["amount"] for key in ("unit_price", "discount", "gross", "net", "vat")} == {
        "unit_price": "19.99",
        "discount": "0.00",
        "gross": "19.99",
        "net": "16.80",
        "vat": "3.19",
    }
    assert line["status"] == "pending"


def test_orders_come_newest_first_with_utc_timestamps(shop_catalog, customer, place_order, shopper_client):
    with freeze_time(datetime(2026, 3, 1, 9, 30, tzinfo=timezone.get_fixed_timezone(0))):
        older = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))
    with freeze_time(datetime(2026, 7, 14, 18, 5, tzinfo=timezone.get_fixed_timezone(0))):
        newer = place_order(customer, shop_catalog.product(shop_catalog.videos[1]))

    data = shopper_client.get(ORDERS).json()

    assert data["count"] == 2
    assert [(order["number"], order["placed_at"]) for order in data["results"]] == [
        (newer.number, "2026-07-14T18:05:00+00:00"),
        (older.number, "2026-03-01T09:30:00+00:00"),
    ]


def test_invoices_and_credit_notes_are_listed_with_their_pdf_addresses(
    shop_catalog, customer, place_order, shopper_client
):
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))
    issued = timezone.now()
    for kind, number, refund_key in (
        ("invoice", "RE-2026-00001", ""),
        ("credit_note", "GS-2026-00001", "re_1"),
    ):
        Invoice.objects.create(
            kind=kind,
            number=number,
            year=2026,
            sequence=1,
            order=order,
            refund_key=refund_key,
            issued_at=issued,
            net=Decimal("7.56"),
            vat=Decimal("1.44"),
            gross=Decimal("9.00"),
        )

    invoices = shopper_client.get(f"{ORDERS}{order.number}/").json()["invoices"]

    assert [(invoice["kind"], invoice["number"], invoice["url"]) for invoice in invoices] == [
        ("invoice", "RE-2026-00001", f"http://testserver/api/v1/me/orders/{order.number}/invoice.pdf"),
        (
            "credit_note",
            "GS-2026-00001",
            f"http://testserver/api/v1/me/orders/{order.number}/credit-notes/GS-2026-00001.pdf",
        ),
    ]


def test_another_shoppers_order_is_not_found(shop_catalog, customer, make_user, place_order, api_client):
    theirs = place_order(make_user("other@example.com"), shop_catalog.product(shop_catalog.videos[0]))
    api_client.force_login(customer)

    response = api_client.get(f"{ORDERS}{theirs.number}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_client.get(f"{ORDERS}999999/").status_code == 404
    assert api_client.get(ORDERS).json()["count"] == 0


def test_orders_are_personal(api_client, customer):
    assert api_client.get(ORDERS).status_code == 401
    api_client.force_login(customer)
    response = api_client.get(ORDERS)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def orders_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ORDERS, {"page_size": 50})
    assert response.status_code == 200
    return len(captured)


def test_the_order_list_costs_the_same_queries_for_one_order_or_many(
    shop_catalog, customer, place_order, shopper_client
):
    products = [shop_catalog.product(page) for page in (*shop_catalog.videos, shop_catalog.course)]
    place_order(customer, products[0])
    # The session's first request also asks, once per account and ten minutes, whether it may
    # reach an admin (accounts.staff_2fa: two permission queries); the list's cost is the rest.
    orders_queries(shopper_client)
    one = orders_queries(shopper_client)

    for index in range(1, 6):
        order = place_order(customer, *products[: 1 + index % 4])
        Invoice.objects.create(
            kind="invoice",
            number=f"RE-2026-{index:05}",
            year=2026,
            sequence=index,
            order=order,
            issued_at=timezone.now(),
            net=Decimal("1.00"),
            vat=Decimal("0.19"),
            gross=Decimal("1.19"),
        )
    code = voucher("MEHR", "5")
    paid_order_with_code(customer, products[:2], code)

    assert orders_queries(shopper_client) == one
    # session, user, count, orders (with payment), lines (with products), discounts, invoices
    assert one == 7
