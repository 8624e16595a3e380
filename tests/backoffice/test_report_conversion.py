"""The conversion report: shoppers by the Berlin day, week or month they signed up, how many made
a first purchase (a paid order, or a paid subscription invoice) within the chosen window, the rate
and the median days it took; and all first purchases by when they were made.

Shoppers sign up at frozen moments; orders are placed from baskets and paid as the local payment
page pays; a subscription payment is Stripe's invoice mirrored by dj-stripe. The expected figures
are written out by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time

import backoffice.reports.conversion  # noqa: F401  (registers the report)
from backoffice.reports.base import Period
from backoffice.reports.conversion import ConversionReport
from shop.models import Checkout
from shop.payments.services import payment_succeeded
from tests.backoffice.test_report_revenue import berlin, place_order, subscribe

pytestmark = pytest.mark.django_db

URL = "/admin/backoffice/reports/conversion/"
QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31), "month")


def signed_up(make_user, email: str, moment: datetime, *, staff: bool = False):
    with freeze_time(moment):
        user = make_user(email)
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def bought(user, product, moment: datetime, provider: str = Checkout.Provider.LOCAL):
    """``user`` orders ``product`` and pays at ``moment``."""
    with freeze_time(moment):
        order = place_order(user, product)
        checkout = Checkout.objects.create(order=order, user=user, provider=provider)
        payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=moment)
    return order


@pytest.fixture
def shoppers(shop_catalog, make_user, stripe_sub, plans, deliver):
    """January to March 2026 (Berlin times):

    - Anna joins 5 Jan 10:00, buys 8 Jan 10:00 (3 days);
    - Ben joins 10 Jan 12:00, buys 20 Feb 12:00 (41 days);
    - Clara joins 20 Jan, never buys;
    - Dirk joins 31 Jan 23:30 (22:30 UTC: January), pays a subscription invoice 14 Feb 23:30 (14 days);
    - Eva joins 3 Feb 10:00, buys 13 Feb 10:00 (10 days) and again 14 Feb;
    - Fritz joins 1 Mar 00:30 (28 Feb 23:30 UTC: March), buys 3 Mar 00:30 (2 days);
    - Greta joined in December 2025 and makes her first purchase 15 Jan;
    - a staff member joins 5 Feb and buys 6 Feb (not a shopper).
    """
    video = shop_catalog.product(shop_catalog.videos[0])
    other = shop_catalog.product(shop_catalog.videos[1])
    anna = signed_up(make_user, "anna@example.com", berlin(2026, 1, 5, 10, 0))
    bought(anna, video, berlin(2026, 1, 8, 10, 0))
    ben = signed_up(make_user, "ben@example.com", berlin(2026, 1, 10, 12, 0))
    bought(ben, video, berlin(2026, 2, 20, 12, 0))
    signed_up(make_user, "clara@example.com", berlin(2026, 1, 20, 9, 0))
    dirk = signed_up(make_user, "dirk@example.com", berlin(2026, 1, 31, 23, 30))
    subscribe(stripe_sub, plans, deliver, dirk, start=berlin(2026, 2, 14, 23, 30))
    eva = signed_up(make_user, "eva@example.com", berlin(2026, 2, 3, 10, 0))
    bought(eva, video, berlin(2026, 2, 13, 10, 0))
    bought(eva, other, berlin(2026, 2, 14, 10, 0))
    fritz = signed_up(make_user, "fritz@example.com", berlin(2026, 3, 1, 0, 30))
    bought(fritz, video, berlin(2026, 3, 3, 0, 30))
    greta = signed_up(make_user, "greta@example.com", berlin(2025, 12, 1, 9, 0))
    bought(greta, video, berlin(2026, 1, 15, 9, 0))
    staff = signed_up(make_user, "team@example.com", berlin(2026, 2, 5, 9, 0), staff=True)
    bought(staff, video, berlin(2026, 2, 6, 9, 0))


def table(report) -> dict[str, tuple]:
    return {
        row["period"]: (
            row["signups"],
            row["converted"],
            round(row["rate"], 4),
            row["median_days"],
            row["first_purchases"],
        )
        for row in report.rows()
    }


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # period: sign-ups, converted in the window, rate, median days, first purchases made in it
        (
            "7",
            {
                "2026-01": (4, 1, 0.25, 3.0, 2),
                "2026-02": (1, 0, 0.0, None, 3),
                "2026-03": (1, 1, 1.0, 2.0, 1),
            },
        ),
        (
            "30",
            {"2026-01": (4, 2, 0.5, 8.5, 2), "2026-02": (1, 1, 1.0, 10.0, 3), "2026-03": (1, 1, 1.0, 2.0, 1)},
        ),
        (
            "90",
            {
                "2026-01": (4, 3, 0.75, 14.0, 2),
                "2026-02": (1, 1, 1.0, 10.0, 3),
                "2026-03": (1, 1, 1.0, 2.0, 1),
            },
        ),
        (
            "ever",
            {
                "2026-01": (4, 3, 0.75, 14.0, 2),
                "2026-02": (1, 1, 1.0, 10.0, 3),
                "2026-03": (1, 1, 1.0, 2.0, 1),
            },
        ),
    ],
)
def test_cohorts_convert_within_the_window(shoppers, window, expected):
    report = ConversionReport(period=QUARTER, options={"window": window})

    assert table(report) == expected


def test_the_totals_take_the_median_of_all_shoppers_of_the_range(shoppers):
    totals = ConversionReport(period=QUARTER, options={"window": "30"}).totals()

    # Converted within 30 days: Anna 3, Dirk 14, Eva 10, Fritz 2 → median (3 + 10) / 2.
    assert (totals["signups"], totals["converted"], totals["median_days"], totals["first_purchases"]) == (
        6,
        4,
        6.5,
        6,
    )
    assert Decimal(totals["rate"]).quantize(Decimal("0.0001")) == Decimal("0.6667")


def test_sign_ups_count_on_their_berlin_day(shoppers):
    rows = ConversionReport(
        period=Period(date(2026, 1, 31), date(2026, 3, 1), "day"), options={"window": "ever"}
    )
    by_day = {row["period"]: row for row in rows.rows()}
    assert by_day["2026-01-31"]["signups"] == 1  # Dirk, 23:30 in Berlin
    assert by_day["2026-02-14"]["first_purchases"] == 1  # Dirk's subscription payment, 23:30 in Berlin
    assert by_day["2026-02-28"]["signups"] == 0
    assert by_day["2026-03-01"]["signups"] == 1  # Fritz, 00:30 in Berlin


def test_the_chart_draws_the_rate_on_a_second_axis(shoppers):
    chart = ConversionReport(period=QUARTER, options={"window": "30"}).chart()

    assert chart["labels"] == ["2026-01", "2026-02", "2026-03"]
    sign_ups, converted, rate = chart["datasets"]
    assert (sign_ups["data"], converted["data"]) == ([4, 1, 1], [2, 1, 1])
    assert rate["data"] == [0.5, 1.0, 1.0] and rate["yAxisID"] == "y1" and rate["type"] == "line"
    assert chart["y1"] == {"percent": True}


def test_an_order_with_nothing_to_pay_is_no_purchase(shop_catalog, make_user):
    video = shop_catalog.product(shop_catalog.videos[0])
    gifted = signed_up(make_user, "geschenkt@example.com", berlin(2026, 1, 5, 10))
    bought(gifted, video, berlin(2026, 1, 6, 10), provider=Checkout.Provider.FREE)

    totals = ConversionReport(period=QUARTER, options={"window": "ever"}).totals()

    assert (totals["signups"], totals["converted"], totals["first_purchases"]) == (1, 0, 0)


@freeze_time("2026-04-02 10:00")
def test_the_page_shows_the_window_chosen(shoppers, staff_client):
    response = staff_client.get(
        URL, {"from": "2026-01-01", "to": "2026-03-31", "grain": "month", "window": "7"}
    )

    assert response.status_code == 200
    # The admin speaks German (LANGUAGE_CODE) unless the user chose English.
    assert response.context["table"][0] == ["2026-01", "4", "1", "25.0 %", "3.0 Tage", "2"]
    assert response.context["totals"][1:] == ["6", "2", "33.3 %", "2.5 Tage", "6"]


@freeze_time("2026-04-02 10:00")
def test_an_unknown_window_is_a_400(staff_client):
    response = staff_client.get(URL, {"window": "365"})
    assert response.status_code == 400


def _report_drawn(period: Period) -> None:
    """What a page asks of the report: rows, totals and chart."""
    report = ConversionReport(period=period, options={"window": "30"})
    report.rows(), report.totals(), report.chart()


def test_the_query_count_does_not_grow_with_the_shoppers(shop_catalog, make_user, django_assert_num_queries):
    video = shop_catalog.product(shop_catalog.videos[0])
    period = Period(date(2026, 1, 1), date(2026, 12, 31), "month")
    first = signed_up(make_user, "first@example.com", berlin(2026, 1, 2, 9))
    bought(first, video, berlin(2026, 1, 3, 9))
    with django_assert_num_queries(3):  # first orders, first subscription payments, sign-ups
        _report_drawn(period)
    for index in range(12):
        shopper = signed_up(make_user, f"shopper{index}@example.com", berlin(2026, index + 1, 5, 9))
        bought(shopper, video, berlin(2026, index + 1, 6, 9))
    with django_assert_num_queries(3):
        _report_drawn(period)

    assert ConversionReport(period=period, options={"window": "7"}).totals()["converted"] == 13
