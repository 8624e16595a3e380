"""Stripe's webhook events: stored once when they arrive, processed afterwards (``shop.payments.tasks``).

:func:`event_store` keeps each verified event under Stripe's id, so a repeat delivery (Stripe
retries, and may send one event several times at once) finds it already there.
:func:`event_process` locks the stored event, skips it when it is done, hands its object to the
handler for its type and marks it processed, all in one transaction: if a handler fails nothing of
it stays and the event is tried again. Handlers turn what Stripe says into facts on the order's
checkout (``shop.payments.services``), which makes them safe to run twice and in any order; subscription
events make ``shop.subscriptions`` look at Stripe again, which is as safe. Types without
a handler are stored and marked processed; dj-stripe's mirror gets every event separately
(``shop.payments.tasks.stripe_event_mirror``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from djstripe.models import Charge as MirroredCharge
from djstripe.models import Refund as MirroredRefund

from shop.models import Checkout, StripeEvent
from shop.payments import services as payments
from shop.payments import stripe_gateway
from shop.subscriptions import services as subscriptions

logger = logging.getLogger(__name__)

StripeObject = dict[str, Any]


def event_store(*, payload: dict) -> tuple[StripeEvent, bool]:
    """Keep a verified event once; returns it and whether this delivery stored it."""
    fields = {
        "type": payload.get("type", ""),
        "livemode": bool(payload.get("livemode")),
        "created": stripe_gateway.timestamp(payload.get("created")) or timezone.now(),
        "payload": payload,
    }
    try:
        return StripeEvent.objects.get_or_create(id=payload["id"], defaults=fields)
    except IntegrityError:  # a parallel delivery stored it between our get and our insert
        return StripeEvent.objects.get(id=payload["id"]), False


def event_process(*, event_id: str) -> bool:
    """Apply a stored event once; ``False`` when it was already processed (or is unknown)."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return False
        handler = HANDLERS.get(event.type)
        if handler is not None:
            handler(event.payload["data"]["object"], event)
        event.processed_at = timezone.now()
        event.error = ""
        event.save(update_fields=["processed_at", "error"])
    return True


def event_failure_record(*, event_id: str, error: BaseException) -> int:
    """Count a failed attempt and keep its error for staff; returns the attempts so far."""
    StripeEvent.objects.filter(pk=event_id, processed_at=None).update(
        attempts=F("attempts") + 1, error=f"{type(error).__name__}: {error}"[:2000]
    )
    return StripeEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0


def events_due_again(*, older_than_seconds: int, max_attempts: int) -> list[str]:
    """Events still unprocessed a while after they arrived (lost or failed tasks), oldest first."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        StripeEvent.objects.filter(processed_at=None, received_at__lt=cutoff, attempts__lt=max_attempts)
        .order_by("received_at")
        .values_list("id", flat=True)[:500]
    )


# ---- Handlers: Stripe object → facts -----------------------------------------------------------


def _checkout_for_session(session: StripeObject) -> Checkout | None:
    # Only by the session's own id: a session whose checkout was never committed (our request
    # failed after Stripe made it) may carry an order number that a later order now uses.
    checkout = Checkout.objects.filter(stripe_session_id=session["id"]).first()
    if checkout is None:
        logger.warning("Stripe session %s belongs to no checkout of ours; ignored.", session["id"])
    return checkout


def _checkout_for_payment(*, payment_intent: str, order_numbers: Iterable[str]) -> Checkout | None:
    """The checkout a charge or dispute is about: by the order number our metadata carries, else
    by the payment intent (ours once the payment was recorded, else asked of Stripe)."""
    for number in order_numbers:
        checkout = Checkout.objects.filter(order__number=number).first() if number else None
        if checkout is not None:
            return checkout
    if not payment_intent:
        return None
    checkout = Checkout.objects.filter(stripe_payment_intent_id=payment_intent).first()
    if checkout is not None:
        return checkout
    # Reported before the payment itself (events come in any order), or not ours (a subscription).
    intent = stripe_gateway.payment_intent_retrieve(payment_intent_id=payment_intent)
    number = (intent.get("metadata") or {}).get("order_number")
    return Checkout.objects.filter(order__number=number).first() if number else None


def session_paid(session: StripeObject, event: StripeEvent) -> None:
    """``checkout.session.completed`` and ``...async_payment_succeeded``. A completed session that
    is still ``unpaid`` (a bank debit) waits for the asynchronous outcome. A subscription's
    session belongs to ``shop.subscriptions``."""
    if session.get("mode") == "subscription":
        subscriptions.session_completed(session, event)
        return
    checkout = _checkout_for_session(session)
    if checkout is None or session.get("payment_status") not in ("paid", "no_payment_required"):
        return
    payments.payment_succeeded(
        checkout=checkout,
        amount=stripe_gateway.from_cents(session.get("amount_total")),
        at=event.created,
        payment_intent=stripe_gateway.object_id(session.get("payment_intent")),
    )


def session_failed(session: StripeObject, event: StripeEvent) -> None:
    if session.get("mode") == "subscription":
        return  # no subscription was made
    if checkout := _checkout_for_session(session):
        payments.payment_failed(checkout=checkout, at=event.created)


def session_expired(session: StripeObject, event: StripeEvent) -> None:
    if session.get("mode") == "subscription":
        return  # no subscription was made
    if checkout := _checkout_for_session(session):
        payments.checkout_expired(checkout=checkout, at=event.created)


def charge_refunded(charge: StripeObject, event: StripeEvent) -> None:
    """``charge.refunded``: the charge's running total refunded, and the lines our refunds name.

    A charge of no order that paid a Stripe invoice is a subscription payment refunded in Stripe's
    dashboard: its refunds go into dj-stripe's mirror (the revenue report counts them by when
    each was made). dj-stripe's own handling of this event cannot do it: at our API version the
    charge embeds no refunds, and the cumulative ``amount_refunded`` has no date."""
    embedded = charge.get("refunds")
    if isinstance(embedded, dict) and not embedded.get("has_more"):
        reported = embedded.get("data") or []
    else:
        reported = stripe_gateway.refunds_for_charge(charge_id=charge["id"])
    refunds = [refund for refund in reported if refund.get("status") not in ("failed", "canceled")]
    metadata = [charge.get("metadata") or {}, *(refund.get("metadata") or {} for refund in refunds)]
    checkout = _checkout_for_payment(
        payment_intent=stripe_gateway.object_id(charge.get("payment_intent")),
        order_numbers=[entry.get("order_number") for entry in metadata],
    )
    if checkout is None and charge.get("invoice"):
        _invoice_refunds_mirror(charge, reported)
        return
    if checkout is None:
        logger.info("Refunded charge %s belongs to no order; ignored.", charge["id"])
        return
    line_ids = {
        line_id
        for refund in refunds
        for line_id in stripe_gateway.line_ids_decode((refund.get("metadata") or {}).get("line_ids"))
    }
    payments.refund_recorded(
        checkout=checkout,
        amount_refunded_total=stripe_gateway.from_cents(charge.get("amount_refunded")),
        refunded_line_ids=line_ids,
    )


def _invoice_refunds_mirror(charge: StripeObject, refunds: list[StripeObject]) -> None:
    """Mirror every refund of an invoice's charge, failed and canceled ones too (a refund that
    failed after succeeding must stop counting). Refunds come as Stripe lists them now, so a
    redelivered event re-stores the same rows with their latest status. The charge is stored
    from the event only when the mirror lacks it: an older snapshot must not overwrite what
    dj-stripe fetched. dj-stripe fetches from Stripe what the objects name and it lacks (payment
    intent, balance transactions); a failure leaves the event to be processed again."""
    if not settings.STRIPE_SECRET_KEY:
        return  # the local demo has no Stripe to mirror
    api_key = settings.STRIPE_SECRET_KEY
    if not MirroredCharge.objects.filter(id=charge["id"]).exists():
        MirroredCharge.sync_from_stripe_data(charge, api_key=api_key)
    for refund in refunds:
        MirroredRefund.sync_from_stripe_data(refund, api_key=api_key)
    logger.info("Refunds of invoice charge %s mirrored: %d.", charge["id"], len(refunds))


def dispute_changed(dispute: StripeObject, event: StripeEvent) -> None:
    """``charge.dispute.created/updated/closed``."""
    checkout = _checkout_for_payment(
        payment_intent=stripe_gateway.object_id(dispute.get("payment_intent")),
        order_numbers=[(dispute.get("metadata") or {}).get("order_number")],
    )
    if checkout is None:
        logger.warning("Dispute %s belongs to no order; ignored.", dispute.get("id"))
        return
    payments.dispute_recorded(checkout=checkout, status=dispute.get("status") or "")


HANDLERS: dict[str, Callable[[StripeObject, StripeEvent], None]] = {
    "checkout.session.completed": session_paid,
    "checkout.session.async_payment_succeeded": session_paid,
    "checkout.session.async_payment_failed": session_failed,
    "checkout.session.expired": session_expired,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.updated": dispute_changed,
    "charge.dispute.closed": dispute_changed,
    **subscriptions.HANDLERS,
}
