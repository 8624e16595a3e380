"""Subscriptions: subscribing through Stripe Checkout, and access that follows Stripe's state
exactly — through payment failures, cancellations, plan switches and late or reordered webhooks.

Stripe is answered at its HTTP boundary (``tests.shop.subscription_fakes``); webhooks are signed and
go through the production endpoint; time is frozen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from djstripe.models import Customer
from djstripe.models import Subscription as MirroredSubscription
from freezegun import freeze_time

import stripe_fakes
from shop.access.selectors import may_watch
from shop.subscriptions.state import subscription_current
from stripe_fakes import event, stripe_object
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import subscription_object, ts

stripe_keys, stripe_api, deliver = stripe_fakes.stripe_keys, stripe_fakes.stripe_api, stripe_fakes.deliver
stripe_sub, plans = subscription_fakes.stripe_sub, subscription_fakes.plans  # fixtures

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
MONTH_END = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def included(shop_catalog):
    """A video the subscription includes (the shop's catalogue includes its videos by default)."""
    return shop_catalog.videos[0]


@pytest.fixture
def sold_singly(shop_catalog):
    """A priced video the subscription does not include."""
    video = shop_catalog.videos[2]
    video.included_in_subscription = False
    video.save_revision().publish()
    return video


@pytest.fixture
def subscriber(customer, stripe_sub):
    """A shopper whose Stripe customer is mirrored (as after their first subscribe)."""
    data = stripe_sub.customer(customer)
    mirrored = Customer.sync_from_stripe_data(data, api_key=stripe_fakes.SECRET_KEY)
    assert mirrored.subscriber_id == customer.pk
    customer.stripe_customer_id = data["id"]
    return customer


def subscribed(
    stripe_sub, plans, user, *, interval="month", status="active", start=START, end=MONTH_END, **fields
):
    """Stripe now holds a subscription of ``user`` to the ``interval`` plan."""
    return stripe_sub.hold(
        subscription_object(
            customer=user.stripe_customer_id,
            price=plans.price(interval),
            status=status,
            start=start,
            end=end,
            **fields,
        )
    )


@freeze_time(START + timedelta(minutes=5))
def test_subscribing_gives_access_to_included_videos_only(
    subscriber, plans, stripe_sub, deliver, included, sold_singly
):
    assert not may_watch(subscriber, included)

    subscription = subscribed(stripe_sub, plans, subscriber)
    response = deliver(event("customer.subscription.created", subscription))

    assert response.status_code == 200
    assert may_watch(subscriber, included)
    assert not may_watch(subscriber, sold_singly)
    state = subscription_current(subscriber)
    assert (state.status, state.price_id, state.period_end) == ("active", plans.monthly.price_id, MONTH_END)


def test_a_failed_renewal_keeps_access_through_the_grace_period_only(
    subscriber, plans, stripe_sub, deliver, included, settings
):
    settings.SUBSCRIPTION_GRACE_DAYS = 3
    renewal = MONTH_END
    with freeze_time(START + timedelta(minutes=5)):
        subscription = subscribed(stripe_sub, plans, subscriber)
        deliver(event("customer.subscription.created", subscription))
    with freeze_time(renewal + timedelta(hours=1)):
        # The renewal fails: Stripe moves the period on and marks the subscription past due.
        stripe_sub.change(
            subscription["id"],
            status="past_due",
            current_period_start=ts(renewal),
            current_period_end=ts(renewal + timedelta(days=30)),
        )
        invoice = stripe_object(
            "invoice",
            id="in_failed_renewal",
            subscription=subscription["id"],
            customer=subscriber.stripe_customer_id,
            status="open",
        )
        deliver(event("invoice.payment_failed", invoice))
        assert subscription_current(subscriber).status == "past_due"
        assert may_watch(subscriber, included)
    with freeze_time(renewal + timedelta(days=3) - timedelta(minutes=1)):
        assert may_watch(subscriber, included)
    with freeze_time(renewal + timedelta(days=3, minutes=1)):
        assert not may_watch(subscriber, included)


def test_cancelling_at_period_end_keeps_access_until_then(subscriber, plans, stripe_sub, deliver, included):
    with freeze_time(START + timedelta(days=10)):
        subscription = subscribed(stripe_sub, plans, subscriber)
        deliver(event("customer.subscription.created", subscription))
        stripe_sub.change(
            subscription["id"], cancel_at_period_end=True, canceled_at=ts(START + timedelta(days=10))
        )
        deliver(event("customer.subscription.updated", stripe_sub.held[subscription["id"]]))
        assert subscription_current(subscriber).access_until() == MONTH_END
    with freeze_time(MONTH_END - timedelta(seconds=1)):
        assert may_watch(subscriber, included)
    with freeze_time(MONTH_END + timedelta(seconds=1)):
        # Stripe's deletion event is not even needed for access to end on time.
        assert not may_watch(subscriber, included)
        stripe_sub.change(subscription["id"], status="canceled", ended_at=ts(MONTH_END))
        deliver(event("customer.subscription.deleted", stripe_sub.held[subscription["id"]]))
        assert not may_watch(subscriber, included)
        assert subscription_current(subscriber).status == "canceled"


def test_switching_from_monthly_to_yearly_keeps_access_without_a_gap(
    subscriber, plans, stripe_sub, deliver, included
):
    switch = START + timedelta(days=12)
    with freeze_time(START + timedelta(minutes=5)):
        subscription = subscribed(stripe_sub, plans, subscriber)
        deliver(event("customer.subscription.created", subscription))
    with freeze_time(switch):
        # Stripe swaps the item's price and starts a yearly period at once (prorated).
        yearly = subscription_object(
            id=subscription["id"],
            customer=subscriber.stripe_customer_id,
            price=plans.price("year"),
            status="active",
            start=switch,
            end=switch + timedelta(days=365),
        )
        stripe_sub.hold(yearly)
        assert may_watch(subscriber, included)  # before the webhook
        deliver(event("customer.subscription.updated", yearly))
        assert may_watch(subscriber, included)
        state = subscription_current(subscriber)
        assert (state.price_id, state.period_end) == (plans.yearly.price_id, switch + timedelta(days=365))
    with freeze_time(MONTH_END + timedelta(days=40)):
        assert may_watch(subscriber, included)


@freeze_time(START + timedelta(days=5))
def test_a_stale_update_delivered_after_a_newer_one_changes_nothing(
    subscriber, plans, stripe_sub, deliver, included
):
    subscription = subscribed(stripe_sub, plans, subscriber)
    deliver(event("customer.subscription.created", subscription, created=ts(START)))
    older = dict(stripe_sub.held[subscription["id"]])  # as Stripe reported it first
    newer = stripe_sub.change(
        subscription["id"], cancel_at_period_end=True, canceled_at=ts(START + timedelta(days=4))
    )
    deliver(event("customer.subscription.updated", newer, created=ts(START + timedelta(days=4))))

    # Stripe's earlier update arrives last (retries reorder events).
    response = deliver(event("customer.subscription.updated", older, created=ts(START + timedelta(days=1))))

    assert response.status_code == 200
    state = subscription_current(subscriber)
    assert state.cancel_at_period_end
    assert state.access_until() == MONTH_END
    mirrored = MirroredSubscription.objects.get(id=subscription["id"])
    assert mirrored.stripe_data["cancel_at_period_end"] is True


@freeze_time(START + timedelta(days=5))
def test_a_repeated_event_is_applied_once_and_ends_in_the_same_state(
    subscriber, plans, stripe_sub, deliver, stripe_api
):
    subscription = subscribed(stripe_sub, plans, subscriber)
    payload = event("customer.subscription.created", subscription)
    deliver(payload)
    fetched = len(stripe_api.calls_to("GET", f"/v1/subscriptions/{subscription['id']}"))

    deliver(payload)

    assert len(stripe_api.calls_to("GET", f"/v1/subscriptions/{subscription['id']}")) == fetched
    assert MirroredSubscription.objects.filter(id=subscription["id"]).count() == 1


@freeze_time(START)
def test_one_time_purchases_are_untouched_by_an_ended_subscription(
    subscriber, plans, stripe_sub, deliver, buy, shop_catalog, sold_singly
):
    buy(subscriber, sold_singly)
    subscription = subscribed(stripe_sub, plans, subscriber, status="canceled", ended_at=ts(START))
    deliver(event("customer.subscription.deleted", subscription))

    assert may_watch(subscriber, sold_singly)
    assert not may_watch(subscriber, shop_catalog.videos[1])
