"""Stripe sends one event several times at once: the order is paid once."""

from __future__ import annotations

import json
import threading

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from freezegun import freeze_time
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source, Transaction

import stripe_fakes
from shop.checkout.services import checkout_start
from shop.models import Checkout, Grant, Invoice, StripeEvent
from shop.statuses import OrderStatus
from stripe_fakes import event, session_object, signature
from tests.shop.conftest import basket_for

stripe_api, stripe_keys, sent = (
    stripe_fakes.stripe_api,
    stripe_fakes.stripe_keys,
    stripe_fakes.sent,
)  # fixtures

DELIVERIES = 10


@pytest.mark.django_db(transaction=True)
@freeze_time("2026-11-22 10:00:00", tick=True)
def test_ten_deliveries_of_one_event_at_once_pay_the_order_once(shop_catalog, customer, stripe_api, sent):
    stripe_api.sessions_create()
    basket = basket_for(customer, shop_catalog.product(shop_catalog.course))
    state = checkout_start(user=customer, basket=basket)
    checkout = Checkout.objects.get(order__number=state.order_number)
    body = json.dumps(event("checkout.session.completed", session_object(checkout))).encode()
    header = signature(body)
    start = threading.Barrier(DELIVERIES)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            response = Client().post(
                "/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
            )
            statuses.append(response.status_code)
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [200] * DELIVERIES
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().processed_at is not None
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert len(sent["order_paid"]) == 1
    assert Grant.objects.filter(user=customer).count() == 1
    assert Source.objects.filter(order_id=checkout.order_id).count() == 1
    assert Transaction.objects.filter(source__order_id=checkout.order_id).count() == 1
    # What the shopper and the accountant see: one confirmation, one invoice number.
    assert [message.to for message in mail.outbox] == [[customer.email]]
    assert list(Invoice.objects.values_list("number", flat=True)) == ["RE-2026-000001"]
