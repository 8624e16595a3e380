"""Money in and out of an order: record what the payment provider reports, then reconcile.

Every report (Stripe's webhook, the local payment page, a zero total) becomes a *fact* on the
order's :class:`~shop.models.Checkout`: paid, failed, expired, refunded so much for these lines,
disputed. Facts only grow — a second report of the same thing changes nothing, an older one never
undoes a newer one. After each fact :func:`order_reconcile` derives the order's state from all
facts together and applies only what differs from the order as it is:

1. paid → order and lines "paid", grants, ``order_paid`` (once); not paid but failed or expired →
   "cancelled", code uses given back (``shop.checkout.vouchers``), basket given back, ``order_cancelled``;
2. refunds (only once paid) → the refunded lines' grants revoked, "partially_refunded" or
   "refunded", ``order_refunded`` with the money not yet applied;
3. dispute → grants suspended while open, restored when won; lost counts as a full refund.

So duplicated and reordered events end in the same state: an expiry after the payment changes
nothing, and a refund reported before the payment is applied when the payment arrives. Each fact
function locks the checkout row, so reports about one order are applied one at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from oscar.apps.basket.models import Basket
from oscar.apps.basket.models import Line as BasketLine
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source, SourceType, Transaction

from core.errors import ApiError
from shop.access.services import (
    grants_for_paid_order,
    grants_restore_for_order,
    grants_revoke_for_lines,
    grants_suspend_for_order,
)
from shop.checkout.ordering import basket_give_back
from shop.checkout.vouchers import voucher_uses_release, voucher_uses_restore
from shop.models import Checkout
from shop.payments import stripe_gateway
from shop.signals import order_cancelled, order_disputed, order_paid, order_refunded
from shop.statuses import PAID_ORDER_STATUSES, LineStatus, OrderStatus

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
# Stripe's dispute statuses. Closed ones are final: a late "under_review" never reopens a dispute.
DISPUTE_LOST = "lost"
DISPUTE_CLOSED = {"won", "lost", "warning_closed", "prevented"}


def _locked(checkout: Checkout) -> Checkout:
    return Checkout.objects.select_for_update().select_related("order").get(pk=checkout.pk)


def _save(checkout: Checkout, fields: list[str]) -> None:
    if fields:
        checkout.save(update_fields=[*fields, "updated_at"])


# ---- Facts -------------------------------------------------------------------------------------


@transaction.atomic
def payment_succeeded(
    *, checkout: Checkout, amount: Decimal, at: datetime, payment_intent: str = ""
) -> Checkout:
    """The shopper paid ``amount`` (the first report counts; repeats change nothing)."""
    checkout = _locked(checkout)
    fields = []
    if checkout.paid_at is None:
        checkout.paid_at, checkout.amount_paid = at, amount
        fields += ["paid_at", "amount_paid"]
        if amount != checkout.order.total_incl_tax:
            logger.error(
                "Order %s was paid %s but costs %s; check the payment in Stripe.",
                checkout.order.number,
                amount,
                checkout.order.total_incl_tax,
            )
    if payment_intent and not checkout.stripe_payment_intent_id:
        checkout.stripe_payment_intent_id = payment_intent
        fields.append("stripe_payment_intent_id")
    _save(checkout, fields)
    order_reconcile(checkout=checkout)
    return checkout


def payment_failed(*, checkout: Checkout, at: datetime) -> Checkout:
    """The payment was declined for good (an asynchronous method failed)."""
    return _moment_record(checkout, "failed_at", at)


def checkout_expired(*, checkout: Checkout, at: datetime) -> Checkout:
    """The checkout ended unpaid (the session lapsed, or the shopper cancelled it)."""
    return _moment_record(checkout, "expired_at", at)


@transaction.atomic
def _moment_record(checkout: Checkout, field: str, at: datetime) -> Checkout:
    """Record when something happened, once (the first report counts), and reconcile."""
    checkout = _locked(checkout)
    if getattr(checkout, field) is None:
        setattr(checkout, field, at)
        _save(checkout, [field])
    order_reconcile(checkout=checkout)
    return checkout


@transaction.atomic
def refund_recorded(
    *, checkout: Checkout, amount_refunded_total: Decimal, refunded_line_ids: Iterable[int]
) -> Checkout:
    """So much of the payment has been given back in all (Stripe reports the running total), for
    these order lines (from our refunds' metadata; none for a refund made in Stripe's dashboard)."""
    checkout = _locked(checkout)
    fields = []
    if amount_refunded_total > checkout.amount_refunded:
        checkout.amount_refunded = amount_refunded_total
        fields.append("amount_refunded")
    line_ids = sorted(set(checkout.refunded_line_ids) | set(refunded_line_ids))
    if line_ids != sorted(checkout.refunded_line_ids):
        checkout.refunded_line_ids = line_ids
        fields.append("refunded_line_ids")
    _save(checkout, fields)
    order_reconcile(checkout=checkout)
    return checkout


@transaction.atomic
def dispute_recorded(*, checkout: Checkout, status: str) -> Checkout:
    """The shopper's bank disputes the payment; ``status`` is Stripe's dispute status."""
    checkout = _locked(checkout)
    current = checkout.dispute_status
    if status and status != current and current not in DISPUTE_CLOSED:
        checkout.dispute_status = status
        _save(checkout, ["dispute_status"])
        order_disputed.send(sender=Order, order=checkout.order, status=status)
    order_reconcile(checkout=checkout)
    return checkout


# ---- Reconciliation ----------------------------------------------------------------------------


def order_reconcile(*, checkout: Checkout) -> None:
    """Bring the order in line with all facts of its (locked) checkout; apply only what differs."""
    order = checkout.order
    _reconcile_payment(checkout, order)
    if order.status in PAID_ORDER_STATUSES:
        _reconcile_refunds(checkout, order)
        _reconcile_dispute(checkout, order)


def _reconcile_payment(checkout: Checkout, order: Order) -> None:
    if checkout.paid_at is not None:
        if order.status not in (OrderStatus.PENDING, OrderStatus.CANCELLED):
            return
        given_up = order.status == OrderStatus.CANCELLED
        order.set_status(OrderStatus.PAID)
        order.lines.exclude(status=LineStatus.PAID).update(status=LineStatus.PAID)
        if given_up:  # paid after all: count the codes again, take the lines out of the basket
            voucher_uses_restore(order=order)
            _basket_lines_remove_bought(order)
        _money_trail_payment(checkout, order)
        grants_for_paid_order(order=order)
        order_paid.send(sender=Order, order=order)
    elif (checkout.failed_at or checkout.expired_at) and order.status == OrderStatus.PENDING:
        order.set_status(OrderStatus.CANCELLED)
        order.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.CANCELLED)
        voucher_uses_release(order=order)
        basket_give_back(order=order)
        order_cancelled.send(sender=Order, order=order)


def _reconcile_refunds(checkout: Checkout, order: Order) -> None:
    amount_paid = checkout.amount_paid or ZERO
    if checkout.dispute_status == DISPUTE_LOST:
        refunded = amount_paid  # the bank took the money back
    else:
        refunded = min(checkout.amount_refunded, amount_paid)
    # A refund without lines (made in Stripe's dashboard) ends access only when it is everything.
    whole = refunded > ZERO and refunded >= amount_paid
    lines = {line.pk: line.status for line in order.lines.all()}
    wanted = set(lines) if whole else set(checkout.refunded_line_ids) & set(lines)
    newly = sorted(pk for pk in wanted if lines[pk] != LineStatus.REFUNDED)
    new_money = refunded - checkout.amount_refund_applied
    if not newly and new_money <= ZERO:
        return
    if newly:
        order.lines.filter(pk__in=newly).update(status=LineStatus.REFUNDED)
        grants_revoke_for_lines(line_ids=newly, reason=f"Order {order.number} refunded")
    every_line = whole or all(status == LineStatus.REFUNDED or pk in wanted for pk, status in lines.items())
    if order.status != OrderStatus.REFUNDED:  # never back from "refunded" (e.g. set by staff)
        order.set_status(OrderStatus.REFUNDED if every_line else OrderStatus.PARTIALLY_REFUNDED)
    refund_key = f"{order.number}-refunded-{stripe_gateway.to_cents(refunded)}"
    if new_money > ZERO:
        checkout.amount_refund_applied = refunded
        _save(checkout, ["amount_refund_applied"])
        _money_trail_refund(checkout, order, refunded, new_money, refund_key)
    order_refunded.send(
        sender=Order, order=order, line_ids=newly, amount=max(new_money, ZERO), refund_key=refund_key
    )


def _reconcile_dispute(checkout: Checkout, order: Order) -> None:
    status = checkout.dispute_status
    if not status or status == DISPUTE_LOST:  # lost is a refund (above)
        return
    if status in DISPUTE_CLOSED:
        grants_restore_for_order(order=order)
    else:
        grants_suspend_for_order(order=order)


# ---- The basket after a late payment ----------------------------------------------------------


def _basket_lines_remove_bought(order: Order) -> None:
    product_ids = [pid for pid in order.lines.values_list("product_id", flat=True) if pid]
    BasketLine.objects.filter(
        basket__owner_id=order.user_id, basket__status=Basket.OPEN, product_id__in=product_ids
    ).delete()


# ---- Oscar's money trail (shown in the dashboard) ---------------------------------------------


def _source_type(provider: str) -> SourceType:
    name = dict(Checkout.Provider.choices)[provider]
    source_type, _ = SourceType.objects.get_or_create(code=provider, defaults={"name": name})
    return source_type


def _money_trail_payment(checkout: Checkout, order: Order) -> None:
    """Oscar's record of the payment; called once, on the order's one change to "paid"."""
    amount = checkout.amount_paid or ZERO
    if amount <= ZERO:  # a zero total moved no money
        return
    source = Source.objects.create(
        order=order,
        source_type=_source_type(checkout.provider),
        currency=order.currency,
        amount_allocated=amount,
        amount_debited=amount,
        reference=checkout.stripe_payment_intent_id or checkout.stripe_session_id or "",
    )
    source.transactions.create(txn_type=Transaction.DEBIT, amount=amount, reference=source.reference)


def _money_trail_refund(
    checkout: Checkout, order: Order, refunded: Decimal, amount: Decimal, key: str
) -> None:
    source = order.sources.first()
    if source is None:
        return
    source.amount_refunded = refunded
    source.save(update_fields=["amount_refunded"])
    source.transactions.create(txn_type=Transaction.REFUND, amount=amount, reference=key)


# ---- Refunds by staff --------------------------------------------------------------------------


def refund_lines(*, order: Order, line_ids: Iterable[int], reason: str) -> None:
    """Give back what the shopper paid for these lines of ``order``.

    With Stripe this only asks Stripe for the refund: the order, its lines and the access change
    when Stripe's ``charge.refunded`` event reports it, the one path every refund takes (also those
    made in Stripe's dashboard). A payment made on the local page (DEBUG) has no webhook, so its
    refund is recorded here through the same fact.
    """
    wanted = sorted(set(line_ids))
    checkout = Checkout.objects.filter(order=order).first()
    if checkout is None or order.status not in PAID_ORDER_STATUSES:
        raise ApiError("order_not_paid", "Only a paid order can be refunded.", status=409)
    lines = list(order.lines.filter(pk__in=wanted))
    if not wanted or len(lines) != len(wanted):
        raise ApiError("unknown_line", "Name lines of this order.", status=400, fields={"line_ids": wanted})
    if any(line.status == LineStatus.REFUNDED for line in lines):
        raise ApiError("already_refunded", "Some of these lines are refunded already.", status=409)
    amount = sum((line.line_price_incl_tax for line in lines), ZERO)
    if amount <= ZERO or checkout.provider == Checkout.Provider.FREE:
        raise ApiError(
            "nothing_to_refund", "Nothing was paid for these lines; revoke access instead.", status=409
        )
    if checkout.provider == Checkout.Provider.STRIPE:
        stripe_gateway.refund_create(
            order=order,
            payment_intent_id=checkout.stripe_payment_intent_id,
            line_ids=wanted,
            amount=amount,
            reason=reason,
        )
        return
    refund_recorded(
        checkout=checkout,
        amount_refunded_total=checkout.amount_refunded + amount,
        refunded_line_ids=wanted,
    )
