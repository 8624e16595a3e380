"""From basket to order: prices are gross with German VAT inside, split per line after discounts;
an order that will not be paid gives its basket back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from oscar.apps.basket.models import Basket

from core.errors import ApiError
from shop.checkout.ordering import basket_give_back, order_place
from shop.statuses import OrderStatus
from shop.vat import gross_split
from tests.shop.conftest import basket_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("gross", "net", "vat"),
    [
        ("9.00", "7.56", "1.44"),
        ("19.99", "16.80", "3.19"),
        ("0.01", "0.01", "0.00"),
        ("100.00", "84.03", "15.97"),
        ("0.00", "0.00", "0.00"),
    ],
)
def test_gross_prices_split_into_net_and_the_vat_they_contain(gross, net, vat):
    split = gross_split(Decimal(gross))
    assert (split.net, split.vat) == (Decimal(net), Decimal(vat))
    assert split.net + split.vat == Decimal(gross)


def test_the_basket_shows_the_editors_price_as_the_gross_price(shop_catalog, customer):
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[2]))

    line = basket.all_lines()[0]
    assert line.unit_price_incl_tax == Decimal("19.99")
    assert line.unit_price_excl_tax == Decimal("16.80")
    assert basket.total_incl_tax == Decimal("19.99")


def test_an_order_is_placed_unpaid_with_vat_stored_on_every_line(shop_catalog, customer):
    video, course = shop_catalog.product(shop_catalog.videos[2]), shop_catalog.product(shop_catalog.course)
    basket = basket_for(customer, video, course)

    order = order_place(basket=basket, user=customer, email=customer.email)

    assert order.status == OrderStatus.PENDING
    lines = {line.upc: line for line in order.lines.all()}
    assert {upc: (line.line_price_incl_tax, line.line_price_excl_tax) for upc, line in lines.items()} == {
        video.upc: (Decimal("19.99"), Decimal("16.80")),
        course.upc: (Decimal("29.00"), Decimal("24.37")),
    }
    assert order.total_incl_tax == Decimal("48.99")
    assert order.total_excl_tax == Decimal("41.17")  # the sum of the lines' net amounts
    assert order.currency == "EUR"
    assert Basket.objects.get(pk=basket.pk).status == Basket.FROZEN


def test_a_frozen_or_empty_basket_places_no_order(shop_catalog, customer):
    basket = basket_for(customer)
    with pytest.raises(ApiError) as empty:
        order_place(basket=basket, user=customer, email=customer.email)
    assert empty.value.code == "basket_empty"

    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    order_place(basket=basket, user=customer, email=customer.email)
    with pytest.raises(ApiError) as frozen:
        order_place(basket=basket, user=customer, email=customer.email)
    assert frozen.value.code == "basket_frozen"


def test_an_item_taken_off_sale_stops_the_checkout(shop_catalog, customer):
    product = shop_catalog.product(shop_catalog.videos[0])
    basket = basket_for(customer, product)
    product.is_public = False
    product.save()

    with pytest.raises(ApiError) as error:
        order_place(basket=basket_for(customer), user=customer, email=customer.email)
    assert error.value.code == "item_unavailable"
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN


def test_an_unpaid_order_gives_its_lines_back_to_the_shoppers_basket(shop_catalog, customer, place_order):
    video = shop_catalog.product(shop_catalog.videos[0])
    order = place_order(customer, video)
    basket_for(customer, shop_catalog.product(shop_catalog.videos[1]))  # chosen meanwhile

    basket = basket_give_back(order=order)
    again = basket_give_back(order=order)

    assert again.pk == basket.pk
    assert sorted(basket.lines.values_list("product__upc", flat=True)) == sorted(
        [video.upc, shop_catalog.product(shop_catalog.videos[1]).upc]
    )
    assert Basket.objects.get(pk=order.basket_id).status == Basket.SUBMITTED


def test_a_basket_checked_out_again_gets_a_new_order_number(shop_catalog, customer, place_order):
    first = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))
    basket = basket_give_back(order=first)
    basket.strategy = basket_for(customer).strategy

    second = order_place(basket=basket, user=customer, email=customer.email)

    assert second.number != first.number
