"""POST /stripe/webhook/: what Stripe reports becomes the order's state, exactly once, in any order.

Events are built from Stripe's fixtures, signed like Stripe signs them and processed the way the
worker does after the webhook's commit (``stripe_fakes.deliver``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time
from oscar.apps.basket.models import Basket
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source
from oscar.apps.voucher.models import Voucher

import stripe_fakes
from shop.access.selectors import may_watch
from shop.checkout.services import checkout_start
from shop.models import Checkout, Grant, StripeEvent
from shop.payments.services import refund_lines
from shop.payments.tasks import stripe_events_requeue
from shop.statuses import LineStatus, OrderStatus
from stripe_fakes import (
    WEBHOOK_SECRET,
    charge_object,
    event,
    form,
    post_event,
    refund_object,
    session_object,
)
from tests.shop.conftest import basket_for

stripe_keys, stripe_api, deliver, sent = (  # fixtures
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    stripe_fakes.deliver,
    stripe_fakes.sent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def start_checkout(stripe_api):
    """A Stripe checkout of ``products`` for ``user``: the order placed, the session made."""
    stripe_api.sessions_create()

    def start(user, *products) -> Checkout:
        basket = basket_for(user, *products)
        Applicator().apply(basket, user)
        state = checkout_start(user=user, basket=basket)
        return Checkout.objects.select_related("order").get(order__number=state.order_number)

    return start


def completed(checkout: Checkout, *, created: int | None = None, **session) -> dict:
    return event("checkout.session.completed", session_object(checkout, **session), created=created)


def pay(deliver, checkout: Checkout) -> Checkout:
    assert deliver(completed(checkout)).status_code == 200
    checkout.refresh_from_db()
    return checkout


def cents(amount: Decimal) -> int:
    return int(amount * 100)


# ---- Paying ------------------------------------------------------------------------------------


def test_a_paid_session_pays_the_order_and_grants_access_in_both_languages_once(
    shop_catalog, customer, start_checkout, deliver, sent
):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    checkout = start_checkout(customer, course, video)
    assert not may_watch(customer, shop_catalog.english_video)
    payload = completed(checkout, payment_intent="pi_paid_once", created=1_780_000_000)

    response = deliver(payload)

    assert response.status_code == 200
    assert response.json() == {"received": True, "id": payload["id"]}
    order = Order.objects.get(pk=checkout.order_id)
    assert order.status == OrderStatus.PAID
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.PAID}
    checkout.refresh_from_db()
    assert (checkout.amount_paid, checkout.stripe_payment_intent_id) == (Decimal("48.99"), "pi_paid_once")
    assert checkout.paid_at.timestamp() == 1_780_000_000
    grants = Grant.objects.filter(user=customer, status=Grant.Status.ACTIVE)
    assert sorted(str(key) for key in grants.values_list("item_key", flat=True)) == sorted(
        [course.upc, video.upc]
    )
    # The course's lessons in German and English, and the video bought alone.
    for page in (
        shop_catalog.videos[0],
        shop_catalog.english_video,
        shop_catalog.videos[1],
        shop_catalog.videos[2],
    ):
        assert may_watch(customer, page)
    assert [kwargs["order"].pk for kwargs in sent["order_paid"]] == [order.pk]
    source = Source.objects.get(order=order)
    assert (source.amount_debited, source.reference) == (Decimal("48.99"), "pi_paid_once")
    assert StripeEvent.objects.get(pk=payload["id"]).processed_at is not None

    # Stripe delivers it again, and sends the async success as well: nothing more happens.
    assert deliver(payload).status_code == 200
    deliver(event("checkout.session.async_payment_succeeded", session_object(checkout)))
    assert len(sent["order_paid"]) == 1
    assert Grant.objects.filter(user=customer).count() == 2
    assert StripeEvent.objects.filter(pk=payload["id"]).count() == 1


@pytest.mark.parametrize(
    ("sign", "code"),
    [
        ({"secret": "whsec_someone_else"}, "invalid_signature"),
        ({"timestamp_offset": -301}, "invalid_signature"),
    ],
    ids=["bad signature", "older than 300 s"],
)
def test_an_event_stripe_did_not_sign_just_now_is_refused_and_nothing_is_stored(
    shop_catalog, customer, start_checkout, api_client, sign, code
):
    checkout = start_checkout(customer, shop_catalog.product(shop_catalog.videos[0]))
    if "timestamp_offset" in sign:
        sign = {"timestamp": int(timezone.now().timestamp()) + sign.pop("timestamp_offset")}

    response = post_event(api_client, completed(checkout), **sign)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not StripeEvent.objects.exists()
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PENDING


def test_a_signed_body_that_is_not_an_event_is_refused(api_client, stripe_keys, db):
    response = post_event(api_client, {"hello": "world"}, secret=WEBHOOK_SECRET)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"
    assert not StripeEvent.objects.exists()


def test_an_unknown_event_type_is_stored_and_marked_processed(deliver, stripe_keys, db):
    payload = event("customer.created", stripe_fakes.stripe_object("customer"))
    assert deliver(payload).status_code == 200
    assert StripeEvent.objects.get(pk=payload["id"]).processed_at is not None


def test_a_bank_debit_waits_for_its_outcome(shop_catalog, customer, start_checkout, deliver, sent):
    checkout = start_checkout(customer, shop_catalog.product(shop_catalog.videos[0]))

    deliver(completed(checkout, payment_status="unpaid"))
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PENDING

    deliver(event("checkout.session.async_payment_succeeded", session_object(checkout)))
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert len(sent["order_paid"]) == 1


def test_webhook_to_paid_stays_within_its_query_budget(
    shop_catalog, customer, start_checkout, deliver, django_assert_max_num_queries
):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    checkout = start_checkout(customer, course, video)

    # The request and the processing (savepoints included); mail and invoice run later in Celery.
    with django_assert_max_num_queries(40):
        deliver(completed(checkout))

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID


# ---- Not paying --------------------------------------------------------------------------------


def single_use_code(code: str = "EINMAL10") -> Voucher:
    everything = Range.objects.create(name="Alles", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name=f"Code {code}",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    now = timezone.now()
    voucher = Voucher.objects.create(
        name=code,
        code=code,
        usage=Voucher.SINGLE_USE,
        start_datetime=now - timedelta(days=1),
        end_datetime=now + timedelta(days=30),
    )
    voucher.offers.add(offer)
    return voucher


@pytest.mark.parametrize("event_type", ["checkout.session.async_payment_failed", "checkout.session.expired"])
def test_an_unpaid_checkout_cancels_the_order_gives_the_basket_back_and_frees_the_code(
    shop_catalog, customer, make_user, start_checkout, deliver, sent, event_type
):
    voucher = single_use_code()
    video = shop_catalog.product(shop_catalog.videos[0])
    basket_for(customer).vouchers.add(voucher)
    checkout = start_checkout(customer, video)
    assert checkout.order.total_incl_tax == Decimal("8.10")
    assert not voucher.is_available_to_user(make_user("andere@example.com"))[0]

    deliver(event(event_type, session_object(checkout, status="expired", payment_status="unpaid")))

    order = Order.objects.get(pk=checkout.order_id)
    assert order.status == OrderStatus.CANCELLED
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.CANCELLED}
    basket = Basket.open.get(owner=customer)
    assert list(basket.lines.values_list("product_id", flat=True)) == [video.pk]
    assert list(basket.vouchers.all()) == [voucher]
    voucher.refresh_from_db()
    assert voucher.num_orders == 0
    assert voucher.is_available_to_user(make_user("dritte@example.com"))[0]
    assert not Grant.objects.exists()
    assert [kwargs["order"].pk for kwargs in sent["order_cancelled"]] == [order.pk]
    assert sent["order_paid"] == []


def test_an_expiry_reported_after_the_payment_changes_nothing(
    shop_catalog, customer, start_checkout, deliver, sent
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))

    deliver(event("checkout.session.expired", session_object(checkout, status="expired")))

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert sent["order_cancelled"] == []
    assert not Basket.open.filter(owner=customer, lines__isnull=False).exists()
    assert may_watch(customer, shop_catalog.videos[0])


# ---- Refunds -----------------------------------------------------------------------------------


def test_a_refund_reported_before_the_payment_is_applied_when_the_payment_arrives(
    shop_catalog, customer, start_checkout, stripe_api, deliver, sent
):
    checkout = start_checkout(customer, shop_catalog.product(shop_catalog.videos[0]))
    charge = charge_object(payment_intent="pi_early_refund", amount=900, amount_refunded=900)
    stripe_api.refunds_list(refund_object(charge=charge["id"], amount=900))  # made in the dashboard
    stripe_api.on(
        "GET",
        "/v1/payment_intents/pi_early_refund",
        stripe_fakes.stripe_object(
            "payment_intent", id="pi_early_refund", metadata={"order_number": checkout.order.number}
        ),
    )

    deliver(event("charge.refunded", charge))
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PENDING
    deliver(completed(checkout, payment_intent="pi_early_refund"))

    order = Order.objects.get(pk=checkout.order_id)
    assert order.status == OrderStatus.REFUNDED
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.REFUNDED}
    assert not may_watch(customer, shop_catalog.videos[0])
    assert len(sent["order_paid"]) == 1
    (refunded,) = sent["order_refunded"]
    assert (refunded["amount"], refunded["line_ids"]) == (Decimal("9.00"), [order.lines.get().pk])


@freeze_time("2026-06-01 12:00:00")
def test_refunding_one_line_of_two_revokes_only_that_lines_access(
    shop_catalog, customer, start_checkout, stripe_api, deliver, sent
):
    first, third = shop_catalog.product(shop_catalog.videos[0]), shop_catalog.product(shop_catalog.videos[2])
    checkout = pay(deliver, start_checkout(customer, first, third))
    order = checkout.order
    line = order.lines.get(product=first)
    stripe_api.on("POST", "/v1/refunds", refund_object(charge="ch_x", amount=900))

    refund_lines(order=order, line_ids=[line.pk], reason="Falsches Video gekauft")

    (call,) = stripe_api.calls_to("POST", "/v1/refunds")
    asked = form(call.request)
    assert (asked["payment_intent"], asked["amount"]) == (checkout.stripe_payment_intent_id, "900")
    assert (asked["metadata[order_number]"], asked["metadata[line_ids]"]) == (order.number, str(line.pk))
    assert call.request.headers["Idempotency-Key"] == f"refund-{order.number}-{line.pk}"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID  # until Stripe reports it

    charge = charge_object(payment_intent=checkout.stripe_payment_intent_id, amount=2899, amount_refunded=900)
    stripe_api.refunds_list(
        refund_object(
            charge=charge["id"], amount=900, metadata={"order_number": order.number, "line_ids": str(line.pk)}
        )
    )
    deliver(event("charge.refunded", charge))

    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert dict(order.lines.values_list("product_id", "status")) == {
        first.pk: LineStatus.REFUNDED,
        third.pk: LineStatus.PAID,
    }
    assert not may_watch(customer, shop_catalog.videos[0])
    assert may_watch(customer, shop_catalog.videos[2])
    (refunded,) = sent["order_refunded"]
    assert (refunded["amount"], refunded["line_ids"]) == (Decimal("9.00"), [line.pk])
    assert Source.objects.get(order=order).amount_refunded == Decimal("9.00")

    deliver(event("charge.refunded", charge))  # the same refund reported again
    assert len(sent["order_refunded"]) == 1


def test_a_bundle_refund_keeps_a_video_bought_on_its_own(
    shop_catalog, customer, start_checkout, stripe_api, deliver
):
    alone = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[2])))
    bundle = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.bundle)))
    assert alone.order_id != bundle.order_id
    charge = charge_object(payment_intent=bundle.stripe_payment_intent_id, amount=3900, amount_refunded=3900)
    stripe_api.refunds_list(
        refund_object(charge=charge["id"], amount=3900)
    )  # the whole amount, in the dashboard

    deliver(event("charge.refunded", charge))

    assert Order.objects.get(pk=bundle.order_id).status == OrderStatus.REFUNDED
    assert Order.objects.get(pk=alone.order_id).status == OrderStatus.PAID
    assert may_watch(customer, shop_catalog.videos[2])  # bought on its own as well
    assert not may_watch(customer, shop_catalog.videos[0])  # only in the bundle's course
    assert not may_watch(customer, shop_catalog.english_video)


def test_a_partial_refund_in_the_dashboard_gives_money_back_but_keeps_access(
    shop_catalog, customer, start_checkout, stripe_api, deliver, sent
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[1])))
    charge = charge_object(payment_intent=checkout.stripe_payment_intent_id, amount=1200, amount_refunded=200)
    stripe_api.refunds_list(refund_object(charge=charge["id"], amount=200))

    deliver(event("charge.refunded", charge))

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PARTIALLY_REFUNDED
    assert may_watch(customer, shop_catalog.videos[1])
    (refunded,) = sent["order_refunded"]
    assert (refunded["amount"], refunded["line_ids"]) == (Decimal("2.00"), [])


# ---- Disputes ----------------------------------------------------------------------------------


def dispute_event(event_type: str, checkout: Checkout, status: str, dispute_id: str = "dp_test_1") -> dict:
    dispute = stripe_fakes.stripe_object(
        "dispute",
        id=dispute_id,
        status=status,
        payment_intent=checkout.stripe_payment_intent_id,
        amount=cents(checkout.amount_paid),
        currency="eur",
    )
    return event(event_type, dispute)


def test_a_dispute_suspends_access_until_it_is_won(shop_catalog, customer, start_checkout, deliver, sent):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.course)))

    deliver(dispute_event("charge.dispute.created", checkout, "needs_response"))
    assert not may_watch(customer, shop_catalog.videos[0])
    assert set(Grant.objects.values_list("status", flat=True)) == {Grant.Status.SUSPENDED}
    assert [kwargs["status"] for kwargs in sent["order_disputed"]] == ["needs_response"]

    closed = dispute_event("charge.dispute.closed", checkout, "won")
    late = dispute_event("charge.dispute.updated", checkout, "under_review")
    deliver(closed)
    deliver(late)  # delivered after the closing event: a closed dispute stays closed

    assert may_watch(customer, shop_catalog.videos[0])
    assert set(Grant.objects.values_list("status", flat=True)) == {Grant.Status.ACTIVE}
    assert [kwargs["status"] for kwargs in sent["order_disputed"]] == ["needs_response", "won"]
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID


def test_a_lost_dispute_counts_as_a_full_refund(shop_catalog, customer, start_checkout, deliver, sent):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))

    deliver(dispute_event("charge.dispute.created", checkout, "needs_response"))
    deliver(dispute_event("charge.dispute.closed", checkout, "lost"))

    order = Order.objects.get(pk=checkout.order_id)
    assert order.status == OrderStatus.REFUNDED
    assert set(Grant.objects.values_list("status", flat=True)) == {Grant.Status.REVOKED}
    (refunded,) = sent["order_refunded"]
    assert refunded["amount"] == Decimal("9.00")


# ---- When processing does not happen at once ---------------------------------------------------


def test_an_event_whose_task_was_lost_is_processed_by_the_beat_task(
    shop_catalog, customer, start_checkout, api_client, sent, settings
):
    assert settings.CELERY_BEAT_SCHEDULE["shop-stripe-events-requeue"]["task"] == stripe_events_requeue.name
    checkout = start_checkout(customer, shop_catalog.product(shop_catalog.videos[0]))
    payload = completed(checkout)
    assert post_event(api_client, payload).status_code == 200  # stored; its task never ran

    assert stripe_events_requeue() == 0  # too fresh: its own task may still be on the way
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert stripe_events_requeue() == 1

    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID
    assert StripeEvent.objects.get(pk=payload["id"]).processed_at is not None
    assert len(sent["order_paid"]) == 1


def test_a_failing_event_keeps_its_error_and_is_tried_again(
    shop_catalog, customer, start_checkout, stripe_api, deliver
):
    checkout = pay(deliver, start_checkout(customer, shop_catalog.product(shop_catalog.videos[0])))
    charge = charge_object(payment_intent=checkout.stripe_payment_intent_id, amount=900, amount_refunded=900)
    payload = event("charge.refunded", charge)  # Stripe's refund list cannot be read at first

    with pytest.raises(Exception, match="Connection refused"):
        deliver(payload)
    stored = StripeEvent.objects.get(pk=payload["id"])
    assert (stored.processed_at, stored.attempts) == (None, 1)
    assert "Connection refused" in stored.error
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.PAID

    stripe_api.refunds_list(refund_object(charge=charge["id"], amount=900))
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert stripe_events_requeue() == 1
    assert Order.objects.get(pk=checkout.order_id).status == OrderStatus.REFUNDED
