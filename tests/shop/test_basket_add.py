"""``POST /api/shop/basket/add-product/``: oscar-api's add-product, refusing in the error shape
what a shop of digital goods must not sell twice, and saying when a bundle overlaps what the
shopper owns."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Option

from shop.access.services import grant_by_staff, grants_suspend_for_order
from shop.catalogue.selectors import product_for_page
from shop.catalogue.services import product_withdraw
from tests.shop.conftest import basket_for
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db

ADD = "/api/shop/basket/add-product/"


def add(client, page_or_product, quantity=1, **extra):
    product = getattr(page_or_product, "product_class", None) and page_or_product
    product = product or product_for_page(page_or_product)
    return client.post(
        ADD,
        {"url": f"http://testserver/api/shop/products/{product.pk}/", "quantity": quantity},
        content_type="application/json",
        **extra,
    )


def error_of(response) -> dict:
    return response.json()["error"]


def basket_products(client) -> list[str]:
    return [line["product"].rstrip("/").rsplit("/", 1)[-1] for line in lines_of(client)]


def lines_of(client) -> list[dict]:
    response = client.get("/api/shop/basket/")
    lines = client.get(response.json()["lines"]).json()
    return lines["results"] if isinstance(lines, dict) else lines


@pytest.fixture
def shopper(api_client, customer):
    api_client.force_login(customer)
    return api_client


def test_an_anonymous_visitor_adds_a_video_and_gets_the_basket(api_client, shop_catalog):
    response = add(api_client, shop_catalog.videos[0])

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["warnings"] == []
    assert data["total_incl_tax"] == "9.00"
    assert basket_products(api_client) == [str(shop_catalog.product(shop_catalog.videos[0]).pk)]


def test_an_unknown_product_is_a_404_and_a_malformed_url_a_400(api_client, shop_catalog):
    unknown = api_client.post(
        ADD,
        {"url": "http://testserver/api/shop/products/999999/", "quantity": 1},
        content_type="application/json",
    )
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "unknown_product"

    malformed = api_client.post(ADD, {"url": "not a link", "quantity": 1}, content_type="application/json")
    assert malformed.status_code == 400
    assert error_of(malformed)["code"] == "invalid"
    assert "url" in error_of(malformed)["fields"]

    missing = api_client.post(ADD, {"quantity": 1}, content_type="application/json")
    assert missing.status_code == 400
    assert "url" in error_of(missing)["fields"]


@pytest.mark.parametrize("quantity", [2, 0, -1, "viele"])
def test_a_quantity_other_than_one_is_refused(api_client, shop_catalog, quantity):
    response = add(api_client, shop_catalog.videos[0], quantity=quantity)

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_quantity"
    assert "quantity" in error_of(response)["fields"]
    assert Basket.objects.filter(lines__isnull=False).count() == 0


def add_with_option(client, product, option, value="Initialen A.G."):
    return client.post(
        ADD,
        {
            "url": f"http://testserver/api/shop/products/{product.pk}/",
            "quantity": 1,
            "options": [{"option": f"http://testserver/api/shop/options/{option.pk}/", "value": value}],
        },
        content_type="application/json",
    )


def test_an_option_the_product_does_not_declare_is_refused(api_client, shop_catalog):
    """Oscar puts any option on any line; a line's options must be the product's own (a made-up
    option is how a 9 EUR video once claimed a 69 EUR consultation)."""
    engraving = Option.objects.create(name="Gravur", code="engraving", type=Option.TEXT)
    video = shop_catalog.product(shop_catalog.videos[0])

    refused = add_with_option(api_client, video, engraving)

    assert refused.status_code == 400
    assert set(error_of(refused)) == {"code", "message", "fields"}
    assert error_of(refused)["code"] == "option_not_offered"
    assert "engraving" in str(error_of(refused)["fields"]["options"])
    assert Basket.objects.filter(lines__isnull=False).count() == 0

    video.get_product_class().options.add(engraving)  # declared: taken, on the line
    accepted = add_with_option(api_client, video, engraving)
    assert accepted.status_code == 200, accepted.content
    assert [attribute["value"] for line in lines_of(api_client) for attribute in line["attributes"]] == [
        "Initialen A.G."
    ]


def test_a_withdrawn_product_cannot_be_added(api_client, shop_catalog):
    product = product_withdraw(page=shop_catalog.videos[0])

    response = add(api_client, product)

    assert response.status_code == 409
    assert error_of(response)["code"] == "item_unavailable"


def test_the_same_item_twice_is_refused(shopper, shop_catalog):
    assert add(shopper, shop_catalog.course).status_code == 200

    again = add(shopper, shop_catalog.course)

    assert again.status_code == 409
    assert error_of(again)["code"] == "already_in_basket"
    assert [line["quantity"] for line in lines_of(shopper)] == [1]


def test_what_the_shopper_owns_is_refused_however_they_got_it(shopper, shop_catalog, customer, buy):
    buy(customer, shop_catalog.bundle)

    for page in (*shop_catalog.videos, shop_catalog.course, shop_catalog.bundle):
        response = add(shopper, page)
        assert response.status_code == 409, page.slug
        assert error_of(response)["code"] == "already_owned"
        assert error_of(response)["owned_through"] == [
            {"id": str(shop_catalog.bundle.translation_key), "type": "bundle", "title": "Meisterpaket"}
        ]
    assert lines_of(shopper) == []


def test_owned_through_a_course_names_the_course_in_the_shoppers_language(
    shopper, shop_catalog, customer, buy
):
    buy(customer, shop_catalog.course)

    response = add(shopper, shop_catalog.videos[0], HTTP_ACCEPT_LANGUAGE="en")

    assert error_of(response)["owned_through"] == [
        {"id": str(shop_catalog.course.translation_key), "type": "course", "title": "Goldsmithing basics"}
    ]


def test_a_staff_grant_counts_as_owned_and_a_suspended_one_does_not(
    shopper, shop_catalog, customer, make_user, buy
):
    grant_by_staff(
        user=customer,
        item_key=shop_catalog.videos[0].translation_key,
        granted_by=make_user("team@example.com"),
        reason="Prize",
    )
    assert error_of(add(shopper, shop_catalog.videos[0]))["code"] == "already_owned"

    grants_suspend_for_order(order=buy(customer, shop_catalog.videos[1]))
    assert add(shopper, shop_catalog.videos[1]).status_code == 200


def test_a_bundle_overlapping_what_is_owned_is_added_with_a_warning(shopper, shop_catalog, customer, buy):
    buy(customer, shop_catalog.course)

    response = add(shopper, shop_catalog.bundle)

    assert response.status_code == 200
    assert response.json()["warnings"] == [
        {
            "code": "overlaps_owned",
            "message": "You already own part of this.",
            # the course, not also its two lessons
            "items": [
                {
                    "id": str(shop_catalog.course.translation_key),
                    "type": "course",
                    "title": "Grundkurs Goldschmieden",
                }
            ],
        }
    ]
    assert basket_products(shopper) == [str(shop_catalog.product(shop_catalog.bundle).pk)]


def test_a_course_overlapping_a_video_owned_names_the_video(shopper, shop_catalog, customer, buy):
    buy(customer, shop_catalog.videos[1])

    [warning] = add(shopper, shop_catalog.course).json()["warnings"]

    assert [(item["type"], item["title"]) for item in warning["items"]] == [("video", "Fassen von Steinen")]


def queries_to_add(client, page) -> int:
    """What adding costs, savepoints aside (they are this test's transaction, not the request's)."""
    body = {"url": f"http://testserver/api/shop/products/{product_for_page(page).pk}/", "quantity": 1}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(ADD, body, content_type="application/json")
    assert response.status_code == 200, response.content
    return len([query for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]])


def test_adding_costs_at_most_twenty_queries_whatever_the_basket_holds(
    client, api_client, shop_catalog, customer, buy
):
    extras = [
        publish(draft_catalog_page(shop_catalog.library, title=f"Extra {number}", price="4.00"))
        for number in range(4)
    ]
    for page in (*extras, shop_catalog.course):  # others have put these in a basket before
        add(client, page)
    api_client.force_login(customer)
    buy(customer, shop_catalog.videos[1])

    first = queries_to_add(api_client, extras[0])  # the shopper's basket is made here
    sizes = [queries_to_add(api_client, page) for page in extras[1:]]
    with_overlap = queries_to_add(api_client, shop_catalog.course)  # and names the video owned

    assert first <= 20
    assert sizes == [sizes[0]] * 3 and sizes[0] <= 19
    assert with_overlap == sizes[0] + 1  # the overlapping video's title


@pytest.mark.django_db(transaction=True)
def test_two_tabs_adding_the_same_item_at_once_put_it_in_once(shop_catalog, customer):
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[2]))
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    for client in clients:
        client.force_login(customer)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(client) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(add(client, shop_catalog.course).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200, 409]
    assert Basket.open.get(owner=customer) == basket
    assert sorted(basket.lines.values_list("product__upc", "quantity")) == sorted(
        [(shop_catalog.product(page).upc, 1) for page in (shop_catalog.videos[2], shop_catalog.course)]
    )


def test_oscars_analytics_still_count_each_addition(
    shopper, shop_catalog, customer, django_capture_on_commit_callbacks
):
    from oscar.apps.analytics.models import ProductRecord, UserRecord

    product = product_for_page(shop_catalog.videos[0])
    with django_capture_on_commit_callbacks(execute=True):  # the task, after the request
        assert add(shopper, shop_catalog.videos[0]).status_code == 200

    assert ProductRecord.objects.get(product=product).num_basket_additions == 1
    assert UserRecord.objects.get(user=customer).num_basket_additions == 1
