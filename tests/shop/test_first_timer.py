"""The first-timer offer: a discount on a shopper's first paid order only, never on two orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from oscar.apps.basket.models import Basket
from oscar.apps.dashboard.offers.forms import ConditionForm
from oscar.apps.offer.models import Benefit, ConditionalOffer, Range
from oscar.apps.order.models import Order
from oscar.core.loading import get_class

from core.errors import ApiError
from shop.checkout.ordering import order_place
from shop.offers import first_purchase_condition, first_timer_eligible, has_paid_order
from shop.statuses import OrderStatus
from tests.shop.conftest import basket_for
from tests.shop.test_voucher_race import race
from tests.shop.test_vouchers import checkout, priced_basket

pytestmark = pytest.mark.django_db

Selector = get_class("partner.strategy", "Selector")


def make_first_timer_offer() -> ConditionalOffer:
    """As staff make it in the dashboard: a site offer, custom condition "first purchase", 10 % off."""
    everything = Range.objects.create(name="Alles", includes_all_products=True)
    return ConditionalOffer.objects.create(
        name="Erstkauf: 10 % auf alles",
        offer_type=ConditionalOffer.SITE,
        condition=first_purchase_condition(),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=Decimal("10")),
        max_basket_applications=1,
    )


@pytest.fixture
def first_timer_offer(db) -> ConditionalOffer:
    return make_first_timer_offer()


def second_basket(user, *products) -> Basket:
    """Another open basket of the same shopper (Oscar allows it; the checkout must cope), priced."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in products:
        basket.add_product(product)
    return priced_basket(basket, user)


def pay(order: Order) -> Order:
    order.set_status(OrderStatus.PAID)
    return order


def test_a_first_order_gets_the_discount_and_the_next_one_after_payment_does_not(
    shop_catalog, first_timer_offer, customer
):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[0])

    first = checkout(customer, course)
    assert first.total_incl_tax == Decimal("26.10")
    assert first.discounts.get().offer_id == first_timer_offer.pk
    pay(first)

    second = checkout(customer, video)
    assert second.total_incl_tax == Decimal("9.00")
    assert not second.discounts.exists()


def test_a_refunded_first_order_still_counts_as_paid(shop_catalog, first_timer_offer, customer):
    first = pay(checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    first.set_status(OrderStatus.REFUNDED)

    assert has_paid_order(customer)
    assert checkout(customer, shop_catalog.product(shop_catalog.videos[1])).total_incl_tax == Decimal("12.00")


def test_a_cancelled_first_order_does_not_count(shop_catalog, first_timer_offer, customer):
    first = checkout(customer, shop_catalog.product(shop_catalog.videos[0]))
    assert not first_timer_eligible(customer)  # the unpaid order holds the discount...
    first.set_status(OrderStatus.CANCELLED)

    assert first_timer_eligible(customer)  # ...until it is cancelled
    assert checkout(customer, shop_catalog.product(shop_catalog.videos[1])).total_incl_tax == Decimal("10.80")


def test_an_unpaid_order_with_the_discount_keeps_it_from_the_next_basket(
    shop_catalog, first_timer_offer, customer
):
    checkout(customer, shop_catalog.product(shop_catalog.videos[0]))  # waiting for payment

    basket = priced_basket(basket_for(customer, shop_catalog.product(shop_catalog.videos[1])), customer)

    assert basket.total_incl_tax == Decimal("12.00")


def test_a_basket_priced_before_the_first_order_cannot_take_the_discount_a_second_time(
    shop_catalog, first_timer_offer, customer
):
    """Two baskets of one shopper both priced with the discount (two devices, say): the second
    checkout is refused with nothing made, and the shopper sees the basket at its new price."""
    first = priced_basket(basket_for(customer, shop_catalog.product(shop_catalog.videos[0])), customer)
    stale = second_basket(customer, shop_catalog.product(shop_catalog.videos[1]))
    assert (first.total_incl_tax, stale.total_incl_tax) == (Decimal("8.10"), Decimal("10.80"))
    order_place(basket=first, user=customer, email=customer.email)

    with pytest.raises(ApiError) as error:
        order_place(basket=stale, user=customer, email=customer.email)

    assert (error.value.code, error.value.status_code) == ("first_timer_used", 409)
    assert Basket.objects.get(pk=stale.pk).status == Basket.OPEN
    assert Order.objects.filter(user=customer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_of_a_first_timer_at_once_carry_the_discount_once(
    shop_catalog, first_timer_offer, customer
):
    """The same on two devices at the same moment: real threads, each with its own connection."""
    phone = priced_basket(basket_for(customer, shop_catalog.product(shop_catalog.videos[0])), customer)
    laptop = second_basket(customer, shop_catalog.product(shop_catalog.videos[1]))
    assert (phone.total_incl_tax, laptop.total_incl_tax) == (Decimal("8.10"), Decimal("10.80"))

    outcomes = race(
        *(
            lambda basket=basket: order_place(basket=basket, user=customer, email=customer.email)
            for basket in (phone, laptop)
        )
    )

    orders = [result for result, _, _ in outcomes if isinstance(result, Order)]
    refusals = [result for result, _, _ in outcomes if isinstance(result, ApiError)]
    assert len(orders) == 1 and len(refusals) == 1, outcomes
    assert (refusals[0].code, refusals[0].status_code) == ("first_timer_used", 409)
    assert orders[0].discounts.get().offer_id == first_timer_offer.pk
    assert Order.objects.filter(user=customer).count() == 1
    lost = laptop if orders[0].basket_id == phone.pk else phone
    assert Basket.objects.get(pk=lost.pk).status == Basket.OPEN


def test_an_anonymous_basket_gets_the_discount_once_its_visitor_logs_in(
    shop_catalog, first_timer_offer, customer, client
):
    basket = Basket.objects.create()
    basket.strategy = basket_for(customer).strategy
    basket.add_product(shop_catalog.product(shop_catalog.course))
    session = client.session
    session[settings.OSCAR_BASKET_COOKIE_OPEN] = basket.pk
    session.save()

    anonymous = client.get("/api/shop/basket/").json()
    client.force_login(customer)
    logged_in = client.get("/api/shop/basket/").json()

    assert anonymous["total_incl_tax"] == "29.00"
    assert logged_in["total_incl_tax"] == "26.10"
    assert logged_in["offer_discounts"][0]["name"] == "Erstkauf: 10 % auf alles"


def test_has_paid_order_can_ask_about_one_product_class(shop_catalog, customer):
    pay(checkout(customer, shop_catalog.product(shop_catalog.videos[0])))

    assert has_paid_order(customer)
    assert has_paid_order(customer, product_class="video")
    assert not has_paid_order(customer, product_class="course")
    assert not has_paid_order(None)


def test_staff_can_choose_the_first_purchase_condition_in_the_offer_wizard(db):
    condition = first_purchase_condition()

    choices = dict(ConditionForm().fields["custom_condition"].choices)

    assert choices[condition.pk] == "First purchase: the shopper has no paid order yet"
    assert first_purchase_condition() == condition  # one row, shared by all first-timer offers
