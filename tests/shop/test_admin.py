"""Staff look into payments in the Django admin, and can process a stuck Stripe event again."""

from __future__ import annotations

import pytest

import stripe_fakes
from shop.models import StripeEvent
from stripe_fakes import event, session_object

stripe_keys, stripe_api = stripe_fakes.stripe_keys, stripe_fakes.stripe_api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["stripeevent", "checkout", "grant", "invoice"])
def test_the_shops_records_open_read_only(staff_client, buy, shop_catalog, customer, model):
    buy(customer, shop_catalog.course)

    assert staff_client.get(f"/django-admin/shop/{model}/").status_code == 200
    assert staff_client.get(f"/django-admin/shop/{model}/add/").status_code == 403


def test_a_stuck_event_is_processed_again_by_staff(
    staff_client, stripe_keys, shop_catalog, customer, place_order, django_capture_on_commit_callbacks
):
    from shop.models import Checkout

    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))
    checkout = Checkout.objects.create(
        order=order, user=customer, provider=Checkout.Provider.STRIPE, stripe_session_id="cs_test_stuck"
    )
    payload = event("checkout.session.completed", session_object(checkout))
    StripeEvent.objects.create(
        id=payload["id"], type=payload["type"], created="2026-11-22T10:00:00Z", payload=payload, attempts=10
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/django-admin/shop/stripeevent/",
            {"action": "process_again", "_selected_action": [payload["id"]]},
        )

    assert response.status_code == 302
    assert StripeEvent.objects.get(pk=payload["id"]).processed_at is not None
    order.refresh_from_db()
    assert order.status == "paid"
