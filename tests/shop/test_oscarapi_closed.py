"""Of oscar-api only what the site uses answers at ``/api/shop/``, the same with and without a
format suffix (``login/`` and ``login.json``): no password login or sign-up, no checkout that
places unpaid orders, no writes to a basket's owner, a line's options or the category tree, and
no product the catalogue does not show."""

from __future__ import annotations

import re

import pytest
from oscar.apps.basket.models import Basket, LineAttribute
from oscar.apps.catalogue.models import Category, Option
from oscar.apps.order.models import Order

from tests.shop.conftest import basket_for

pytestmark = pytest.mark.django_db

BOTH_SPELLINGS = ["{}/", "{}.json"]


def spelled(route: str, spelling: str) -> str:
    return "/api/shop/" + spelling.format(route)


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
@pytest.mark.parametrize(
    ("route", "pointer"),
    [("checkout", "/api/v1/checkout/"), ("login", "/_allauth/"), ("register", "/_allauth/")],
)
def test_oscarapis_checkout_and_logins_are_closed(api_client, route, pointer, spelling):
    response = api_client.post(spelled(route, spelling), {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert pointer in response.json()["error"]["message"]


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
def test_a_password_never_logs_a_shopper_in_through_oscarapi(api_client, make_user, spelling):
    shopper = make_user("ada@example.com")
    shopper.set_password("known-to-an-attacker")
    shopper.save()

    response = api_client.post(
        spelled("login", spelling),
        {"username": "ada@example.com", "password": "known-to-an-attacker"},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
def test_oscarapis_checkout_places_no_order(api_client, shop_catalog, customer, spelling):
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    api_client.force_login(customer)

    response = api_client.post(
        spelled("checkout", spelling),
        {"basket": f"http://testserver/api/shop/baskets/{basket.pk}/", "guest_email": "a@example.com"},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert not Order.objects.exists()
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
def test_nobody_writes_the_category_tree(api_client, spelling):
    before = Category.objects.count()

    response = api_client.post(
        spelled("categories-bulk", spelling),
        [{"data": {"code": "hacked", "name": "Hacked"}}],
        content_type="application/json",
    )

    assert response.status_code == 404
    assert Category.objects.count() == before
    assert not Category.objects.filter(code="hacked").exists()


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_shopper_cannot_move_their_basket_into_another_account(
    api_client, shop_catalog, customer, make_user, method, spelling
):
    victim = make_user("opfer@example.com")
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    api_client.force_login(customer)

    response = getattr(api_client, method)(
        spelled(f"baskets/{basket.pk}", spelling),
        {"owner": f"http://testserver/api/shop/users/{victim.pk}/", "status": "Frozen"},
        content_type="application/json",
    )

    assert response.status_code == 405
    basket.refresh_from_db()
    assert (basket.owner, basket.status) == (customer, Basket.OPEN)
    assert not Basket.objects.filter(owner=victim).exists()
    # Reading it stays: oscar-api's basket answers link to it.
    assert api_client.get(spelled(f"baskets/{basket.pk}", spelling)).json()["id"] == basket.pk


@pytest.fixture
def line_with_option(shop_catalog, customer):
    option = Option.objects.create(name="Note", code="note")
    basket = basket_for(customer)
    product = shop_catalog.product(shop_catalog.videos[0])
    basket.add_product(product, options=[{"option": option, "value": "mine"}])
    line = basket.all_lines()[0]
    return line, line.attributes.get()


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
@pytest.mark.parametrize("method", ["patch", "put", "post", "delete"])
def test_a_lines_options_cannot_be_rewritten(api_client, customer, line_with_option, method, spelling):
    line, attribute = line_with_option
    api_client.force_login(customer)
    url = spelled(f"baskets/{line.basket_id}/lines/{line.pk}/lineattributes/{attribute.pk}", spelling)

    response = getattr(api_client, method)(url, {"value": "someone else's"}, content_type="application/json")

    assert response.status_code == 405
    assert LineAttribute.objects.get(pk=attribute.pk).value == "mine"
    assert api_client.get(url).json()["value"] == "mine"


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
def test_lines_are_added_only_through_add_product(api_client, shop_catalog, customer, spelling):
    basket = basket_for(customer)
    product = shop_catalog.product(shop_catalog.videos[0])
    api_client.force_login(customer)

    response = api_client.post(
        spelled(f"baskets/{basket.pk}/lines", spelling),
        {
            "basket": f"http://testserver/api/shop/baskets/{basket.pk}/",
            "product": f"http://testserver/api/shop/products/{product.pk}/",
            "stockrecord": f"http://testserver/api/shop/products/{product.pk}/stockrecords/"
            f"{product.stockrecords.get().pk}/",
            "quantity": 1,
            "price_currency": "EUR",
            "price_excl_tax": "0.01",
            "price_incl_tax": "0.01",
        },
        content_type="application/json",
    )

    assert response.status_code == 405
    assert not basket.lines.exists()


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
def test_oscarapi_shows_only_the_products_the_catalogue_shows(api_client, shop_catalog, spelling):
    shown = shop_catalog.product(shop_catalog.videos[0])
    hidden = shop_catalog.product(shop_catalog.videos[1])
    hidden.is_public = False
    hidden.save()

    listed = api_client.get(spelled("products", spelling), {"page_size": 100}).json()
    items = listed.get("results", listed)
    listed_pks = {int(re.search(r"/products/(\d+)", item["url"])[1]) for item in items}

    assert shown.pk in listed_pks
    assert hidden.pk not in listed_pks
    for route in ("", "/price", "/availability", "/stockrecords"):
        assert api_client.get(spelled(f"products/{hidden.pk}{route}", spelling)).status_code == 404
        assert api_client.get(spelled(f"products/{shown.pk}{route}", spelling)).status_code == 200
    record = hidden.stockrecords.get().pk
    assert api_client.get(spelled(f"products/{hidden.pk}/stockrecords/{record}", spelling)).status_code == 404
    # oscar-api's own view ignored the product in the path.
    assert api_client.get(spelled(f"products/{shown.pk}/stockrecords/{record}", spelling)).status_code == 404


@pytest.mark.parametrize("spelling", BOTH_SPELLINGS)
@pytest.mark.parametrize(
    "route",
    [
        "orders",
        "useraddresses",
        "countries",
        "options",
        "ranges",
        "categories",
        "basket/shipping-methods",
        "admin/users",
        "admin/products",
    ],
)
def test_oscarapis_other_endpoints_are_not_served(api_client, route, spelling):
    response = api_client.get(spelled(route, spelling))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
