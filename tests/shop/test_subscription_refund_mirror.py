"""A subscription payment refunded in Stripe's dashboard: ``charge.refunded`` about the charge that
paid a Stripe invoice belongs to no order, so the shop leaves its orders alone, and the refunds go
into dj-stripe's mirror (the revenue report reads them there), failed ones too, once each however
often Stripe reports them.

Stripe is answered at its HTTP boundary with its example objects, at our API version (the charge
names its invoice and embeds no refunds); time is frozen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
import stripe
from djstripe.models import Customer
from djstripe.models import Invoice as MirroredInvoice
from djstripe.models import Refund as MirroredRefund
from freezegun import freeze_time

import stripe_fakes
from shop.models import Invoice, StripeEvent
from stripe_fakes import API, charge_object, event, new_id, refund_object, stripe_object
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import subscription_object, ts

stripe_keys, stripe_api, deliver, sent, stripe_sub, plans = (  # fixtures
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    stripe_fakes.deliver,
    stripe_fakes.sent,
    subscription_fakes.stripe_sub,
    subscription_fakes.plans,
)

pytestmark = pytest.mark.django_db

PAID = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
REFUNDED = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)


def invoice_charge(stripe_api, invoice: dict, *, amount_refunded: int) -> dict:
    """The charge that paid ``invoice`` as ``charge.refunded`` carries it, and Stripe's answers
    about what it names and the mirror fetches: its payment intent (no order number: not a
    shop order), payment method and balance transaction."""
    intent, method, transaction = new_id("pi"), new_id("pm"), new_id("txn")
    amount, customer = invoice["amount_paid"], invoice["customer"]
    charge = charge_object(
        payment_intent=intent,
        amount=amount,
        amount_refunded=amount_refunded,
        invoice=invoice["id"],
        customer=customer,
        payment_method=method,
        balance_transaction=transaction,
        source=None,
        description="Subscription update",
        metadata={},
        captured=True,
        created=invoice["status_transitions"]["paid_at"],
    )
    stripe_api.now(
        "GET",
        f"/v1/payment_intents/{intent}",
        stripe_object(
            "payment_intent",
            id=intent,
            amount=amount,
            amount_received=amount,
            currency="eur",
            customer=customer,
            invoice=invoice["id"],
            latest_charge=charge["id"],
            payment_method=method,
            status="succeeded",
            canceled_at=None,
            created=invoice["status_transitions"]["paid_at"],
            metadata={},
        ),
    )
    stripe_api.now(
        "GET",
        f"/v1/payment_methods/{method}",
        stripe_object("payment_method", id=method, customer=customer, type="card"),
    )
    stripe_api.now(
        "GET",
        f"/v1/balance_transactions/{transaction}",
        stripe_object(
            "balance_transaction",
            id=transaction,
            source=charge["id"],
            amount=amount,
            net=amount,
            currency="eur",
        ),
    )
    return charge


def invoice_refund(stripe_api, charge: dict, *, amount: int, created: datetime, **fields) -> dict:
    """A refund of ``charge`` made in Stripe's dashboard at ``created``, and its balance transaction."""
    transaction = new_id("txn")
    refund = refund_object(
        charge=charge["id"],
        amount=amount,
        created=ts(created),
        payment_intent=charge["payment_intent"],
        balance_transaction=transaction,
        reason="requested_by_customer",
    )
    refund.update(fields)
    stripe_api.now(
        "GET",
        f"/v1/balance_transactions/{transaction}",
        stripe_object(
            "balance_transaction",
            id=transaction,
            source=refund["id"],
            amount=-amount,
            net=-amount,
            currency="eur",
            type="refund",
            reporting_category="refund",
        ),
    )
    return refund


def stripe_lists(stripe_api, *refunds: dict) -> None:
    """Stripe's list of refunds of each charge the ``refunds`` name is now these (``GET
    /v1/refunds?charge=...``); other charges' lists stay as they were."""
    held = getattr(stripe_api, "refunds_by_charge", None)
    if held is None:
        held = stripe_api.refunds_by_charge = {}

        def answer(request):
            charge = parse_qs(urlparse(request.url).query).get("charge", [""])[0]
            body = {"object": "list", "url": "/v1/refunds", "has_more": False, "data": held.get(charge, [])}
            return 200, {}, json.dumps(body)

        stripe_api.mock.add_callback(responses.GET, f"{API}/v1/refunds", callback=answer)
    for charge in {refund["charge"] for refund in refunds}:
        held[charge] = [refund for refund in refunds if refund["charge"] == charge]


def paid_subscription_invoice(stripe_sub, plans, deliver, user, *, paid_at: datetime) -> dict:
    """``user`` subscribes monthly and Stripe's first invoice, 19.00 with 3.03 VAT, is paid at
    ``paid_at``; subscription and invoice are in the mirror as their webhooks leave them."""
    data = stripe_sub.customer(user)
    Customer.sync_from_stripe_data(data, api_key=stripe_fakes.SECRET_KEY)
    with freeze_time(paid_at):
        subscription = stripe_sub.hold(
            subscription_object(
                customer=data["id"],
                price=plans.price("month"),
                status="active",
                start=paid_at,
                end=paid_at + timedelta(days=31),
            )
        )
        deliver(event("customer.subscription.created", subscription))
        invoice = stripe_object(
            "invoice",
            id=new_id("in"),
            customer=data["id"],
            subscription=subscription["id"],
            status="paid",
            currency="eur",
            billing_reason="subscription_create",
            amount_due=1900,
            amount_paid=1900,
            amount_remaining=0,
            subtotal=1900,
            subtotal_excluding_tax=1597,
            total=1900,
            total_excluding_tax=1597,
            tax=303,
            paid=True,
            status_transitions={
                "finalized_at": ts(paid_at),
                "marked_uncollectible_at": None,
                "paid_at": ts(paid_at),
                "voided_at": None,
            },
            lines={"object": "list", "data": [], "has_more": False, "url": "/v1/invoices/lines"},
            parent=None,
            discounts=[],
            shipping_cost=None,
        )
        mirrored = stripe.Invoice.construct_from(invoice, stripe_fakes.SECRET_KEY)
        MirroredInvoice.sync_from_stripe_data(mirrored, api_key=stripe_fakes.SECRET_KEY)
    return invoice


@pytest.fixture
def subscription_invoice(make_user, stripe_sub, plans, deliver) -> dict:
    return paid_subscription_invoice(stripe_sub, plans, deliver, make_user("dora@example.com"), paid_at=PAID)


def refunds_mirrored() -> dict[str, tuple]:
    return {
        refund.id: (refund.amount, refund.stripe_data["status"], refund.created, refund.charge.invoice.id)
        for refund in MirroredRefund.objects.select_related("charge__invoice")
    }


def test_refunds_of_a_subscription_payment_are_mirrored_with_the_invoice_they_refund(
    subscription_invoice, stripe_api, deliver, sent
):
    charge = invoice_charge(stripe_api, subscription_invoice, amount_refunded=500)
    given = invoice_refund(stripe_api, charge, amount=500, created=REFUNDED)
    failed = invoice_refund(stripe_api, charge, amount=300, created=REFUNDED, status="failed")
    stripe_lists(stripe_api, given, failed)
    payload = event("charge.refunded", charge, created=ts(REFUNDED))

    with freeze_time(REFUNDED + timedelta(seconds=5)):
        response = deliver(payload)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(pk=payload["id"])
    assert (stored.processed_at is not None, stored.error, stored.attempts) == (True, "", 0)
    invoice_id = subscription_invoice["id"]
    assert refunds_mirrored() == {
        given["id"]: (500, "succeeded", REFUNDED, invoice_id),
        failed["id"]: (300, "failed", REFUNDED, invoice_id),
    }
    # No order of the shop was touched: no credit note, nobody told of a refund.
    assert not Invoice.objects.exists()
    assert sent["order_refunded"] == []


def test_a_later_report_updates_the_same_rows(subscription_invoice, stripe_api, deliver):
    charge = invoice_charge(stripe_api, subscription_invoice, amount_refunded=500)
    first = invoice_refund(stripe_api, charge, amount=500, created=REFUNDED)
    stripe_lists(stripe_api, first)
    payload = event("charge.refunded", charge, created=ts(REFUNDED))
    with freeze_time(REFUNDED):
        deliver(payload)
        deliver(payload)  # Stripe delivers the same event again

    # A second refund a week later; meanwhile the first one failed at the bank.
    later = REFUNDED + timedelta(days=7)
    second = invoice_refund(stripe_api, charge, amount=200, created=later)
    stripe_lists(
        stripe_api, second, {**first, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    )
    with freeze_time(later):
        response = deliver(event("charge.refunded", {**charge, "amount_refunded": 700}, created=ts(later)))

    assert response.status_code == 200
    invoice_id = subscription_invoice["id"]
    assert refunds_mirrored() == {
        first["id"]: (500, "failed", REFUNDED, invoice_id),
        second["id"]: (200, "succeeded", later, invoice_id),
    }
    assert StripeEvent.objects.filter(type="charge.refunded", processed_at__isnull=False).count() == 2
