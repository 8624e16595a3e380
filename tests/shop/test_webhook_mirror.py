"""dj-stripe's mirror gets every event (the subscription issue reads it), apart from order
processing: when it fails, the order is paid all the same."""

from __future__ import annotations

import pytest
from djstripe.models import Event as MirroredEvent
from djstripe.models import PaymentIntent as MirroredPaymentIntent
from djstripe.models import Session as MirroredSession
from oscar.apps.order.models import Order

import stripe_fakes
from shop.checkout.services import checkout_start
from shop.models import Checkout, StripeEvent
from shop.statuses import OrderStatus
from stripe_fakes import event, session_object, stripe_object
from tests.shop.conftest import basket_for

stripe_keys, stripe_api, deliver = (
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    stripe_fakes.deliver,
)  # fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout(shop_catalog, customer, stripe_api) -> Checkout:
    stripe_api.sessions_create()
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    state = checkout_start(user=customer, basket=basket)
    return Checkout.objects.select_related("order").get(order__number=state.order_number)


def test_each_event_is_mirrored_by_dj_stripe_as_well(checkout, stripe_api, deliver):
    session = session_object(checkout, payment_intent="pi_mirrored", customer=None)
    # What dj-stripe asks Stripe while mirroring: the account the key belongs to, the object again.
    stripe_api.on("GET", "/v1/account", stripe_object("account", id="acct_test_phialo"))
    stripe_api.on("GET", f"/v1/checkout/sessions/{session['id']}", session)
    stripe_api.on(
        "GET",
        "/v1/payment_intents/pi_mirrored",
        stripe_object("payment_intent", id="pi_mirrored", customer=None, payment_method=None, amount=900),
    )
    payload = event("checkout.session.completed", session)

    deliver(payload, mirror=True)

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert MirroredEvent.objects.filter(id=payload["id"], type="checkout.session.completed").exists()
    assert MirroredSession.objects.filter(id=session["id"]).exists()
    assert MirroredPaymentIntent.objects.get(id="pi_mirrored").stripe_data["amount"] == 900


def test_the_order_is_paid_even_when_the_mirror_cannot_reach_stripe(checkout, stripe_api, deliver):
    payload = event("checkout.session.completed", session_object(checkout))

    with pytest.raises(Exception, match="Connection refused"):  # logged, never shown to Stripe
        deliver(payload, mirror=True)

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert StripeEvent.objects.get(pk=payload["id"]).processed_at is not None
    assert not MirroredEvent.objects.filter(id=payload["id"]).exists()
