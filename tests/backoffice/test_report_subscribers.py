"""The subscribers report: active subscribers, new, churned and MRR per month, from subscriptions
mirrored through dj-stripe exactly as Stripe's webhooks leave them (Stripe answered at its HTTP
boundary). Expected figures are worked out by hand below."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

import backoffice.reports.subscribers  # noqa: F401 (registers the report)
from backoffice.reports.base import Period
from backoffice.reports.subscribers import SubscribersReport
from shop.subscriptions.services import subscription_sync
from tests.shop.subscription_fakes import subscription_object, ts

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def subscribe(make_user, stripe_sub, plans, django_capture_on_commit_callbacks):
    """Stripe holds a subscription of a new shopper, and its webhook has mirrored it."""

    def make(email, *, interval="month", status="active", start, end, started=None, user=None, **fields):
        user = user or make_user(email)
        customer = stripe_sub.customer(user)
        started = started or start
        subscription = stripe_sub.hold(
            subscription_object(
                customer=customer["id"],
                price=plans.price(interval),
                status=status,
                start=start,
                end=end,
                start_date=ts(started),
                created=ts(started),
                **fields,
            )
        )
        with django_capture_on_commit_callbacks(execute=True):
            subscription_sync(subscription_id=subscription["id"], customer_id=customer["id"])
        return user

    return make


@pytest.fixture
def three(subscribe):
    """Anna pays 19.00 a month since February; Ben pays 190.00 a year since 5 April; Carla paid
    19.00 a month from January and her cancellation took effect on 20 April; Dora started a trial
    on 25 May that turned paid on 8 June; Emil's first payment never went through."""
    subscribe("anna@example.com", start=at(6, 10, 8), end=at(7, 10, 8), started=at(2, 10))
    subscribe("ben@example.com", interval="year", start=at(4, 5), end=datetime(2027, 4, 5, 10, tzinfo=UTC))
    subscribe(
        "carla@example.com",
        status="canceled",
        start=at(3, 20),
        end=at(4, 20),
        started=at(1, 20),
        canceled_at=ts(at(4, 2)),
        ended_at=ts(at(4, 20)),
    )
    subscribe(
        "dora@example.com",
        start=at(6, 8),
        end=at(7, 8),
        started=at(5, 25),
        trial_start=ts(at(5, 25)),
        trial_end=ts(at(6, 8)),
    )
    subscribe("emil@example.com", status="incomplete_expired", start=at(4, 12), end=at(5, 12))


def test_active_new_churned_and_mrr_by_month(staff_client, three):
    response = staff_client.get(
        "/admin/backoffice/reports/subscribers/", {"from": "2026-03-01", "to": "2026-05-31", "grain": "month"}
    )
    assert response.status_code == 200
    # March: Anna and Carla, 2 x 19.00. April: Ben comes (190/12 = 15.8333), Carla goes:
    # 19.00 + 15.83 = 34.83, 3.17 less. May: Dora is on trial, a subscriber who pays nothing yet.
    assert response.context["table"] == [
        ["2026-03", "2", "0", "0", "38,00 €", "0,00 €"],
        ["2026-04", "2", "1", "1", "34,83 €", "-3,17 €"],
        ["2026-05", "3", "1", "0", "34,83 €", "0,00 €"],
    ]
    # Totals: subscribers and MRR at the end, new and churned summed, MRR's change over the range.
    assert response.context["totals"][1:] == ["3", "2", "1", "34,83 €", "-3,17 €"]
    chart = response.context["chart"]
    assert [dataset["yAxisID"] for dataset in chart["datasets"]] == ["y", "y", "y", "y1"]
    assert chart["datasets"][3]["data"] == [38.0, 34.83, 34.83]


def test_a_cancellation_counts_on_the_day_it_takes_effect(three):
    report = SubscribersReport(period=Period(date(2026, 4, 19), date(2026, 4, 21), "day"), options={})
    assert [(row["bucket"], row["active"], row["churned"]) for row in report.rows()] == [
        ("2026-04-19", 3, 0),
        ("2026-04-20", 2, 1),  # Carla's access ended at 12:00 Berlin time
        ("2026-04-21", 2, 0),
    ]


def test_a_scheduled_cancellation_ends_at_the_period_end_and_past_due_keeps_its_grace(subscribe):
    # Fay cancelled; she keeps access until her period ends on 20 June. Gus's renewal on 8 June
    # failed: within the grace period (3 days) he is still a subscriber.
    subscribe("fay@example.com", start=at(5, 20), end=at(6, 20), cancel_at_period_end=True)
    subscribe("gus@example.com", status="past_due", start=at(6, 8), end=at(7, 8), started=at(4, 8))
    report = SubscribersReport(period=Period(date(2026, 6, 1), date(2026, 6, 30), "month"), options={})
    (june,) = report.rows()
    assert (june["active"], june["new"], june["churned"]) == (1, 0, 1)
    assert june["mrr"] == Decimal("19.00")


def test_a_plan_switch_made_as_a_new_subscription_is_not_churn(subscribe, make_user):
    hanna = make_user("hanna@example.com")
    switched = at(4, 15)
    subscribe(None, user=hanna, status="canceled", start=at(4, 1), end=at(5, 1), ended_at=ts(switched))
    subscribe(None, user=hanna, interval="year", start=switched, end=switched + timedelta(days=365))
    report = SubscribersReport(period=Period(date(2026, 4, 1), date(2026, 4, 30), "month"), options={})
    (april,) = report.rows()
    assert (april["active"], april["new"], april["churned"]) == (1, 1, 0)
    assert april["mrr"] == Decimal("15.83")


def test_the_report_costs_one_query_however_many_subscriptions(subscribe, django_assert_num_queries):
    period = Period(date(2026, 1, 1), date(2026, 6, 30), "week")
    subscribe("one@example.com", start=at(6, 1), end=at(7, 1), started=at(2, 1))
    with django_assert_num_queries(1):
        few = SubscribersReport(period=period, options={})
        few.rows(), few.totals(), few.chart()
    for number in range(12):
        subscribe(f"many{number}@example.com", start=at(6, 1), end=at(7, 1), started=at(2, 1 + number))
    with django_assert_num_queries(1):
        many = SubscribersReport(period=period, options={})
        many.rows(), many.totals(), many.chart()
    assert many.totals()["active"] == 13
