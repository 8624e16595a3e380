"""The facts behind an order's state, and refunds asked for by staff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscar.apps.order.models import Order
from oscar.apps.voucher.models import VoucherApplication

import stripe_fakes
from core.errors import ApiError
from shop.access.selectors import may_watch
from shop.checkout.services import checkout_start
from shop.models import Checkout
from shop.payments import services as payments
from shop.statuses import LineStatus, OrderStatus
from stripe_fakes import event, refund_object, session_object
from tests.shop import test_webhook
from tests.shop.conftest import basket_for
from tests.shop.test_webhook import completed, pay, single_use_code

stripe_keys, stripe_api, deliver, sent = (  # fixtures
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    stripe_fakes.deliver,
    stripe_fakes.sent,
)
start_checkout = test_webhook.start_checkout  # fixture

pytestmark = pytest.mark.django_db


def test_a_payment_reported_after_the_checkout_lapsed_still_counts(
    shop_catalog, customer, start_checkout, deliver, sent
):
    voucher = single_use_code()
    video = shop_catalog.product(shop_catalog.videos[0])
    basket_for(customer).vouchers.add(voucher)
    checkout = start_checkout(customer, video)
    deliver(
        event("checkout.session.expired", session_object(checkout, status="expired", payment_status="unpaid"))
    )
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.CANCELLED

    deliver(completed(checkout))

    order = Order.objects.get(pk=checkout.order_id)
    assert order.status == OrderStatus.PAID
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.PAID}
    assert may_watch(customer, shop_catalog.videos[0])
    assert VoucherApplication.objects.filter(voucher=voucher, order=order).exists()  # the code is taken again
    assert not Basket.open.get(owner=customer).lines.exists()  # what was bought left the basket
    assert len(sent["order_paid"]) == 1


def test_staff_can_refund_only_paid_lines_of_the_order(
    shop_catalog, customer, make_user, start_checkout, deliver
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    other = pay(
        deliver, start_checkout(make_user("b@example.com"), shop_catalog.product(shop_catalog.videos[1]))
    )
    order, line = checkout.order, checkout.order.lines.get()

    with pytest.raises(ApiError) as foreign:
        payments.refund_lines(order=order, line_ids=[other.order.lines.get().pk], reason="?")
    assert (foreign.value.status_code, foreign.value.code) == (400, "unknown_line")

    pending = start_checkout(customer, shop_catalog.product(shop_catalog.videos[2]))
    with pytest.raises(ApiError) as unpaid:
        payments.refund_lines(order=pending.order, line_ids=[pending.order.lines.get().pk], reason="?")
    assert unpaid.value.code == "order_not_paid"

    payments.refund_recorded(
        checkout=checkout, amount_refunded_total=Decimal("9.00"), refunded_line_ids=[line.pk]
    )
    with pytest.raises(ApiError) as twice:
        payments.refund_lines(order=Order.objects.get(pk=order.pk), line_ids=[line.pk], reason="again")
    assert (twice.value.status_code, twice.value.code) == (409, "already_refunded")


def test_a_refund_stripe_refuses_changes_nothing(shop_catalog, customer, start_checkout, stripe_api, deliver):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    stripe_api.on(
        "POST",
        "/v1/refunds",
        {"error": {"type": "invalid_request_error", "message": "Charge has already been refunded."}},
        status=400,
    )

    with pytest.raises(ApiError) as refused:
        payments.refund_lines(order=checkout.order, line_ids=[checkout.order.lines.get().pk], reason="?")

    assert (refused.value.status_code, refused.value.code) == (409, "refund_refused")
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID


def test_a_locally_paid_order_is_refunded_at_once(shop_catalog, customer, settings, sent):
    settings.DEBUG, settings.STRIPE_SECRET_KEY = True, ""
    state = checkout_start(
        user=customer, basket=basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    )
    checkout = Checkout.objects.get(order__number=state.order_number)
    payments.payment_succeeded(checkout=checkout, amount=Decimal("9.00"), at=timezone.now())

    payments.refund_lines(order=checkout.order, line_ids=[checkout.order.lines.get().pk], reason="Test")

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.REFUNDED
    assert not may_watch(customer, shop_catalog.videos[0])
    assert [kwargs["amount"] for kwargs in sent["order_refunded"]] == [Decimal("9.00")]


def test_reporting_the_same_facts_again_changes_nothing(
    shop_catalog, customer, start_checkout, deliver, sent
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    line = checkout.order.lines.get()

    for _ in range(2):
        payments.payment_succeeded(checkout=checkout, amount=Decimal("9.00"), at=timezone.now())
        payments.refund_recorded(
            checkout=checkout, amount_refunded_total=Decimal("9.00"), refunded_line_ids=[line.pk]
        )
        payments.refund_recorded(
            checkout=checkout, amount_refunded_total=Decimal("4.00"), refunded_line_ids=[]
        )
        payments.checkout_expired(checkout=checkout, at=timezone.now())

    checkout.refresh_from_db()
    assert (checkout.amount_refunded, checkout.amount_refund_applied) == (Decimal("9.00"), Decimal("9.00"))
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.REFUNDED
    assert (len(sent["order_paid"]), len(sent["order_refunded"]), len(sent["order_cancelled"])) == (1, 1, 0)


def test_stripe_refund_metadata_names_order_and_lines(
    shop_catalog, customer, start_checkout, stripe_api, deliver
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_1", amount=900))
    line = checkout.order.lines.get()

    payments.refund_lines(order=checkout.order, line_ids=[line.pk], reason="Kundin hat sich vertan")

    sent_form = stripe_fakes.form(stripe_api.calls_to("POST", "/v1/refunds")[0].request)
    assert sent_form["metadata[reason]"] == "Kundin hat sich vertan"
    assert sent_form["reason"] == "requested_by_customer"
