"""The revenue report: sales in the bucket of their payment (Berlin time), split into single
purchases, bundles, subscriptions and consultations, refunds in the bucket of the refund (credit
notes, and subscription payments refunded in Stripe's dashboard), and the same figures in table,
totals, chart and CSV, from a fixed number of queries.

The test data go through the shop's own paths: baskets and a discount code placed as orders,
paid as the local payment page pays, a line refunded by staff (credit note issued by the task),
a consultation held and paid, a subscription invoice mirrored from Stripe's object by dj-stripe;
refunds made in Stripe's dashboard arrive as Stripe's signed ``charge.refunded`` event.
Expected figures are written out by hand from the prices (VAT 19 % contained in gross prices).
"""

from __future__ import annotations

import zoneinfo
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from django.utils import translation
from djstripe.models import Customer
from djstripe.models import Invoice as StripeInvoice
from freezegun import freeze_time

import backoffice.reports.revenue  # noqa: F401  (registers the report)
import stripe_fakes
from backoffice.reports.base import Period
from backoffice.reports.revenue import RevenueReport
from booking.services.holds import hold_place
from shop.checkout.ordering import order_place
from shop.checkout.services import checkout_start
from shop.models import Checkout, Invoice
from shop.payments.services import payment_succeeded, refund_lines
from stripe_fakes import charge_object, event, new_id, refund_object, session_object, stripe_object
from tests.shop import conftest as shop_fixtures
from tests.shop.subscription_fakes import subscription_object, ts
from tests.shop.test_subscription_refund_mirror import (
    invoice_charge,
    invoice_refund,
    paid_subscription_invoice,
    stripe_lists,
)
from tests.shop.test_vouchers import checkout as checkout_with_code
from tests.shop.test_vouchers import make_voucher

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
URL = "/admin/backoffice/reports/revenue/"


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def place_order(user, *products):
    """An order waiting for payment, from the user's basket holding ``products``."""
    return order_place(basket=shop_fixtures.basket_for(user, *products), user=user, email=user.email)


@pytest.fixture
def at(django_capture_on_commit_callbacks):
    """``with at(moment):`` runs a step at ``moment`` with what it queues after its commit (the
    invoice and credit note tasks) run then too, as the worker would a moment later."""

    @contextmanager
    def frozen(moment: datetime):
        with freeze_time(moment), django_capture_on_commit_callbacks(execute=True):
            yield

    return frozen


@pytest.fixture
def pay(at):
    """Pay an order at a moment as the local payment page does."""

    def paid(order, moment: datetime):
        with at(moment):
            checkout = Checkout.objects.create(order=order, user=order.user, provider=Checkout.Provider.LOCAL)
            payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=moment)
        order.refresh_from_db()
        return order

    return paid


def stripe_invoice(*, customer_id: str, subscription_id: str, status: str, paid_at: datetime | None):
    """A monthly subscription invoice of 19.00 (VAT included: 15.97 + 3.03) as Stripe sends it at
    our API version."""
    return stripe_object(
        "invoice",
        id=new_id("in"),
        customer=customer_id,
        subscription=subscription_id,
        status=status,
        currency="eur",
        billing_reason="subscription_cycle",
        amount_due=1900,
        amount_paid=1900 if status == "paid" else 0,
        amount_remaining=0 if status == "paid" else 1900,
        subtotal=1900,
        subtotal_excluding_tax=1597,
        total=1900,
        total_excluding_tax=1597,
        tax=303,
        paid=status == "paid",
        status_transitions={
            "finalized_at": ts(paid_at or datetime(2026, 2, 21, tzinfo=UTC)),
            "marked_uncollectible_at": None,
            "paid_at": ts(paid_at) if paid_at else None,
            "voided_at": None,
        },
        lines={"object": "list", "data": [], "has_more": False, "url": "/v1/invoices/lines"},
        parent=None,
        discounts=[],
        shipping_cost=None,
    )


def subscribe(stripe_sub, plans, deliver, user, *, start: datetime, invoices: tuple[str, ...] = ("paid",)):
    """``user`` subscribes monthly at ``start`` (Stripe's customer and subscription mirrored as the
    shop mirrors them); then Stripe's invoices of the subscription, one a day from ``start`` with
    the given statuses, are mirrored the way dj-stripe mirrors ``invoice.paid``."""
    data = stripe_sub.customer(user)
    Customer.sync_from_stripe_data(data, api_key=stripe_fakes.SECRET_KEY)
    with freeze_time(start):
        subscription = stripe_sub.hold(
            subscription_object(
                customer=data["id"],
                price=plans.price("month"),
                status="active",
                start=start,
                end=start + timedelta(days=31),
            )
        )
        deliver(event("customer.subscription.created", subscription))
    for day, status in enumerate(invoices):
        moment = start + timedelta(days=day)
        with freeze_time(moment):
            invoice = stripe_invoice(
                customer_id=data["id"],
                subscription_id=subscription["id"],
                status=status,
                paid_at=moment if status == "paid" else None,
            )
            # As the mirror gets it from Stripe's client: a Stripe object, not a plain dict.
            mirrored = stripe.Invoice.construct_from(invoice, stripe_fakes.SECRET_KEY)
            StripeInvoice.sync_from_stripe_data(mirrored, api_key=stripe_fakes.SECRET_KEY)


@pytest.fixture
def subscription_payments(make_user, stripe_sub, plans, deliver):
    """Dora subscribes monthly; Stripe's invoice of 20 February (10:00 Berlin) is paid, the one of
    21 February is still open."""
    dora = make_user("dora@example.com")
    subscribe(stripe_sub, plans, deliver, dora, start=berlin(2026, 2, 20, 10, 0), invoices=("paid", "open"))
    return dora


@pytest.fixture
def sales(
    shop_catalog,
    make_user,
    consultation_type,
    subscription_payments,
    at,
    pay,
):
    """The quarter January to March 2026:

    - Alice, 10 Jan: course 29.00 and video 19.99 with 10 % off → 26.10 (net 21.93) + 17.99 (net
      15.12); the video line refunded on 15 Feb (credit note 17.99 = 15.12 + 2.87);
    - Bob, 31 Jan 23:30 Berlin (22:30 UTC): the bundle 39.00 (net 32.77) — January;
    - Carol, 1 Mar 00:30 Berlin (28 Feb 23:30 UTC): video 9.00 (net 7.56) — March;
    - Emil, 10 Feb: a consultation at the first-timer price 59.00 (net 49.58);
    - Dora's subscription invoice, 20 Feb: 19.00 (net 15.97);
    - Finn, 12 Feb: an order for 12.00 never paid.
    """
    videos, course, bundle = shop_catalog.videos, shop_catalog.course, shop_catalog.bundle
    alice, bob, carol, emil, finn = (
        make_user(f"{name}@example.com") for name in ("alice", "bob", "carol", "emil", "finn")
    )
    with at(berlin(2026, 1, 10, 11, 55)):
        make_voucher("ZEHN", percent="10")
        alice_order = checkout_with_code(
            alice, shop_catalog.product(course), shop_catalog.product(videos[2]), code="ZEHN"
        )
    pay(alice_order, berlin(2026, 1, 10, 12, 0))
    with at(berlin(2026, 1, 31, 23, 25)):
        bob_order = place_order(bob, shop_catalog.product(bundle))
    pay(bob_order, berlin(2026, 1, 31, 23, 30))
    with at(berlin(2026, 2, 10, 9, 0)):
        hold_place(
            user=emil,
            type_key=consultation_type.translation_key,
            start=berlin(2026, 2, 11, 10, 0),
            time_zone="Europe/Berlin",
        )
        emil_order = place_order(emil)
    pay(emil_order, berlin(2026, 2, 10, 9, 5))
    with at(berlin(2026, 2, 12, 9, 0)):
        place_order(finn, shop_catalog.product(videos[1]))
    with at(berlin(2026, 2, 15, 16, 0)):
        video_line = alice_order.lines.get(upc=shop_catalog.product(videos[2]).upc)
        refund_lines(order=alice_order, line_ids=[video_line.pk], reason="Kundenwunsch")
    with at(berlin(2026, 3, 1, 0, 25)):
        carol_order = place_order(carol, shop_catalog.product(videos[0]))
    pay(carol_order, berlin(2026, 3, 1, 0, 30))
    return {"alice": alice_order, "bob": bob_order, "carol": carol_order, "emil": emil_order}


D = Decimal
MONTHS = {
    # period: single, bundles, subscriptions, consultations (gross), net, VAT, gross, refunds,
    # net after refunds, VAT after refunds, gross after refunds
    "2026-01": (D("44.09"), D("39.00"), D("0"), D("0"), D("69.82"), D("13.27"), D("83.09"))
    + (D("0"), D("69.82"), D("13.27"), D("83.09")),
    "2026-02": (D("0"), D("0"), D("19.00"), D("59.00"), D("65.55"), D("12.45"), D("78.00"))
    + (D("17.99"), D("50.43"), D("9.58"), D("60.01")),
    "2026-03": (D("9.00"), D("0"), D("0"), D("0"), D("7.56"), D("1.44"), D("9.00"))
    + (D("0"), D("7.56"), D("1.44"), D("9.00")),
}
TOTAL = (D("53.09"), D("39.00"), D("19.00"), D("59.00"), D("142.93"), D("27.16"), D("170.09"))
TOTAL += (D("17.99"), D("127.81"), D("24.29"), D("152.10"))
KEYS = (
    "single",
    "bundles",
    "subscriptions",
    "consultations",
    "net",
    "vat",
    "gross",
    "refunds",
    "net_after_refunds",
    "vat_after_refunds",
    "gross_after_refunds",
)


def figures(row: dict) -> tuple:
    return tuple(row[key] for key in KEYS)


def test_the_data_are_what_the_expected_figures_assume(sales):
    """The premises the hand-written figures rest on, read from the shop's records."""
    lines = {line.line_price_incl_tax: line.line_price_excl_tax for line in sales["alice"].lines.all()}
    assert lines == {D("26.10"): D("21.93"), D("17.99"): D("15.12")}
    assert sales["emil"].lines.get().line_price_incl_tax == D("59.00")
    credit_note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert (credit_note.gross, credit_note.net, credit_note.vat) == (D("-17.99"), D("-15.12"), D("-2.87"))


def test_months_split_sales_by_category_and_refunds_by_when_they_happened(sales):
    report = RevenueReport(period=Period(date(2026, 1, 1), date(2026, 3, 31), "month"))

    rows = report.rows()

    assert {row["period"]: figures(row) for row in rows} == MONTHS
    assert figures(report.totals()) == TOTAL
    with translation.override("en"):
        assert report.totals()["period"] == "Total"


def test_a_sale_counts_on_its_berlin_day_at_both_ends_of_a_month(sales):
    january_end = RevenueReport(period=Period(date(2026, 1, 31), date(2026, 2, 1), "day")).rows()
    assert [(row["period"], row["bundles"]) for row in january_end] == [
        ("2026-01-31", D("39.00")),  # 23:30 in Berlin, 22:30 UTC
        ("2026-02-01", D("0")),
    ]
    march_start = RevenueReport(period=Period(date(2026, 2, 28), date(2026, 3, 1), "day")).rows()
    assert [(row["period"], row["single"]) for row in march_start] == [
        ("2026-02-28", D("0")),
        ("2026-03-01", D("9.00")),  # 00:30 in Berlin, still 28 February in UTC
    ]


def test_weeks_start_on_monday(sales):
    # Week 7 (9 to 15 February): the consultation and the refund; week 8: the subscription.
    rows = RevenueReport(period=Period(date(2026, 2, 9), date(2026, 2, 22), "week")).rows()
    assert [(r["period"], r["consultations"], r["subscriptions"], r["refunds"]) for r in rows] == [
        ("2026-W07", D("59.00"), D("0"), D("17.99")),
        ("2026-W08", D("0"), D("19.00"), D("0")),
    ]


def test_categories_can_show_net_amounts(sales):
    report = RevenueReport(
        period=Period(date(2026, 1, 1), date(2026, 3, 31), "month"), options={"amounts": "net"}
    )
    totals = report.totals()
    assert (totals["single"], totals["bundles"], totals["subscriptions"], totals["consultations"]) == (
        D("37.05") + D("7.56"),
        D("32.77"),
        D("15.97"),
        D("49.58"),
    )
    assert (totals["net"], totals["gross"]) == (D("142.93"), D("170.09"))


def test_the_chart_stacks_the_categories_over_the_refunds(sales):
    with translation.override("en"):
        chart = RevenueReport(period=Period(date(2026, 1, 1), date(2026, 3, 31), "month")).chart()

    assert chart["type"] == "bar" and chart["stacked"] is True
    assert chart["labels"] == ["2026-01", "2026-02", "2026-03"]
    data = {dataset["label"]: dataset["data"] for dataset in chart["datasets"]}
    assert data == {
        "Single purchases": [44.09, 0.0, 9.0],
        "Bundles": [39.0, 0.0, 0.0],
        "Subscriptions": [0.0, 19.0, 0.0],
        "Consultations": [0.0, 59.0, 0.0],
        "Refunds": [0.0, -17.99, 0.0],
    }


@freeze_time("2026-04-02 10:00")
def test_the_page_and_the_csv_show_the_same_figures(sales, staff_client):
    params = {"from": "2026-01-01", "to": "2026-03-31", "grain": "month"}

    page = staff_client.get(URL, params)
    csv = staff_client.get(URL + "csv/", params)

    assert page.status_code == 200 and csv.status_code == 200
    table = page.context["table"] + [page.context["totals"]]
    assert table[1] == [
        "2026-02",
        "0,00 €",
        "0,00 €",
        "19,00 €",
        "59,00 €",
        "65,55 €",
        "12,45 €",
        "78,00 €",
        "17,99 €",
        "50,43 €",
        "9,58 €",
        "60,01 €",
    ]
    lines = b"".join(csv.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert len(lines[0].split(",")) == 12  # the header, in the admin's language
    assert [line.split(",") for line in lines[1:]] == [
        [cell.removesuffix(" €").replace(".", "").replace(",", ".") for cell in row] for row in table
    ]
    assert (
        lines[-1].split(",", 1)[1] == "53.09,39.00,19.00,59.00,142.93,27.16,170.09,17.99,127.81,24.29,152.10"
    )


@freeze_time("2026-04-02 10:00")
def test_an_unknown_amounts_choice_is_a_400(staff_client):
    response = staff_client.get(URL, {"amounts": "cents"})
    assert response.status_code == 400


def _report_drawn(period: Period) -> None:
    """What a page asks of the report: rows, totals and chart."""
    report = RevenueReport(period=period)
    report.rows(), report.totals(), report.chart()


def test_the_query_count_does_not_grow_with_the_orders(
    shop_catalog, make_user, pay, django_assert_num_queries
):
    period = Period(date(2026, 1, 1), date(2026, 12, 31), "month")
    product = shop_catalog.product(shop_catalog.videos[0])
    pay(place_order(make_user("first@example.com"), product), berlin(2026, 5, 1, 12))
    # Order lines, subscription invoices, credit notes, refunds of subscription payments.
    with django_assert_num_queries(4):
        _report_drawn(period)
    for index in range(12):
        pay(place_order(make_user(f"buyer{index}@example.com"), product), berlin(2026, index + 1, 3, 12))
    with django_assert_num_queries(4):
        _report_drawn(period)

    assert RevenueReport(period=period).totals()["single"] == D("9.00") * 13


# ---- Refunds made in Stripe's dashboard ----------------------------------------------------------

SUBSCRIPTION_REFUNDED = berlin(2026, 2, 1, 0, 30)  # 31 January 23:30 UTC: February in Berlin


@pytest.fixture
def delivered(deliver, django_capture_on_commit_callbacks):
    """``delivered(payload, moment)``: Stripe posts the event at ``moment`` and the worker processes
    it, then runs what the processing queued after its commit (the credit note). dj-stripe's own
    mirror is left out, as ``deliver`` leaves it out."""

    def send(payload: dict, moment: datetime):
        with freeze_time(moment), django_capture_on_commit_callbacks() as queued:
            response = deliver(payload)
        with freeze_time(moment), django_capture_on_commit_callbacks(execute=True):
            for callback in queued:
                if not getattr(callback, "__name__", "").startswith(
                    "queue_stripe_event_"
                ):  # run (or left out) above
                    callback()
        return response

    return send


@pytest.fixture
def dashboard_refunds(shop_catalog, make_user, stripe_sub, plans, stripe_api, deliver, delivered):
    """January and February 2026, refunds made in Stripe's dashboard, reported by ``charge.refunded``:

    - Greta's subscription invoice, paid 15 Jan: 19.00 (net 15.97, VAT 3.03); refunded 5.00 on
      1 Feb 00:30 Berlin; a second refund of 3.00, a few minutes later, failed;
    - Hanna's video bought through Stripe Checkout on 20 Jan: 9.00 (net 7.56, VAT 1.44); refunded
      in full on 10 Feb (credit note).

    Returns the subscription's ``charge.refunded`` event.
    """
    greta, hanna = make_user("greta@example.com"), make_user("hanna@example.com")
    invoice = paid_subscription_invoice(stripe_sub, plans, deliver, greta, paid_at=berlin(2026, 1, 15, 10, 0))
    charge = invoice_charge(stripe_api, invoice, amount_refunded=500)
    given = invoice_refund(stripe_api, charge, amount=500, created=SUBSCRIPTION_REFUNDED)
    failed = invoice_refund(
        stripe_api, charge, amount=300, created=SUBSCRIPTION_REFUNDED + timedelta(minutes=5), status="failed"
    )
    stripe_lists(stripe_api, given, failed)
    moment = SUBSCRIPTION_REFUNDED + timedelta(minutes=6)
    refunded = event("charge.refunded", charge, created=ts(moment))
    assert delivered(refunded, moment).status_code == 200

    stripe_api.sessions_create()
    with freeze_time(berlin(2026, 1, 20, 11, 55)):
        basket = shop_fixtures.basket_for(hanna, shop_catalog.product(shop_catalog.videos[0]))
        order_number = checkout_start(user=hanna, basket=basket).order_number
    checkout = Checkout.objects.select_related("order").get(order__number=order_number)
    moment = berlin(2026, 1, 20, 12, 0)
    paid = event(
        "checkout.session.completed",
        session_object(checkout, payment_intent=new_id("pi")),
        created=ts(moment),
    )
    assert delivered(paid, moment).status_code == 200
    checkout.refresh_from_db()
    shop_charge = charge_object(
        payment_intent=checkout.stripe_payment_intent_id, amount=900, amount_refunded=900
    )
    moment = berlin(2026, 2, 10, 9, 0)
    stripe_lists(stripe_api, refund_object(charge=shop_charge["id"], amount=900, created=ts(moment)))
    assert delivered(event("charge.refunded", shop_charge, created=ts(moment)), moment).status_code == 200
    return refunded


DASHBOARD_MONTHS = {
    # single, bundles, subscriptions, consultations, net, VAT, gross, refunds, and after refunds
    "2026-01": (D("9.00"), D("0"), D("19.00"), D("0"), D("23.53"), D("4.47"), D("28.00"))
    + (D("0"), D("23.53"), D("4.47"), D("28.00")),
    # 5.00 of the subscription (VAT 5.00 * 3.03 / 19.00 = 0.7974 → 0.80, net 4.20) and the
    # video's credit note 9.00 (net 7.56, VAT 1.44): 14.00, net 11.76, VAT 2.24.
    "2026-02": (D("0"), D("0"), D("0"), D("0"), D("0"), D("0"), D("0"))
    + (D("14.00"), D("-11.76"), D("-2.24"), D("-14.00")),
}


def _dashboard_figures() -> dict:
    report = RevenueReport(period=Period(date(2026, 1, 1), date(2026, 2, 28), "month"))
    return {row["period"]: figures(row) for row in report.rows()}


def test_the_dashboard_refunds_are_what_the_expected_figures_assume(dashboard_refunds):
    (credit_note,) = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
    assert (credit_note.gross, credit_note.net, credit_note.vat) == (D("-9.00"), D("-7.56"), D("-1.44"))
    assert credit_note.issued_at.astimezone(BERLIN).date() == date(2026, 2, 10)


def test_a_refunded_subscription_payment_counts_when_it_was_given_back_with_its_vat(dashboard_refunds):
    assert _dashboard_figures() == DASHBOARD_MONTHS
    # The day it was given back in Berlin; the failed refund, a few minutes later, is not counted.
    days = RevenueReport(period=Period(date(2026, 1, 31), date(2026, 2, 1), "day")).rows()
    assert [(row["period"], row["refunds"]) for row in days] == [
        ("2026-01-31", D("0")),
        ("2026-02-01", D("5.00")),
    ]


def test_a_refund_reported_again_counts_once(dashboard_refunds, delivered):
    moment = berlin(2026, 2, 12, 8, 0)
    delivered(dashboard_refunds, moment)  # Stripe delivers the same event again
    # A new event about the same charge (Stripe's list still names the same refunds).
    delivered(event("charge.refunded", dashboard_refunds["data"]["object"], created=ts(moment)), moment)

    assert _dashboard_figures() == DASHBOARD_MONTHS
