"""What the access check costs a subscriber: a constant number of queries (the grant rule's, then
the subscription rule's), whatever the number of their subscriptions and grants — the same budget
as a purchase (../shared/DESIGN.md, "Access")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

import stripe_fakes
from shop.access.selectors import may_watch
from shop.models import Grant
from shop.subscriptions.services import subscription_sync
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import subscription_object

stripe_keys, stripe_api, stripe_sub, plans = (  # fixtures
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    subscription_fakes.stripe_sub,
    subscription_fakes.plans,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-03-20 10:00:00"):
        yield


@pytest.fixture
def subscriber(make_user, stripe_sub, plans, django_capture_on_commit_callbacks):
    """A shopper with one running subscription and ``ended`` older ones, all in the mirror."""

    def make(email: str, *, ended: int = 0):
        user = make_user(email)
        customer = stripe_sub.customer(user)
        for number in range(ended + 1):
            running = number == ended
            start = START - timedelta(days=31 * (ended - number))
            sub = stripe_sub.hold(
                subscription_object(
                    customer=customer["id"],
                    price=plans.price("month"),
                    status="active" if running else "canceled",
                    start=start,
                    end=start + timedelta(days=31),
                )
            )
            with django_capture_on_commit_callbacks(execute=True):
                subscription_sync(subscription_id=sub["id"], customer_id=customer["id"])
        return user

    return make


def grants(user, count: int) -> None:
    Grant.objects.bulk_create(
        Grant(user=user, item_key=f"00000000-0000-0000-0000-{number:012d}", source=Grant.Source.STAFF)
        for number in range(1, count + 1)
    )


def test_a_subscribers_access_check_costs_two_queries_whatever_they_hold(
    shop_catalog, subscriber, django_assert_num_queries
):
    video = shop_catalog.videos[0]  # included in the subscription, not bought
    few = subscriber("wenig@example.com")
    many = subscriber("viel@example.com", ended=5)
    grants(many, 50)
    assert may_watch(None, video) is False  # the catalogue's holdings are cached from here on

    for user in (few, many):
        with django_assert_num_queries(2) as captured:  # the grant rule, then the subscription rule
            assert may_watch(user, video) is True
        mirror_reads = [
            query for query in captured.captured_queries if "djstripe_subscription" in query["sql"]
        ]
        assert len(mirror_reads) == 1


def test_a_buyers_access_check_costs_one_query(shop_catalog, make_user, buy, django_assert_num_queries):
    buyer = make_user("kaeuferin@example.com")
    buy(buyer, shop_catalog.course)
    grants(buyer, 50)
    video = shop_catalog.videos[0]
    assert may_watch(None, video) is False

    with django_assert_num_queries(1):  # the grant rule allows; the subscription rule is not asked
        assert may_watch(buyer, video) is True


def test_a_video_not_in_the_subscription_costs_a_subscriber_the_grant_query_only(
    shop_catalog, subscriber, django_assert_num_queries
):
    video = shop_catalog.videos[1]
    video.included_in_subscription = False
    video.save_revision().publish()
    user = subscriber("abo@example.com")
    assert may_watch(None, video) is False

    with django_assert_num_queries(1):
        assert may_watch(user, video) is False


def test_a_shopper_without_a_subscription_costs_the_same_two_queries(
    shop_catalog, make_user, django_assert_num_queries
):
    shopper = make_user("ohne@example.com")
    video = shop_catalog.videos[0]
    assert may_watch(None, video) is False

    with django_assert_num_queries(2):
        assert may_watch(shopper, video) is False
