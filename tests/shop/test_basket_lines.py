"""Basket lines through oscar-api: a line's quantity stays 1, and nobody touches another
shopper's basket."""

from __future__ import annotations

import pytest
from oscar.apps.basket.models import Basket

from core.errors import ApiError
from shop.checkout.ordering import order_place
from tests.shop.conftest import basket_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(shop_catalog, customer):
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    return basket.all_lines()[0]


def line_url(line) -> str:
    return f"/api/shop/baskets/{line.basket_id}/lines/{line.pk}/"


@pytest.mark.parametrize("quantity", [2, 0, -1, "x"])
def test_a_lines_quantity_cannot_become_anything_but_one(api_client, customer, line, quantity):
    api_client.force_login(customer)

    response = api_client.patch(line_url(line), {"quantity": quantity}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_quantity"
    line.refresh_from_db()
    assert line.quantity == 1


def test_another_shoppers_basket_line_is_not_found_and_stays(api_client, make_user, line):
    api_client.force_login(make_user("fremd@example.com"))

    for method in ("get", "delete"):
        response = getattr(api_client, method)(line_url(line))
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
    changed = api_client.patch(line_url(line), {"quantity": 1}, content_type="application/json")
    assert changed.status_code == 404
    assert Basket.objects.get(pk=line.basket_id).lines.count() == 1


def test_a_line_with_another_quantity_never_reaches_an_order(customer, line):
    line.quantity = 3
    line.save()
    basket = Basket.objects.get(pk=line.basket_id)
    basket.strategy = basket_for(customer).strategy

    with pytest.raises(ApiError) as error:
        order_place(basket=basket, user=customer, email=customer.email)
    assert error.value.code == "bad_quantity"
