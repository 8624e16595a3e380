"""Two shoppers check out at the same moment with the last use of a code: one order gets the
discount, the other checkout is a clean 409 and leaves nothing half made. Real threads on
PostgreSQL, each with its own connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections
from oscar.apps.basket.models import Basket
from oscar.apps.offer.models import ConditionalOffer
from oscar.apps.order.models import Order
from oscar.apps.voucher.models import Voucher

from core.errors import ApiError
from shop.checkout.ordering import order_place
from tests.shop.conftest import basket_for
from tests.shop.test_vouchers import checkout, make_voucher, priced_basket

pytestmark = pytest.mark.django_db(transaction=True)


def race(*jobs: Callable[[], object]) -> list[tuple[object, float, float]]:
    """Run ``jobs`` in threads released at once; each gives (result or exception, start, end)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index: int, job) -> None:
        try:
            barrier.wait(timeout=30)
            started = time.monotonic()
            try:
                result = job()
            except Exception as error:  # the loser's refusal is the point
                result = error
            outcomes[index] = (result, started, time.monotonic())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def ready_to_pay(user, product, code: str) -> Callable[[], Order]:
    """A shopper's basket with the code on it, priced with the discount as the shopper sees it."""
    basket = basket_for(user, product)
    basket.vouchers.add(Voucher.objects.get(code=code))
    priced_basket(basket, user)
    assert basket.total_discount > 0
    return lambda: order_place(basket=basket, user=user, email=user.email)


def assert_one_winner(outcomes, users) -> tuple[Order, ApiError]:
    orders = [result for result, _, _ in outcomes if isinstance(result, Order)]
    refusals = [result for result, _, _ in outcomes if isinstance(result, ApiError)]
    assert len(orders) == 1 and len(refusals) == 1, outcomes
    _, _, winner_end = next(outcome for outcome in outcomes if isinstance(outcome[0], Order))
    _, loser_start, _ = next(outcome for outcome in outcomes if isinstance(outcome[0], ApiError))
    assert loser_start < winner_end  # they really overlapped
    refusal = refusals[0]
    assert (refusal.code, refusal.status_code) == ("voucher_used", 409)
    loser = next(user for user in users if user.pk != orders[0].user_id)
    assert not Order.objects.filter(user=loser).exists()
    assert Basket.open.get(owner=loser).lines.count() == 1  # still open, still holding the item
    return orders[0], refusal


def test_two_shoppers_racing_for_a_single_use_code_get_one_discount(shop_catalog, make_user):
    make_voucher("UNIKAT", percent="20", usage=Voucher.SINGLE_USE)
    course = shop_catalog.product(shop_catalog.course)
    users = [make_user("anna@example.com"), make_user("ben@example.com")]

    outcomes = race(*(ready_to_pay(user, course, "UNIKAT") for user in users))

    order, _ = assert_one_winner(outcomes, users)
    assert order.total_incl_tax == Decimal("23.20")
    voucher = Voucher.objects.get(code="UNIKAT")
    assert voucher.applications.get().order_id == order.pk
    assert voucher.num_orders == 1


def test_two_shoppers_racing_for_the_last_of_n_uses_get_one_discount(shop_catalog, make_user):
    make_voucher("DREI", percent="10", uses=3)
    course = shop_catalog.product(shop_catalog.course)
    for number in range(2):
        checkout(make_user(f"frueh{number}@example.com"), course, code="DREI")
    users = [make_user("anna@example.com"), make_user("ben@example.com")]

    outcomes = race(*(ready_to_pay(user, course, "DREI") for user in users))

    order, refusal = assert_one_winner(outcomes, users)
    assert order.total_incl_tax == Decimal("26.10")
    assert "3 times" in refusal.message
    offer = ConditionalOffer.objects.get(name="Offer DREI")
    assert (offer.num_applications, offer.num_orders, offer.status) == (3, 3, ConditionalOffer.CONSUMED)
    assert Order.objects.filter(discounts__voucher_code="DREI").count() == 3
